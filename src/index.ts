export type { CredentialEvent, CredentialEventBase } from "./chain/credentialEvent.js";
export { fromPodProviderChain, type PodCredentialProvider } from "./chain/fromPodProviderChain.js";
export type { PodCredentialsDescription } from "./chain/podCredentialsDescription.js";
export type { PodProviderChainOptions } from "./chain/podProviderChainOptions.js";
export type { RefreshOptions } from "./chain/refreshOptions.js";
export type { CommonOptions } from "./config/commonOptions.js";
export type { Environment } from "./config/settingValue.js";
export { CredentialSourceError, type CredentialSourceErrorOptions } from "./errors/CredentialSourceError.js";
export {
  type ErrorsByName,
  isPodCredentialsError,
  POD_CREDENTIALS_ERROR_NAMES,
  type PodCredentialsErrorName,
} from "./errors/errorNames.js";
export { InvalidConfigurationError } from "./errors/InvalidConfigurationError.js";
export {
  NodeCredentialsRefusedError,
  type NodeCredentialsRefusedErrorOptions,
} from "./errors/NodeCredentialsRefusedError.js";
export { NoPodCredentialsError } from "./errors/NoPodCredentialsError.js";
export { PodCredentialsError, type PodCredentialsErrorOptions } from "./errors/PodCredentialsError.js";
export { consoleLogger, type LogLevel, noopLogger } from "./logging/loggers.js";
export { fromKube2iam } from "./providers/fromKube2iam.js";
export { fromNodeInstanceProfile } from "./providers/fromNodeInstanceProfile.js";
export { fromPodIdentityAgent } from "./providers/fromPodIdentityAgent.js";
export { fromWebIdentity } from "./providers/fromWebIdentity.js";
export { CREDENTIAL_SOURCES, type CredentialSource } from "./sources/credentialSource.js";
export type { NodeInstanceProfileOptions } from "./sources/instanceProfile/instanceProfileOptions.js";
export type { Kube2iamOptions } from "./sources/kube2iam/kube2iamOptions.js";
export type { PodIdentityAgentOptions } from "./sources/podIdentity/podIdentityOptions.js";
export type { SkippedSource } from "./sources/skippedSource.js";
export type { WebIdentityOptions } from "./sources/webIdentity/webIdentityOptions.js";
