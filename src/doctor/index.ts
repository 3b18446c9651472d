// The doctor's pure pieces: examine the pod's credential set-up and report it. src/cli wires them to a process.

export { describeEnvironment } from "./describeEnvironment.js";
export {
  type ChainReport,
  type ConfigurationReport,
  type CredentialsSummary,
  DOCTOR_SCHEMA_VERSION,
  type DoctorExitCode,
  type DoctorReport,
  type DoctorVerdict,
  type EnvironmentVariableReport,
  type ErrorReport,
  type FileReport,
  type ListingAnswer,
  type LogLineReport,
  type MetadataEndpointKind,
  type MetadataEndpointReport,
  type SourceReport,
  type TokenClaimsReport,
  type VerificationReport,
  type WaitReport,
} from "./doctorReport.js";
export { ALL_SOURCES, type ExamineSourcesOptions, examineSources, type SourceExamination } from "./examineSources.js";
export { type FileInspection, inspectFiles, tokenClaims } from "./inspectFiles.js";
export {
  ENDPOINT_DESCRIPTIONS,
  KIAM_PING_PATH,
  KUBE2IAM_HEALTH_PATH,
  type MetadataEndpointSetting,
  probeMetadataEndpoint,
} from "./probeMetadataEndpoint.js";
export { lastFour, scrubSecrets } from "./redaction.js";
export { type Cell, formatTable, type RenderOptions, renderReport } from "./renderReport.js";
export { type ChainRun, type RunChainOptions, runChain } from "./runChain.js";
export {
  DEFAULT_DOCTOR_REGION,
  type DoctorOptions,
  runDoctor,
  WAIT_INTERVAL_MS,
  type WaitForChainOptions,
  type WaitOutcome,
  waitForChain,
} from "./runDoctor.js";
export { decideFinding, type Finding, type FindingInput } from "./verdict.js";
export {
  arnMatchesRole,
  skippedVerification,
  stsEndpoint,
  type VerifyOptions,
  verifyCallerIdentity,
} from "./verifyCallerIdentity.js";
