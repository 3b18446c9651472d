// The doctor's run: the configuration, then the chain (once, or with --wait until it resolves) beside the examination
// of the pod, then --verify, the verdict, and a last pass that redacts every secret the doctor saw.
import { DEFAULT_TIMEOUT_MS, type Environment, metadataEndpoint, readSetting, readSettings } from "../base/settings.js";
import { delay } from "../base/timing.js";
import {
  type ConfigurationReport,
  DOCTOR_SCHEMA_VERSION,
  type DoctorReport,
  decideFinding,
  errorReport,
  isProxy,
  type MetadataEndpointReport,
  problemOf,
  scrubSecrets,
  secretsOf,
  type WaitReport,
} from "./doctorReport.js";
import {
  type ChainRun,
  describeEnvironment,
  examineSources,
  inspectFiles,
  invalidEndpointReport,
  probeMetadataEndpoint,
  runChain,
} from "./examinePod.js";
import { verifyCallerIdentity } from "./verifyCallerIdentity.js";

/** The STS region when neither `--region` nor `AWS_REGION` says: no SDK client passes the doctor its own. */
const DEFAULT_REGION = "us-east-1";
/** The pause between two chain attempts with `--wait`: one progress line a second. */
const WAIT_INTERVAL_MS = 1000;

/**
 * Options of {@link runDoctor}.
 *
 * @example
 * ```ts
 * const report = await runDoctor({ env: process.env, version: "0.1.0", verify: true });
 * process.exitCode = report.exitCode;
 * ```
 */
export interface DoctorOptions {
  /** The environment to examine (the CLI passes `process.env`; tests pass their own). */
  readonly env: Environment;
  /** The package version, for the report. */
  readonly version: string;
  /** `--region`: the region for STS calls; else `AWS_REGION`, else us-east-1. */
  readonly region?: string | undefined;
  /** `--verify`: call STS `GetCallerIdentity` with the chain's credentials. */
  readonly verify?: boolean | undefined;
  /** `--wait`: run the chain again, a second apart, until it resolves or this many seconds have passed. */
  readonly waitSeconds?: number | undefined;
  /** Receives progress lines while waiting (the CLI writes them to standard error). */
  readonly onProgress?: ((line: string) => void) | undefined;
}

/**
 * Examines the pod's credential set-up and returns the report: the environment (names, and values that are not
 * secrets), the chain's configuration, what answers at the metadata endpoint, the files the configuration names,
 * every source on its own, what `fromPodProviderChain()` does with this environment, and with `verify` whom STS says
 * the credentials belong to. Never throws for a broken set-up: that is what the report is about. The report holds no
 * secret (a last pass redacts every secret value the doctor saw, in case one slipped into a message).
 */
