// The doctor's run: the configuration, then the chain (once, or with --wait until it resolves) beside the examination
// of the pod, then --verify (STS GetCallerIdentity with the chain's credentials), the verdict that decides the exit
// code, and a last pass that redacts every secret the doctor saw.
import type { AwsCredentialIdentity } from "@smithy/types";
import { displayUrl, Redactor } from "../base/logging.js";
import { type Environment, readSetting, readSettings } from "../base/settings.js";
import { delay } from "../base/timing.js";
import { proxyFor } from "../wire/http.js";
import { getCallerIdentity, isStsError, resolveStsEndpoint, type StsEndpoint } from "../wire/sts.js";
import {
  type ConfigurationReport,
  type DoctorReport,
  type DoctorVerdict,
  describeEnvironment,
  type ErrorReport,
  errorReport,
  type MetadataEndpointReport,
  problemOf,
  roleOf,
  seconds,
  secretsOf,
  type VerificationReport,
  type WaitReport,
} from "./doctorReport.js";
import { examineSources, inspectFiles, probeMetadataEndpoint, runChain } from "./examinePod.js";

/** No SDK client passes the doctor its region. */
const DEFAULT_REGION = "us-east-1";
/** One `--wait` progress line a second. */
const WAIT_INTERVAL_MS = 1000;

/** What the CLI's flags ask for; `onProgress` receives the `--wait` progress lines. */
export interface DoctorOptions {
  readonly env: Environment;
  readonly version: string;
  readonly region?: string | undefined;
  readonly verify?: boolean | undefined;
  readonly waitSeconds?: number | undefined;
  readonly onProgress?: ((line: string) => void) | undefined;
}

/** The report; never throws for a broken set-up, since that is what the report is about. */
export const runDoctor = async (options: DoctorOptions): Promise<DoctorReport> => {
  const started = Date.now();
  const { env } = options;
  const regionSetting = readSetting("region", { region: options.region }, env);
  const region = regionSetting?.value ?? DEFAULT_REGION;
  const regionFrom = regionSetting ? regionSetting.from.replace("option region", "--region") : "the default";
  const configuration = readConfiguration(env, { region, regionFrom });

  // With --wait, the examination is a snapshot taken once the waiting is over (no start-up retries); without, it runs
  // beside the chain, so that the doctor takes about as long as the chain.
  const waited =
    options.waitSeconds === undefined
      ? undefined
      : await waitForChain(env, { region, waitSeconds: options.waitSeconds, onProgress: options.onProgress });
  const startupTimeoutMs = waited ? 0 : undefined;
  const [chainRun, probed, files, sources] = await Promise.all([
    waited?.run ?? runChain(env, { region }),
    probeMetadataEndpoint(env),
    inspectFiles(env),
    examineSources(env, { region, chainOrder: configuration.sources, startupTimeoutMs }),
  ]);

  const node = sources.find(({ report }) => report.source === "instanceProfile")?.report;
  const metadataEndpoint =
    probed.kind === "ec2Imds" && node?.status === "ok"
      ? { ...probed, offeredRole: roleOf(node.credentials) ?? null }
      : probed;
  const verification = options.verify
    ? await verifyCallerIdentity(chainRun.credentials, {
        region,
        env,
        expectedRole: roleOf(chainRun.report.credentials),
      })
    : null;
  // Behind kube2iam or kiam, the instance-profile path reaches the proxy, not the node: what it gets is the proxy's.
  const sourceReports = sources.map(({ report }) =>
    report.source === "instanceProfile" && isProxy(metadataEndpoint.kind)
      ? { ...report, nodeCredentials: false }
      : report,
  );
  const chain = chainRun.report;
  const report: DoctorReport = {
    schemaVersion: 1,
    tool: { name: "pod-credentials", version: options.version },
    generatedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    ...decideFinding({ configuration, chain, sources: sourceReports, metadataEndpoint, verification }),
    environment: describeEnvironment(env),
    configuration,
    metadataEndpoint,
    files: files.map(({ report: file }) => file),
    sources: sourceReports,
    chain,
    verification,
    wait: waited?.wait ?? null,
  };
  const secretVariables = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN"];
  return scrubSecrets(report, [
    ...secretsOf(chainRun.credentials),
    ...[...sources, ...files].flatMap(({ secrets }) => secrets),
    ...secretVariables.map((name) => env[name]?.trim() ?? ""),
  ]);
};

