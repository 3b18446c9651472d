// The doctor's pure pieces: examine the pod's credential set-up and report it. src/cli wires them to a process.
export {
  DOCTOR_SCHEMA_VERSION,
  type ChainReport,
  type ConfigurationReport,
  type CredentialsSummary,
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
export { describeEnvironment } from "./describeEnvironment.js";
export { ALL_SOURCES, examineSources, type ExamineSourcesOptions, type SourceExamination } from "./examineSources.js";
export { inspectFiles, tokenClaims, type FileInspection } from "./inspectFiles.js";
export {
  ENDPOINT_DESCRIPTIONS,
  KIAM_PING_PATH,
  KUBE2IAM_HEALTH_PATH,
  type MetadataEndpointSetting,
  probeMetadataEndpoint,
} from "./probeMetadataEndpoint.js";
export { lastFour, scrubSecrets } from "./redaction.js";
export { type Cell, formatTable, renderReport, type RenderOptions } from "./renderReport.js";
export { runChain, type ChainRun, type RunChainOptions } from "./runChain.js";
export {
  DEFAULT_DOCTOR_REGION,
  WAIT_INTERVAL_MS,
  runDoctor,
  waitForChain,
  type DoctorOptions,
  type WaitForChainOptions,
  type WaitOutcome,
} from "./runDoctor.js";
export { decideFinding, type Finding, type FindingInput } from "./verdict.js";
export { arnMatchesRole, stsEndpoint, verifyCallerIdentity, skippedVerification, type VerifyOptions } from "./verifyCallerIdentity.js";
