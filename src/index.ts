export { fromPodProviderChain, type PodCredentialProvider } from "./chain/fromPodProviderChain.js";
export type { PodProviderChainOptions } from "./chain/podProviderChainOptions.js";
export type { PodCredentialsDescription } from "./chain/podCredentialsDescription.js";
export type { RefreshOptions } from "./chain/refreshOptions.js";
export type { CredentialEvent, CredentialEventBase } from "./chain/credentialEvent.js";
export { fromWebIdentity } from "./providers/fromWebIdentity.js";
export { fromPodIdentityAgent } from "./providers/fromPodIdentityAgent.js";
export { fromKube2iam } from "./providers/fromKube2iam.js";
export { fromNodeInstanceProfile } from "./providers/fromNodeInstanceProfile.js";
export type { CommonOptions } from "./config/commonOptions.js";
export type { Environment } from "./config/settingValue.js";
export type { WebIdentityOptions } from "./sources/webIdentity/webIdentityOptions.js";
export type { PodIdentityAgentOptions } from "./sources/podIdentity/podIdentityOptions.js";
export type { Kube2iamOptions } from "./sources/kube2iam/kube2iamOptions.js";
export type { NodeInstanceProfileOptions } from "./sources/instanceProfile/instanceProfileOptions.js";
export { type CredentialSource, CREDENTIAL_SOURCES } from "./sources/credentialSource.js";
export type { SkippedSource } from "./sources/skippedSource.js";
export { PodCredentialsError, type PodCredentialsErrorOptions } from "./errors/PodCredentialsError.js";
export { CredentialSourceError, type CredentialSourceErrorOptions } from "./errors/CredentialSourceError.js";
export { NoPodCredentialsError } from "./errors/NoPodCredentialsError.js";
export {
  NodeCredentialsRefusedError,
  type NodeCredentialsRefusedErrorOptions,
} from "./errors/NodeCredentialsRefusedError.js";
export { InvalidConfigurationError } from "./errors/InvalidConfigurationError.js";
export {
  POD_CREDENTIALS_ERROR_NAMES,
  type PodCredentialsErrorName,
  type ErrorsByName,
  isPodCredentialsError,
} from "./errors/errorNames.js";
export { consoleLogger, noopLogger, type LogLevel } from "./logging/loggers.js";