const readConfiguration = (
  env: Environment,
  region: Pick<ConfigurationReport, "region" | "regionFrom">,
): ConfigurationReport => {
  let read: ReturnType<typeof readSettings> | undefined;
  let error: ErrorReport | null = null;
  try {
    // No logger given, so that POD_CREDENTIALS_LOG_LEVEL is checked as in an application.
    read = readSettings({ env });
  } catch (caught) {
    error = errorReport(caught);
  }
  return {
    sources: read ? [...read.sources] : null,
    allowNodeCredentials: read?.allowNodeCredentials ?? null,
    ...region,
    warnings: read ? [...read.warnings] : [],
    error,
    verifyIdentity: read?.verifyIdentity ?? null,
    assumeRoleArn: read?.assumeRole?.roleArn.value ?? null,
  };
};

/**
 * Runs a new chain (nothing cached), a second apart, until it resolves or `waitSeconds` have passed. Each attempt has
 * no start-up retries of its own: this loop is the retrying. An invalid configuration is not retried: the
 * environment of a running process cannot change.
 */
export const waitForChain = async (
  env: Environment,
  options: Pick<DoctorOptions, "onProgress"> & { readonly region: string; readonly waitSeconds: number },
): Promise<{ run: Awaited<ReturnType<typeof runChain>>; wait: WaitReport }> => {
  const started = Date.now();
  const deadline = started + options.waitSeconds * 1000;
  const say = (line: string): void => options.onProgress?.(`pod-credentials doctor: ${line}`);
  say(`waiting up to ${options.waitSeconds} s for fromPodProviderChain() to resolve`);
  for (let attempt = 1; ; attempt++) {
    const run = await runChain(env, { region: options.region, startupTimeoutMs: 0 });
    const outcome = (resolved: boolean) => ({
      run,
      wait: { seconds: options.waitSeconds, attempts: attempt, waitedMs: Date.now() - started, resolved },
    });
    if (run.report.status === "resolved") {
      say(`attempt ${attempt}: resolved from ${run.report.source ?? "unknown"} after ${seconds(Date.now() - started)}`);
      return outcome(true);
    }
    const problem = run.report.error ? problemOf(run.report.error) : "failed";
    const remaining = deadline - Date.now();
    if (remaining <= 0 || run.report.error?.name === "InvalidConfigurationError") {
      say(`attempt ${attempt}: ${problem}; giving up after ${seconds(Date.now() - started)}`);
      return outcome(false);
    }
    const pause = Math.min(WAIT_INTERVAL_MS, remaining);
    say(`attempt ${attempt}: ${problem}; retrying in ${seconds(pause)} (${seconds(remaining)} left)`);
    await delay(pause);
  }
};

/** STS answers within a few hundred milliseconds; `--verify` waits no longer than the chain's own calls. */
const STS_TIMEOUT_MS = 5000;

/**
 * Whether `arn:aws:sts::<account>:assumed-role/<role>/<session>` names `expectedRole` (a name or an ARN; paths
 * aside, since an assumed-role ARN has none); `null` when it cannot tell.
 */
export const arnMatchesRole = (arn: string | null, expectedRole: string | null | undefined): boolean | null => {
  if (!arn || !expectedRole) return null;
  const match = /:assumed-role\/([^/]+)\//.exec(arn);
  if (!match?.[1]) return null;
  return match[1] === expectedRole.slice(expectedRole.lastIndexOf("/") + 1);
};

