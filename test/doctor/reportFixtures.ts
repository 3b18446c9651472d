// Hand-made doctor reports for the renderer and the verdict: every field chosen, so that expected text can be
// written out in full. Each builder returns a fresh object; tests override what they are about with spreads.
import type {
  ChainReport,
  ConfigurationReport,
  CredentialsSummary,
  DoctorReport,
  ErrorReport,
  FileReport,
  MetadataEndpointReport,
  SourceReport,
  VerificationReport,
} from "../../src/doctor/doctorReport.js";

export const ROLE_ARN = "arn:aws:iam::123456789012:role/orders-reader";
export const EXPIRES = "2026-11-27T22:00:00.000Z";

export const credentialsSummary = (overrides: Partial<CredentialsSummary> = {}): CredentialsSummary => ({
  accessKeyId: "…WXYZ",
  roleArn: ROLE_ARN,
  roleName: null,
  accountId: "123456789012",
  expiration: EXPIRES,
  ...overrides,
});

export const errorReportOf = (overrides: Partial<ErrorReport> = {}): ErrorReport => ({
  name: "CredentialSourceError",
  message: "[webIdentity] The web-identity token file /var/run/token does not exist. Fix: Mount the volume.",
  source: "webIdentity",
  fix: "Mount the volume.",
  status: null,
  ...overrides,
});

export const configurationReport = (overrides: Partial<ConfigurationReport> = {}): ConfigurationReport => ({
  sources: ["webIdentity", "podIdentity", "kube2iam", "instanceProfile"],
  allowNodeCredentials: false,
  region: "us-east-1",
  regionFrom: "the default",
  warnings: [],
  error: null,
  ...overrides,
});

export const kube2iamEndpoint = (overrides: Partial<MetadataEndpointReport> = {}): MetadataEndpointReport => ({
  url: "http://127.0.0.1:8181",
  from: "AWS_EC2_METADATA_SERVICE_ENDPOINT",
  kind: "kube2iam",
  description: "kube2iam",
  listing: { status: 200, answer: "role", role: "orders-reader", message: null },
  kube2iamHealth: { hostIP: "10.0.0.1", instanceId: "i-0123456789abcdef0" },
  kiamPing: false,
  offeredRole: "orders-reader",
  error: null,
  elapsedMs: 3,
  ...overrides,
});

export const imdsEndpoint = (overrides: Partial<MetadataEndpointReport> = {}): MetadataEndpointReport => ({
  url: "http://169.254.169.254",
  from: "the default endpoint",
  kind: "ec2Imds",
  description: "real EC2 IMDS",
  listing: { status: 401, answer: "realImds", role: null, message: null },
  kube2iamHealth: null,
  kiamPing: false,
  offeredRole: "eks-node-role",
  error: null,
  elapsedMs: 2,
  ...overrides,
});

export const unreachableEndpoint = (overrides: Partial<MetadataEndpointReport> = {}): MetadataEndpointReport => ({
  url: "http://127.0.0.1:9",
  from: "AWS_EC2_METADATA_SERVICE_ENDPOINT",
  kind: "unreachable",
  description: "nothing",
  listing: { status: null, answer: "noAnswer", role: null, message: "connection refused" },
  kube2iamHealth: null,
  kiamPing: false,
  offeredRole: null,
  error: "connection refused",
  elapsedMs: 1,
  ...overrides,
});

export const sourceReport = (overrides: Partial<SourceReport> & Pick<SourceReport, "source">): SourceReport => ({
  chainPosition: null,
  status: "absent",
  configuredBy: null,
  reason: "not configured",
  credentials: null,
  error: null,
  nodeCredentials: false,
  elapsedMs: 1,
  ...overrides,
});