export const runDoctor = async (options: DoctorOptions): Promise<DoctorReport> => {
  const started = Date.now();
  const { env } = options;
  const region = regionOf(options);
  const configuration = readConfiguration(env, region);
  const examine = (startupTimeoutMs: number | undefined) =>
    Promise.all([
      probe(env),
      inspectFiles(env),
      examineSources(env, { region: region.region, chainOrder: configuration.sources, startupTimeoutMs }),
    ]);

  // With --wait, the examination is a snapshot taken once the waiting is over (no start-up retries); without, it runs
  // beside the chain, so that the doctor takes about as long as the chain.
  const waited =
    options.waitSeconds === undefined
      ? undefined
      : await waitForChain(env, {
          region: region.region,
          waitSeconds: options.waitSeconds,
          onProgress: options.onProgress,
        });
  const [chainRun, examined] = await Promise.all([
    waited?.run ?? runChain(env, { region: region.region }),
    examine(waited ? 0 : undefined),
  ]);
  const [probed, files, sources] = examined;

  const node = sources.find(({ report }) => report.source === "instanceProfile")?.report;
  const metadata: MetadataEndpointReport =
    probed.kind === "ec2Imds" && node?.status === "ok"
      ? { ...probed, offeredRole: node.credentials?.roleArn ?? node.credentials?.roleName ?? null }
      : probed;

  const verification = options.verify
    ? await verifyCallerIdentity(chainRun.credentials, {
        region: region.region,
        env,
        expectedRole: chainRun.report.credentials?.roleArn ?? chainRun.report.credentials?.roleName,
      })
    : null;

  // Behind kube2iam or kiam, the instance-profile path reaches the proxy, not the node: what it gets is the proxy's.
  const sourceReports = sources.map(({ report }) =>
    report.source === "instanceProfile" && isProxy(metadata.kind) ? { ...report, nodeCredentials: false } : report,
  );
  const finding = decideFinding({
    configuration,
    chain: chainRun.report,
    sources: sourceReports,
    metadataEndpoint: metadata,
    verification,
  });
  const report: DoctorReport = {
    schemaVersion: DOCTOR_SCHEMA_VERSION,
    tool: { name: "pod-credentials", version: options.version },
    generatedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    ...finding,
    environment: describeEnvironment(env),
    configuration,
    metadataEndpoint: metadata,
    files: files.map(({ report: file }) => file),
    sources: sourceReports,
    chain: chainRun.report,
    verification,
    wait: waited?.wait ?? null,
  };
  const secrets = [
    ...secretsOf(chainRun.credentials),
    ...sources.flatMap(({ secrets: seen }) => seen),
    ...files.flatMap(({ secrets: seen }) => seen),
    ...["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN"].map(
      (name) => env[name]?.trim() ?? "",
    ),
  ];
  return scrubSecrets(report, secrets);
};

const regionOf = (options: DoctorOptions): { region: string; regionFrom: string } => {
  const flag = options.region?.trim();
  if (flag) return { region: flag, regionFrom: "--region" };
  const fromEnv = options.env.AWS_REGION?.trim();
  if (fromEnv) return { region: fromEnv, regionFrom: "AWS_REGION" };
  return { region: DEFAULT_REGION, regionFrom: "the default" };
};

/** The per-request deadline the chain uses (`POD_CREDENTIALS_TIMEOUT_MS`), for the doctor's own probe. */
const requestTimeoutMs = (env: Environment): number => {
  try {
    return readSetting("timeoutMs", {}, env)?.value ?? DEFAULT_TIMEOUT_MS;
  } catch {
    return DEFAULT_TIMEOUT_MS;
  }
};

const readConfiguration = (env: Environment, region: { region: string; regionFrom: string }): ConfigurationReport => {
  try {
    // No logger given, so that POD_CREDENTIALS_LOG_LEVEL is checked as in an application.
    const settings = readSettings({ env });
    return {
      sources: [...settings.sources],
      allowNodeCredentials: settings.allowNodeCredentials,
      ...region,
      warnings: [...settings.warnings],
      error: null,
    };
  } catch (error) {
    return { sources: null, allowNodeCredentials: null, ...region, warnings: [], error: errorReport(error) };
  }
};

const probe = async (env: Environment): Promise<MetadataEndpointReport> => {
  let endpoint: ReturnType<typeof metadataEndpoint>;
  try {
    endpoint = metadataEndpoint(undefined, env);
  } catch (error) {
    return invalidEndpointReport(problemOf(errorReport(error)));
  }
  return probeMetadataEndpoint(endpoint, requestTimeoutMs(env));
};

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * Runs the chain until it resolves or `waitSeconds` have passed: a new provider at each attempt (nothing cached from
 * the one before), a second apart, each attempt without the chain's own start-up retries (this loop is the
 * retrying). One progress line per attempt goes to `onProgress`. An invalid configuration is not retried: the
 * environment of a running process cannot change.
 */
export const waitForChain = async (
  env: Environment,
  options: Pick<DoctorOptions, "onProgress"> & { readonly region: string; readonly waitSeconds: number },
): Promise<{ readonly run: ChainRun; readonly wait: WaitReport }> => {
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