const NETWORK_FIX =
  "check network access to STS (egress, proxies, AWS_ENDPOINT_URL_STS) and the region (--region or AWS_REGION).";
const REFUSED_FIX =
  "the credentials the chain returned are not accepted by STS: check the source's role and the clock of this node.";

/** Whom STS says `credentials` belong to (the chain's `expectedRole`?), or why it could not say; `skipped` without. */
export const verifyCallerIdentity = async (
  credentials: AwsCredentialIdentity | undefined,
  options: { readonly region: string; readonly env: Environment; readonly expectedRole?: string | undefined },
): Promise<VerificationReport> => {
  const started = Date.now();
  let endpoint: StsEndpoint | undefined;
  let endpointError: unknown;
  try {
    endpoint = resolveStsEndpoint(options.region, options.env, "GetCallerIdentity");
  } catch (error) {
    endpointError = error;
  }
  const report = (status: VerificationReport["status"], fields: Partial<VerificationReport> = {}) => ({
    status,
    region: options.region,
    endpoint: endpoint ? displayUrl(endpoint.url) : "(none)",
    arn: null,
    account: null,
    userId: null,
    matchesChainRole: null,
    error: null,
    elapsedMs: Date.now() - started,
    ...fields,
  });
  if (!credentials) return report("skipped", { elapsedMs: 0 });
  // A failure the operator can act on is reported, not thrown.
  const failed = (message: string, fix: string, status: number | null = null) =>
    report("failed", {
      error: { name: "VerificationError", message: `${message} Fix: ${fix}`, source: null, fix, status },
    });
  if (endpoint === undefined) {
    return failed(
      `${errorReport(endpointError).message}.`,
      "check AWS_REGION (or --region), AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT and AWS_ENDPOINT_URL_STS.",
    );
  }
  if (!URL.canParse(endpoint.url)) {
    return failed(
      "AWS_ENDPOINT_URL_STS is not a URL.",
      "set it to an https URL such as https://sts.us-east-1.amazonaws.com.",
    );
  }
  try {
    const identity = await getCallerIdentity(credentials, {
      endpoint,
      timeoutMs: STS_TIMEOUT_MS,
      proxy: proxyFor(endpoint.url, options.env),
    });
    return report("ok", { ...identity, matchesChainRole: arnMatchesRole(identity.arn, options.expectedRole) });
  } catch (error) {
    if (!isStsError(error)) return report("failed", { error: errorReport(error) });
    if (error.kind === "network") return failed(`${error.message}.`, NETWORK_FIX);
    return failed(error.message, REFUSED_FIX, error.status ?? null);
  }
};

/** Behind a proxy, the instance-profile path gets the proxy's answer, not the node's. */
const isProxy = (kind: MetadataEndpointReport["kind"]): boolean =>
  kind === "kube2iam" || kind === "kiam" || kind === "metadataProxy";

/** The report sections the verdict is decided from. */
export type FindingInput = Pick<
  DoctorReport,
  "configuration" | "chain" | "metadataEndpoint" | "sources" | "verification"
>;

/**
 * The verdict, exit code and summary. The node's role is exit 2 even when `POD_CREDENTIALS_ALLOW_NODE=true` lets the
 * chain use it: every pod on the node shares it, so a pod-scoped check must not pass on it.
 */
export const decideFinding = (input: FindingInput) => {
  const [verdict, summary] = verdictOf(input);
  return { verdict, exitCode: verdict === "podCredentials" ? (0 as const) : (2 as const), summary };
};

type Verdict = [DoctorVerdict, string];