export const resolvedChain = (overrides: Partial<ChainReport> = {}): ChainReport => ({
  status: "resolved",
  source: "kube2iam",
  configuredBy: "POD_CREDENTIALS_ROLE",
  credentials: credentialsSummary({ roleArn: null, roleName: "orders-reader" }),
  skipped: [
    { source: "webIdentity", reason: "AWS_WEB_IDENTITY_TOKEN_FILE is not set" },
    { source: "podIdentity", reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not set" },
  ],
  error: null,
  log: [
    { level: "debug", message: "pod-credentials: skipped webIdentity" },
    { level: "info", message: "pod-credentials: using kube2iam credentials for role orders-reader" },
  ],
  elapsedMs: 5,
  ...overrides,
});

export const failedChain = (error: ErrorReport, overrides: Partial<ChainReport> = {}): ChainReport => ({
  status: "failed",
  source: null,
  configuredBy: null,
  credentials: null,
  skipped: [],
  error,
  log: [],
  elapsedMs: 5,
  ...overrides,
});

export const verificationReport = (overrides: Partial<VerificationReport> = {}): VerificationReport => ({
  status: "ok",
  region: "us-east-1",
  endpoint: "https://sts.us-east-1.amazonaws.com",
  arn: "arn:aws:sts::123456789012:assumed-role/orders-reader/pod-credentials-web-1",
  account: "123456789012",
  userId: "AROAEXAMPLE:pod-credentials-web-1",
  matchesChainRole: true,
  error: null,
  elapsedMs: 7,
  ...overrides,
});

export const fileReport = (overrides: Partial<FileReport> = {}): FileReport => ({
  purpose: "annotations",
  path: "/etc/podinfo/annotations",
  from: "the default annotations file",
  exists: true,
  bytes: 58,
  modifiedAt: "2026-11-27T20:59:00.000Z",
  token: null,
  declaredRole: "orders-reader",
  problem: null,
  ...overrides,
});

/** A pod under kube2iam that declares its role: the chain resolves, exit 0. */
export const kube2iamPodReport = (overrides: Partial<DoctorReport> = {}): DoctorReport => ({
  schemaVersion: 1,
  tool: { name: "pod-credentials", version: "1.2.3" },
  generatedAt: "2026-11-27T21:00:00.000Z",
  durationMs: 42,
  verdict: "podCredentials",
  exitCode: 0,
  summary: "fromPodProviderChain() resolves pod-scoped credentials from kube2iam (role orders-reader).",
  environment: [
    { name: "AWS_EC2_METADATA_SERVICE_ENDPOINT", value: "http://127.0.0.1:8181/" },
    { name: "POD_CREDENTIALS_ROLE", value: "orders-reader" },
  ],
  configuration: configurationReport(),
  metadataEndpoint: kube2iamEndpoint(),
  files: [fileReport()],
  sources: [
    sourceReport({ source: "webIdentity", chainPosition: 1, reason: "AWS_WEB_IDENTITY_TOKEN_FILE is not set" }),
    sourceReport({ source: "podIdentity", chainPosition: 2, reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not set" }),
    sourceReport({
      source: "kube2iam",
      chainPosition: 3,
      status: "ok",
      configuredBy: "POD_CREDENTIALS_ROLE",
      reason: null,
      credentials: credentialsSummary({ roleArn: null, roleName: "orders-reader", accountId: null }),
    }),
    sourceReport({
      source: "instanceProfile",
      chainPosition: 4,
      status: "ok",
      configuredBy: "the metadata endpoint",
      reason: null,
      credentials: credentialsSummary({ roleArn: null, roleName: "orders-reader", accountId: null }),
    }),
    sourceReport({ source: "env", reason: "not in the chain's sources" }),
    sourceReport({ source: "sharedConfig", reason: "not in the chain's sources" }),
  ],
  chain: resolvedChain(),
  verification: null,
  wait: null,
  ...overrides,
});

/** Plain text of a report section: from its heading to the line before the next blank line. */
export const sectionOf = (text: string, heading: string): string[] => {
  const lines = text.split("\n");
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`no section "${heading}" in:\n${text}`);
  const end = lines.indexOf("", start);
  return lines.slice(start + 1, end === -1 ? undefined : end);
};

const ANSI_NAMES: Readonly<Record<string, string>> = {
  "1": "<bold>",
  "2": "<dim>",
  "22": "</>",
  "31": "<red>",
  "32": "<green>",
  "33": "<yellow>",
  "39": "</>",
};

/** ANSI colour codes as readable tags: `\u001b[32mok\u001b[39m` becomes `<green>ok</>`. */
export const showColours = (text: string): string =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this shows.
  text.replace(/\u001b\[(\d+)m/g, (_, code: string) => ANSI_NAMES[code] ?? `<${code}?>`);
