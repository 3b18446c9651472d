// pod-credentials: AWS credentials for a Kubernetes pod that are the pod's own, never the node's.
export {
  CredentialSourceError,
  type CredentialSourceErrorOptions,
  type ErrorsByName,
  InvalidConfigurationError,
  isPodCredentialsError,
  NodeCredentialsRefusedError,
  type NodeCredentialsRefusedErrorOptions,
  NoPodCredentialsError,
  POD_CREDENTIALS_ERROR_NAMES,
  PodCredentialsError,
  type PodCredentialsErrorName,
  type PodCredentialsErrorOptions,
} from "./base/errors.js";
export {
  consoleLogger,
  type LogFields,
  type LogLevel,
  noopLogger,
  type PinoLikeLogger,
  pinoLogger,
  type WinstonLikeLogger,
  winstonLogger,
} from "./base/logging.js";
export type {
  AssumeRoleOptions,
  CommonOptions,
  CredentialEvent,
  CredentialEventBase,
  CredentialHop,
  IdentityVerification,
  Kube2iamOptions,
  NodeInstanceProfileOptions,
  PodCredentialsDescription,
  PodIdentityAgentOptions,
  PodProviderChainOptions,
  SkippedSource,
  WebIdentityOptions,
} from "./base/options.js";
export { type Environment, SOURCE_NAMES, type SourceName } from "./base/settings.js";
export {
  fromKube2iam,
  fromNodeInstanceProfile,
  fromPodIdentityAgent,
  fromPodProviderChain,
  fromWebIdentity,
  type PodCredentialProvider,
} from "./chain/fromPodProviderChain.js";
export type {
  ChainReport,
  ChainVerificationReport,
  ConfigurationReport,
  CredentialsSummary,
  DoctorReport,
  DoctorVerdict,
  ErrorReport,
  FileReport,
  HopReport,
  MetadataEndpointReport,
  SourceReport,
  VerificationReport,
  WaitReport,
} from "./doctor/doctorReport.js";