const verdictOf = (input: FindingInput): Verdict => {
  const { configuration, chain } = input;
  if (configuration.error) return ["failed", `The configuration is invalid: ${problemOf(configuration.error)}`];
  if (chain.status === "resolved") return resolvedVerdict(input);
  const problem = chain.error ? problemOf(chain.error) : "unknown error";
  if (chain.error?.name === "NodeCredentialsRefusedError") {
    return ["nodeCredentialsOnly", `Only the node's credentials are on offer, and the chain refuses them: ${problem}`];
  }
  if (chain.error?.name === "NoPodCredentialsError") return nothingConfiguredVerdict(input);
  return ["failed", `fromPodProviderChain() fails: ${problem}`];
};

const resolvedVerdict = ({ chain, verification }: FindingInput): Verdict => {
  const { credentials } = chain;
  const details = [
    roleOf(credentials) && `role ${roleOf(credentials)}`,
    credentials?.accountId && `account ${credentials.accountId}`,
    credentials?.expiration && `expiring ${credentials.expiration}`,
  ].filter(Boolean);
  const described = details.length > 0 ? ` (${details.join(", ")})` : "";
  const resolves = "fromPodProviderChain() resolves";
  if (chain.source === "instanceProfile") {
    return [
      "nodeCredentialsOnly",
      `${resolves} the node's instance-profile role${described} because node credentials are allowed: every pod ` +
        "on this node shares it. Configure IRSA, EKS Pod Identity or kube2iam/kiam for this pod.",
    ];
  }
  const source = chain.source ?? "unknown";
  if (verification?.status === "failed" && verification.error) {
    const rejected = problemOf(verification.error);
    return [
      "failed",
      `${resolves} ${source} credentials${described}, but STS GetCallerIdentity rejects them: ${rejected}`,
    ];
  }
  const verified =
    verification?.status === "ok" && verification.arn ? `; STS says they belong to ${verification.arn}` : "";
  return ["podCredentials", `${resolves} pod-scoped credentials from ${source}${described}${verified}.`];
};

/** The node's role is on offer (the real IMDS, or fetched although the probe got no answer), or a proxy's, or none. */
const nothingConfiguredVerdict = ({ sources, metadataEndpoint: endpoint }: FindingInput): Verdict => {
  const node = sources.find((source) => source.source === "instanceProfile");
  const nodeRole = node?.status === "ok" ? roleOf(node.credentials) : undefined;
  if (endpoint.kind === "ec2Imds" || (endpoint.kind === "unreachable" && nodeRole)) {
    const where = endpoint.kind === "ec2Imds" ? "is the real EC2 IMDS" : "did not answer the probe";
    const offers = nodeRole ? ` and offers the node's role ${nodeRole}` : "";
    return [
      "nodeCredentialsOnly",
      `Nothing pod-scoped is configured; the metadata endpoint ${where}${offers}, which the chain refuses (node ` +
        "credentials are not allowed).",
    ];
  }
  if (endpoint.offeredRole && isProxy(endpoint.kind)) {
    return [
      "notConfigured",
      `Nothing pod-scoped is declared, but ${endpoint.description} at ${endpoint.url ?? "the metadata endpoint"} ` +
        `offers the role ${endpoint.offeredRole} to this pod: declare it (the iam.amazonaws.com/role annotation ` +
        "through a downward-API volume at /etc/podinfo, or POD_CREDENTIALS_ROLE) so that the chain can verify and use it.",
    ];
  }
  return ["notConfigured", "Nothing pod-scoped is configured for this pod, and no node role is on offer either."];
};

/**
 * Redacts every secret in every string of `value`, deeply: the last line of defence before printing (the library
 * already keeps secrets out of its messages). Values shorter than 8 characters would redact ordinary words.
 */
export const scrubSecrets = <T>(value: T, secrets: readonly string[]): T => {
  // The library's one redaction step: whole secrets, their JWT segments and 16-character runs (so a quote cut
  // before this pass still loses every part of a secret), URL user information, control and bidi characters.
  const redactor = new Redactor();
  redactor.add(...secrets);
  const walk = (item: unknown): unknown => {
    if (typeof item === "string") return redactor.text(item);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === "object") {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    }
    return item;
  };
  return walk(value) as T;
};
