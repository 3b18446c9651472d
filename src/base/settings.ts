import { InvalidConfigurationError } from "./errors.js";
import type { LogLevel } from "./logging.js";
import type { AssumeRoleOptions, PodProviderChainOptions } from "./options.js";

/**
 * The name of a place a {@link fromPodProviderChain} chain can take credentials from.
 *
 * - `webIdentity`: IRSA, a projected service-account token exchanged through STS `AssumeRoleWithWebIdentity`.
 * - `podIdentity`: the EKS Pod Identity agent, or any container-credentials endpoint.
 * - `kube2iam`: a metadata proxy (kube2iam or kiam) that answers for the pod's annotated role, verified.
 * - `instanceProfile`: the node's own role from the EC2 instance metadata service (shared by every pod).
 * - `env`: static keys in `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (local development).
 * - `sharedConfig`: profiles and SSO from `~/.aws` (local development).
 */
export type SourceName = "webIdentity" | "podIdentity" | "kube2iam" | "instanceProfile" | "env" | "sharedConfig";

/** Every {@link SourceName}, in the chain's default order followed by the development sources. */
export const SOURCE_NAMES: readonly SourceName[] = Object.freeze([
  "webIdentity",
  "podIdentity",
  "kube2iam",
  "instanceProfile",
  "env",
  "sharedConfig",
]);

/** The sources a chain tries when `sources` is not set; `instanceProfile` only runs when node credentials are allowed. */
export const DEFAULT_SOURCES: readonly SourceName[] = Object.freeze(SOURCE_NAMES.slice(0, 4));

/** Whether a string is a {@link SourceName}. */
export const isSourceName = (value: unknown): value is SourceName =>
  typeof value === "string" && (SOURCE_NAMES as readonly string[]).includes(value);

/** The environment a provider reads. Defaults to `process.env`; tests and the doctor pass their own. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A setting's value and where it came from: `"option <name>"` or the variable's name, which is safe to log. */
export interface Setting<T = string> {
  readonly value: T;
  readonly from: string;
}

/** How the doctor may show a variable's value: as it is, as a URL without secrets, a key's last four, or not at all. */
export type Shown = "value" | "url" | "path" | "lastFour" | "hidden";

/**
 * One row of {@link SETTINGS}. A row's key is the option that sets it, or, for a variable with no option, the
 * variable itself.
 */
export interface SettingRow<T = unknown> {
  /** The environment variable that sets it; the option wins. */
  readonly variable?: string;
  /** Checks an option's value or parses a variable's text (a string by default); `from` names which, for the error. */
  readonly parse?: (input: unknown, from: string) => T;
  /** The default, as the README shows it. */
  readonly default?: string;
  /** What it means, for the README; rows without it are variables the SDK reads, listed only by the doctor. */
  readonly doc?: string;
  /** Listed in the README's caching table rather than its options table. */
  readonly refresh?: true;
  /** How the doctor shows the variable's value: as it is by default. */
  readonly shown?: Shown;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const MAX_STARTUP_TIMEOUT_MS = 15 * MINUTE;
/** The default resolution deadline is the start-up window plus this, so the last "not yet" retry can still finish. */
const RESOLUTION_SLACK_MS = 5 * SECOND;
export const DEFAULT_TIMEOUT_MS = SECOND;
export const DEFAULT_ANNOTATIONS_FILE = "/etc/podinfo/annotations";
const CONTAINER_HOST = "http://169.254.170.2";
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

const isOption = (from: string): boolean => from.startsWith("option ");
const optionName = (from: string): string => from.slice("option ".length);
const refuse = (from: string, problem: string, fix: string): never => {
  throw new InvalidConfigurationError(from, problem, fix);
};
/** The fix names the option or the variable at fault: "pass <option> …" or "set <VARIABLE> …". */
const fixFor = (from: string, optionFix: string, variableFix: string): string =>
  isOption(from) ? `pass ${optionName(from)} ${optionFix}.` : `set ${from} ${variableFix}.`;

type Parser<T> = (input: unknown, from: string) => T;

const text: Parser<string> = (input, from) =>
  typeof input === "string" ? input : refuse(from, "expected a string.", `pass ${optionName(from)} as a string.`);

/** `true` or `false` (any case, in a variable); anything else is a configuration error, never a silent `false`. */
const flag: Parser<boolean> = (input, from) => {
  if (typeof input === "boolean") return input;
  const normalized = typeof input === "string" && !isOption(from) ? input.toLowerCase() : undefined;
  if (normalized === "true" || normalized === "false") return normalized === "true";
  return refuse(from, "expected true or false.", fixFor(from, "as true or false", "to true or false"));
};

/** A number in an option, digits in a variable; `NaN` for any other text. */
const numberIn = (input: unknown, from: string): unknown =>
  isOption(from) ? input : /^\d+$/.test(String(input)) ? Number(input) : Number.NaN;
const isWholeIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max;

const whole =
  (unit: "milliseconds" | "seconds", min: number, max: number): Parser<number> =>
  (input, from) => {
    const value = numberIn(input, from);
    if (isWholeIn(value, min, max)) return value;
    const example = unit === "seconds" ? "of seconds such as 3600" : `such as ${Math.min(Math.max(1000, min), max)}`;
    const fix = fixFor(from, `as a number from ${min} to ${max}`, `to a number ${example}`);
    return refuse(from, `expected a whole number of ${unit} from ${min} to ${max}.`, fix);
  };
const milliseconds = (min: number, max: number) => whole("milliseconds", min, max);

/** Source names: a list in an option, comma-separated text in a variable; every name known, none twice, one at least. */
const sourceList: Parser<SourceName[]> = (input, from) => {
  const split = (value: string) => value.split(",").flatMap((part) => (part.trim() === "" ? [] : [part.trim()]));
  const names = Array.isArray(input) ? (input as unknown[]) : isOption(from) ? [] : split(String(input));
  const fix = `use a comma-separated list of ${SOURCE_NAMES.join(", ")}.`;
  if (names.length === 0) refuse(from, "no source is named.", fix);
  const seen = new Set<SourceName>();
  for (const name of names) {
    if (!isSourceName(name)) refuse(from, `unknown source "${String(name)}".`, fix);
    else if (seen.has(name)) refuse(from, `source "${name}" is named twice.`, fix);
    else seen.add(name);
  }
  return [...seen];
};

const logLevel: Parser<LogLevel> = (input, from) => {
  const level = String(input).trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  return refuse(from, `unknown log level "${String(input)}".`, `use one of ${LOG_LEVELS.join(", ")}.`);
};

const httpUrl: Parser<string> = (input, from) => {
  const value = text(input, from);
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    const fix = "set it to the metadata service's base URL, such as http://169.254.169.254.";
    refuse(from, "is not an http(s) URL.", fix);
  }
  return value.replace(/\/+$/, "");
};

const share: Parser<number> = (input, from) =>
  typeof input === "number" && input >= 0.2 && input <= 1
    ? input
    : refuse(from, "expected a number from 0.2 to 1.", "pass a share such as 0.5.");

/** STS's rule for session names and source identities: 2 to 64 of letters, digits and `+=,.@_-`. */
const STS_NAME = /^[\w+=,.@-]{2,64}$/;
const stsName: Parser<string> = (input, from) => {
  const value = text(input, from).trim();
  if (STS_NAME.test(value)) return value;
  const fix = fixFor(from, "as such a name", "to such a name");
  return refuse(from, "expected 2 to 64 of letters, digits and +=,.@_- (STS's rule).", fix);
};

/** STS's longest session for a role assumed with an assumed role's credentials (role chaining). */
export const CHAINED_SESSION_MAX_SECONDS = 3600;

/**
 * A chained session's length: 900 to 3600 seconds. STS refuses more than an hour for role chaining, and every pod
 * source hands out role-session credentials, so a longer one is refused here, at creation, rather than at every call.
 */
const chainedSeconds: Parser<number> = (input, from) => {
  const value = numberIn(input, from);
  if (isWholeIn(value, 900, CHAINED_SESSION_MAX_SECONDS)) return value;
  const problem =
    typeof value === "number" && value > CHAINED_SESSION_MAX_SECONDS
      ? "STS limits a role assumed with role-session credentials (role chaining: IRSA, Pod Identity, kube2iam, kiam " +
        "and the node all hand out such credentials) to 1 hour: expected 900 to 3600 seconds."
      : "expected a whole number of seconds from 900 to 3600.";
  const fix = fixFor(
    from,
    "as a number from 900 to 3600, or leave it out (STS's default is 3600)",
    "to a number from 900 to 3600, or unset it (STS's default is 3600)",
  );
  return refuse(from, problem, fix);
};

/**
 * A documented row, written as its README cells: "variable | default | meaning" (`—` as the variable of an option
 * alone), then its parser (text when absent) and how the doctor shows the variable's value (as it is when absent).
 * A cell never holds `|`: it could not in the README's table either.
 */
const row = <T = string>(cells: string, parse?: Parser<T>, shown?: Shown): SettingRow<NoInfer<T>> => {
  const [variable = "", defaultShown = "", doc = ""] = cells.split(" | ");
  return {
    ...(variable !== "—" && { variable }),
    default: defaultShown,
    doc,
    ...(parse && { parse }),
    ...(shown && { shown }),
  };
};
/** A row of the README's caching table: an option alone, "default | meaning". */
const refresh = <T = string>(cells: string, parse?: Parser<T>): SettingRow<NoInfer<T>> => ({
  ...row(`— | ${cells}`, parse),
  refresh: true,
});

/**
 * Every setting the library reads, once: option (the key), variable, parser with its bounds, default and meaning. It
 * drives parsing ({@link readSettings}), the warning about unknown `POD_CREDENTIALS_*` variables, where `describe()`
 * says a source was configured from, the doctor's listing of the environment, and the README's tables (a test
 * compares them). A row keyed by its variable has no option; a row without a meaning is a variable the SDK reads,
 * listed only by the doctor.
 */
export const SETTINGS = {
  sources: row(
    "POD_CREDENTIALS_SOURCES | `webIdentity,podIdentity,kube2iam,instanceProfile` | which sources run, in order",
    sourceList,
  ),
  allowNodeCredentials: row(
    "POD_CREDENTIALS_ALLOW_NODE | `false` | accept the node's instance-profile role as the last source",
    flag,
  ),
  expectedRole: row("POD_CREDENTIALS_ROLE | the annotation | the role the pod declares (name, `path/name` or ARN)"),
  annotationsFile: row(
    `POD_CREDENTIALS_ANNOTATIONS_FILE | \`${DEFAULT_ANNOTATIONS_FILE}\` | the downward-API annotations file`,
  ),
  startupTimeoutMs: row(
    'POD_CREDENTIALS_STARTUP_TIMEOUT_MS | `10000` | how long after the first call "not yet" answers are retried',
    milliseconds(0, MAX_STARTUP_TIMEOUT_MS),
  ),
  timeoutMs: row(
    "POD_CREDENTIALS_TIMEOUT_MS | `1000` | total deadline of each metadata or agent request",
    milliseconds(1, MINUTE),
  ),
  resolutionTimeoutMs: row(
    "POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS | `startupTimeoutMs + 5000` | overall deadline of one resolution, retries included",
    // From timeoutMs (checked when it is read) to the longest start-up window plus the slack.
    milliseconds(1, MAX_STARTUP_TIMEOUT_MS + RESOLUTION_SLACK_MS),
  ),
  logger: row(
    "POD_CREDENTIALS_LOG_LEVEL | console, `info` | a `@smithy/types` `Logger`; the variable sets the default logger's level (`debug` … `silent`)",
    logLevel,
  ),
  webIdentityTokenFile: row("AWS_WEB_IDENTITY_TOKEN_FILE | — | IRSA token file"),
  roleArn: row("AWS_ROLE_ARN | — | IRSA role"),
  roleSessionName: row(
    "AWS_ROLE_SESSION_NAME | `pod-credentials-<hostname>` | STS session name (the pod's name, in CloudTrail)",
  ),
  durationSeconds: row(
    "POD_CREDENTIALS_DURATION_SECONDS | STS's (3600) | IRSA: the session length asked of STS, 900 to 43200 s, within the role's maximum session duration",
    whole("seconds", 900, (12 * HOUR) / SECOND),
  ),
  region: row("AWS_REGION | the calling client's region | STS region (`AWS_ENDPOINT_URL_STS` is honoured)"),
  containerCredentialsFullUri: row("AWS_CONTAINER_CREDENTIALS_FULL_URI | — | Pod Identity agent URL", text, "url"),
  containerCredentialsRelativeUri: row(
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI | — | path on `169.254.170.2` (ECS)",
    text,
    "path",
  ),
  containerAuthorizationTokenFile: row(
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE | — | agent token file, re-read at each request",
  ),
  containerAuthorizationToken: row(
    "AWS_CONTAINER_AUTHORIZATION_TOKEN | — | agent token, when there is no file",
    text,
    "hidden",
  ),
  metadataEndpoint: row(
    "AWS_EC2_METADATA_SERVICE_ENDPOINT | `http://169.254.169.254` | metadata endpoint (kube2iam, kiam, IMDS)",
    httpUrl,
    "url",
  ),
  AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: row(
    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE | `IPv4` | `IPv6` makes the default metadata endpoint `http://[fd00:ec2::254]`",
  ),
  AWS_EC2_METADATA_V1_DISABLED: row("AWS_EC2_METADATA_V1_DISABLED | `false` | never fall back to IMDSv1"),
  AWS_EC2_METADATA_DISABLED: row(
    "AWS_EC2_METADATA_DISABLED | unset | any value but `false` turns the `instanceProfile` source off, as in the SDK",
  ),
  verifyIdentity: row(
    "POD_CREDENTIALS_VERIFY_IDENTITY | `false` | check each new set of credentials with STS `GetCallerIdentity`: the declared role, never the node's",
    flag,
  ),
  POD_CREDENTIALS_EXPECTED_ROLE: row(
    "POD_CREDENTIALS_EXPECTED_ROLE | — | the role verification expects, for any source (Pod Identity declares none); configures no source",
  ),
  assumeRole: row(
    "POD_CREDENTIALS_ASSUME_ROLE_ARN | — | role chaining: the role to assume with the source's credentials ([docs/role-chaining.md](docs/role-chaining.md))",
  ),
  POD_CREDENTIALS_ASSUME_ROLE_EXTERNAL_ID: row(
    "POD_CREDENTIALS_ASSUME_ROLE_EXTERNAL_ID | — | role chaining: the `ExternalId` (option `assumeRole.externalId`)",
  ),
  POD_CREDENTIALS_ASSUME_ROLE_DURATION_SECONDS: row(
    "POD_CREDENTIALS_ASSUME_ROLE_DURATION_SECONDS | `3600` | role chaining: the session length, 900 to 3600 s (option `assumeRole.durationSeconds`)",
    chainedSeconds,
  ),
  POD_CREDENTIALS_ASSUME_ROLE_SESSION_NAME: row(
    "POD_CREDENTIALS_ASSUME_ROLE_SESSION_NAME | `pod-credentials-<hostname>` | role chaining: the session name (option `assumeRole.roleSessionName`)",
    stsName,
  ),
  env: row("— | `process.env` | the environment to read (for tests)"),
  refreshBeforeMs: refresh(
    "`300000` | refresh this long before expiry (at most half the lifetime)",
    milliseconds(0, 12 * HOUR),
  ),
  refreshJitter: refresh("`0.5` | share of the refresh window the refresh time is spread over (0.2 to 1)", share),
  expiryMarginMs: refresh(
    "`60000` | stop serving cached credentials this long before expiry",
    milliseconds(0, 12 * HOUR),
  ),
  failureBackoffMs: refresh(
    "`1000` | how long a failure is kept, doubling per consecutive failure",
    milliseconds(1, MINUTE),
  ),
  // From failureBackoffMs (checked when it is read) to 10 minutes.
  maxFailureBackoffMs: refresh("`30000` | the longest failure backoff", milliseconds(1, 10 * MINUTE)),
  onEvent: refresh("— | receives credential events"),
  AWS_ACCESS_KEY_ID: { shown: "lastFour" },
  AWS_SECRET_ACCESS_KEY: { shown: "hidden" },
  AWS_SESSION_TOKEN: { shown: "hidden" },
  AWS_CREDENTIAL_EXPIRATION: {},
  AWS_PROFILE: {},
  AWS_SHARED_CREDENTIALS_FILE: {},
  AWS_CONFIG_FILE: {},
  AWS_DEFAULT_REGION: {},
  AWS_STS_REGIONAL_ENDPOINTS: {},
  AWS_ENDPOINT_URL_STS: { shown: "url" },
  AWS_ENDPOINT_URL: { shown: "url" },
} as const satisfies Record<string, SettingRow>;

/** The key of a row of {@link SETTINGS}. */
export type SettingKey = keyof typeof SETTINGS;
type ValueOf<K extends SettingKey> = (typeof SETTINGS)[K] extends SettingRow<infer T> ? T : string;

/** Whether a row's key is an option's name (options are camelCase; keys of variable-only rows are the variable). */
export const isOptionKey = (key: string): boolean => /^[a-z]/.test(key);
/** The environment variable of a row: its `variable`, or its key when the row has no option. */
export const variableOf = (key: SettingKey): string | undefined => {
  const row: SettingRow = SETTINGS[key];
  return row.variable ?? (isOptionKey(key) ? undefined : key);
};

/** The prefix of this package's own variables; an unknown one is reported, since it is probably a typo. */
export const OWN_VARIABLE_PREFIX = "POD_CREDENTIALS_";

const KEYS = Object.keys(SETTINGS) as SettingKey[];
const OWN_VARIABLES = KEYS.flatMap((key) => variableOf(key) ?? []).filter((name) =>
  name.startsWith(OWN_VARIABLE_PREFIX),
);

/**
 * How the doctor may show a variable's value: `"value"` for this package's own variables and the plain settings the
 * table knows, the rule of the variable's row otherwise; `"hidden"` for anything unknown, which may be a secret.
 */
export const shownAs = (variable: string): Shown => {
  if (variable.startsWith(OWN_VARIABLE_PREFIX)) return "value";
  const key = KEYS.find((candidate) => variableOf(candidate) === variable);
  return key === undefined ? "hidden" : ((SETTINGS[key] as SettingRow).shown ?? "value");
};

/** Reads one row of {@link SETTINGS}, as {@link readValue} does, with the row's parser unless another is given. */
export const readSetting = <K extends SettingKey>(
  key: K,
  options: Partial<Record<string, unknown>>,
  env: Environment,
  parse: Parser<ValueOf<K>> = ((SETTINGS[key] as SettingRow).parse ?? text) as never,
): Setting<ValueOf<K>> | undefined =>
  readValue(isOptionKey(key) ? options[key] : undefined, `option ${key}`, variableOf(key), env, parse);

/**
 * The option when it is given (a blank string counts as not given), else the variable when it is set and not blank
 * (Kubernetes manifests often set variables to `""`). Strings are trimmed.
 */
const readValue = <T>(
  given: unknown,
  option: string,
  variable: string | undefined,
  env: Environment,
  parse: Parser<T>,
) => {
  const value = typeof given === "string" ? given.trim() : given;
  if (value !== undefined && value !== "") return { value: parse(value, option), from: option };
  const fromEnv = variable === undefined ? undefined : env[variable]?.trim();
  return variable && fromEnv ? { value: parse(fromEnv, variable), from: variable } : undefined;
};

/** How the cache times refreshes: the options of the same names (`jitterRatio` is `refreshJitter`), checked. */
export interface RefreshPolicy {
  readonly refreshBeforeMs: number;
  readonly jitterRatio: number;
  readonly expiryMarginMs: number;
  readonly failureBackoffMs: number;
  readonly maxFailureBackoffMs: number;
}

/** The refresh policy when no option changes it. */
export const DEFAULT_REFRESH_POLICY: RefreshPolicy = Object.freeze({
  refreshBeforeMs: 5 * MINUTE,
  jitterRatio: 0.5,
  expiryMarginMs: MINUTE,
  failureBackoffMs: SECOND,
  maxFailureBackoffMs: 30 * SECOND,
});

// Shared by every provider that uses them (frozen): each provider keeps its settings for its lifetime.
const DEFAULT_ANNOTATIONS_SETTING = Object.freeze({
  value: DEFAULT_ANNOTATIONS_FILE,
  from: "the default annotations file",
  explicit: false as boolean,
});
const NO_WARNINGS: readonly string[] = Object.freeze([]);

/** Everything a chain and its sources need, read and checked once, when the provider is created. */
export type Settings = ReturnType<typeof readSettings>;

/**
 * Reads options and environment into {@link Settings}, through {@link SETTINGS}. Throws `InvalidConfigurationError`
 * naming the option or variable at fault, so a broken configuration fails at start-up, not at the first call.
 */
export const readSettings = (options: PodProviderChainOptions = {}) => {
  checkOptionTypes(options);
  const env = options.env ?? process.env;
  const read: Read = (key, parse) => readSetting(key, options as Record<string, unknown>, env, parse);
  const logLevel = options.logger === undefined ? (read("logger")?.value ?? "info") : undefined;
  const sources = read("sources")?.value ?? DEFAULT_SOURCES;
  const allowNodeCredentials = read("allowNodeCredentials")?.value ?? false;
  const timeoutMs = read("timeoutMs")?.value ?? DEFAULT_TIMEOUT_MS;
  const startupTimeoutMs = read("startupTimeoutMs")?.value ?? 10 * SECOND;
  const resolutionTimeoutMs =
    read("resolutionTimeoutMs", milliseconds(timeoutMs, MAX_STARTUP_TIMEOUT_MS + RESOLUTION_SLACK_MS))?.value ??
    startupTimeoutMs + RESOLUTION_SLACK_MS;
  const relativeUri = read("containerCredentialsRelativeUri");
  const annotationsFile = read("annotationsFile");
  const usesMetadata = sources.includes("kube2iam") || sources.includes("instanceProfile");
  return {
    env,
    sources,
    allowNodeCredentials,
    /** The default logger's level; `undefined` when a logger was passed (the variable is then not even read). */
    logLevel,
    timeoutMs,
    startupTimeoutMs,
    resolutionTimeoutMs,
    refresh: readRefreshPolicy(read),
    webIdentityTokenFile: read("webIdentityTokenFile"),
    roleArn: read("roleArn"),
    roleSessionName: read("roleSessionName")?.value as string | undefined,
    durationSeconds: read("durationSeconds")?.value,
    region: options.region?.trim() || undefined,
    containerCredentialsUrl: relativeUri
      ? { value: `${CONTAINER_HOST}${relativeUri.value}`, from: relativeUri.from }
      : read("containerCredentialsFullUri"),
    containerAuthorizationTokenFile: read("containerAuthorizationTokenFile"),
    containerAuthorizationToken: read("containerAuthorizationToken"),
    expectedRole: read("expectedRole"),
    /** And whether someone named it: then a missing file is an error, not an absence. */
    annotationsFile: annotationsFile ? { ...annotationsFile, explicit: true } : DEFAULT_ANNOTATIONS_SETTING,
    /** Read only when a source uses it, so a bad value does not fail a chain that does not. */
    metadataEndpoint: usesMetadata ? metadataEndpoint(options.metadataEndpoint, env) : DEFAULT_METADATA_ENDPOINT,
    metadataV1Disabled: env.AWS_EC2_METADATA_V1_DISABLED?.trim().toLowerCase() === "true",
    metadataDisabled: isMetadataDisabled(env.AWS_EC2_METADATA_DISABLED),
    verifyIdentity: read("verifyIdentity")?.value ?? false,
    /** The role verification expects whatever the source (`POD_CREDENTIALS_EXPECTED_ROLE`). */
    verifiedRole: read("POD_CREDENTIALS_EXPECTED_ROLE"),
    assumeRole: readAssumeRole(options.assumeRole, env),
    warnings: configurationWarnings(sources, env),
  };
};

/** Role chaining, read and checked: the target role and STS's `AssumeRole` parameters. */
export interface AssumeRoleSettings {
  /** Where it came from: `option assumeRole.roleArn` or `POD_CREDENTIALS_ASSUME_ROLE_ARN`. */
  readonly roleArn: Setting;
  readonly externalId: string | undefined;
  readonly durationSeconds: number | undefined;
  readonly policy: string | undefined;
  readonly tags: readonly (readonly [key: string, value: string])[];
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIdentity: string | undefined;
  readonly roleSessionName: string | undefined;
}

const ASSUME_ROLE_FIELDS =
  "roleArn externalId durationSeconds policy tags transitiveTagKeys sourceIdentity roleSessionName".split(" ");
/** STS's limits: ExternalId 2 to 1224 of `[\w+=,.@:/-]`, a session policy of 2048 characters, 50 session tags. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const MAX_POLICY_CHARS = 2048;
const MAX_TAGS = 50;

/**
 * The `assumeRole` option, field by field over its variables (`POD_CREDENTIALS_ASSUME_ROLE_*`; the option's field
 * wins). The policy, tags and source identity are options only: they are structured, or rarely set per pod.
 */
const readAssumeRole = (option: unknown, env: Environment): AssumeRoleSettings | undefined => {
  const fields = "option assumeRole";
  if (option !== undefined && (!isObject(option) || Array.isArray(option))) {
    refuse(
      fields,
      'expected an object such as { roleArn: "arn:aws:iam::210987654321:role/reports-writer" }.',
      "pass assumeRole as an object, or leave it out.",
    );
  }
  const given = (option ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!ASSUME_ROLE_FIELDS.includes(key) && given[key] !== undefined) {
      refuse(`${fields}.${key}`, "is not a field of assumeRole.", `use ${ASSUME_ROLE_FIELDS.join(", ")}.`);
    }
  }
  const field = <T>(name: keyof AssumeRoleOptions, parse: Parser<T>, variable?: SettingKey) =>
    readValue(given[name], `${fields}.${name}`, variable && variableOf(variable), env, parse);
  const roleArn = field("roleArn", text, "assumeRole");
  const externalId = field("externalId", externalIdOf, "POD_CREDENTIALS_ASSUME_ROLE_EXTERNAL_ID");
  const durationSeconds = field("durationSeconds", chainedSeconds, "POD_CREDENTIALS_ASSUME_ROLE_DURATION_SECONDS");
  const roleSessionName = field("roleSessionName", stsName, "POD_CREDENTIALS_ASSUME_ROLE_SESSION_NAME");
  const policy = field("policy", sessionPolicy);
  const tags = field("tags", sessionTags)?.value ?? [];
  const transitiveTagKeys = field("transitiveTagKeys", (input, from) => tagKeys(input, from, tags))?.value ?? [];
  const sourceIdentity = field("sourceIdentity", stsName);
  if (roleArn === undefined) {
    const stray = [externalId, durationSeconds, roleSessionName, policy, sourceIdentity].find(Boolean);
    if (stray || tags.length > 0) {
      const from = stray?.from ?? `${fields}.tags`;
      refuse(
        from,
        "is set, but no role to assume is.",
        `set ${SETTINGS.assumeRole.variable} (or assumeRole.roleArn) too, or remove it.`,
      );
    }
    return undefined;
  }
  return {
    roleArn,
    externalId: externalId?.value,
    durationSeconds: durationSeconds?.value,
    policy: policy?.value,
    tags,
    transitiveTagKeys,
    sourceIdentity: sourceIdentity?.value,
    roleSessionName: roleSessionName?.value,
  };
};

const externalIdOf = (input: unknown, from: string): string => {
  const value = text(input, from);
  if (EXTERNAL_ID.test(value)) return value;
  return refuse(
    from,
    "expected 2 to 1224 of letters, digits and +=,.@:/_- (STS's rule).",
    "use the external ID the role's owner gave you, as it is.",
  );
};

const sessionPolicy = (input: unknown, from: string): string => {
  const value = text(input, from);
  const json = (() => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  })();
  if (!isObject(json))
    refuse(
      from,
      "is not a JSON policy document.",
      'pass the policy as JSON text, such as JSON.stringify({ Version: "2012-10-17", Statement: [...] }).',
    );
  if (value.length > MAX_POLICY_CHARS)
    refuse(
      from,
      `is ${value.length} characters; STS takes at most ${MAX_POLICY_CHARS}.`,
      "shorten the policy (drop whitespace, merge statements).",
    );
  return value;
};

const sessionTags = (input: unknown, from: string): [string, string][] => {
  if (!isObject(input) || Array.isArray(input))
    return refuse(from, "expected an object of tag keys to values.", `pass ${optionName(from)} as { team: "orders" }.`);
  const entries = Object.entries(input);
  if (entries.length > MAX_TAGS)
    refuse(from, `has ${entries.length} tags; STS takes at most ${MAX_TAGS}.`, "pass fewer tags.");
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128 || typeof value !== "string" || value.length > 256) {
      refuse(
        `${from}.${key}`,
        "expected a key of 1 to 128 characters and a string value of at most 256.",
        "shorten the key or the value; a value must be a string.",
      );
    }
  }
  return entries as [string, string][];
};

const tagKeys = (input: unknown, from: string, tags: readonly (readonly [string, string])[]): string[] => {
  const keys = Array.isArray(input) ? input : [];
  const known = new Set(tags.map(([key]) => key));
  if (!Array.isArray(input) || !keys.every((key) => typeof key === "string" && known.has(key))) {
    refuse(from, "expected a list of keys of assumeRole.tags.", "list only keys that assumeRole.tags sets.");
  }
  return keys as string[];
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const OPTION_TYPES: Record<string, [check: (value: unknown) => boolean, expected: string]> = {
  logger: [
    (value) =>
      isObject(value) && ["debug", "info", "warn", "error"].every((level) => typeof value[level] === "function"),
    "an object with debug, info, warn and error functions",
  ],
  onEvent: [(value) => typeof value === "function", "a function"],
  env: [(value) => isObject(value) && !Array.isArray(value), "an object of variable names to strings"],
  region: [(value) => typeof value === "string", "a string"],
};

/**
 * Options whose value the table does not parse are checked for their type here: JavaScript callers can pass anything,
 * and a wrong type must fail at creation, naming the option, rather than misbehave later.
 */
const checkOptionTypes = (options: PodProviderChainOptions): void => {
  if (!isObject(options)) refuse("options", "expected an object.", "pass the options as an object, or nothing.");
  for (const [name, [check, expected]] of Object.entries(OPTION_TYPES)) {
    const value = (options as Record<string, unknown>)[name];
    if (value !== undefined && !check(value))
      refuse(`option ${name}`, `expected ${expected}.`, `pass ${name} as ${expected}, or leave it out.`);
  }
};

const DEFAULT_METADATA_ENDPOINT: Setting = { value: "http://169.254.169.254", from: "the default endpoint" };

/**
 * The instance metadata endpoint, chosen as the SDK chooses it: the option, else `AWS_EC2_METADATA_SERVICE_ENDPOINT`,
 * else `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` (`IPv4`, `IPv6`), else `http://169.254.169.254`.
 */
export const metadataEndpoint = (option: unknown, env: Environment): Setting => {
  const explicit = readSetting("metadataEndpoint", { metadataEndpoint: option }, env);
  if (explicit) return explicit;
  const variable = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";
  const mode = env[variable]?.trim().toLowerCase();
  if (mode === undefined || mode === "" || mode === "ipv4") return DEFAULT_METADATA_ENDPOINT;
  if (mode === "ipv6") return { value: "http://[fd00:ec2::254]", from: variable };
  return refuse(variable, `unknown mode "${env[variable]?.trim()}".`, "set it to IPv4 or IPv6.");
};

/** The SDK's rule: any value but "false" (and unset) disables the instance metadata service. */
const isMetadataDisabled = (value: string | undefined): boolean =>
  value !== undefined && value.trim() !== "" && value.trim().toLowerCase() !== "false";

type Read = <K extends SettingKey>(
  key: K,
  parse?: (input: unknown, from: string) => ValueOf<K>,
) => Setting<ValueOf<K>> | undefined;

const readRefreshPolicy = (read: Read): RefreshPolicy => {
  const defaults = DEFAULT_REFRESH_POLICY;
  const refreshBeforeMs = read("refreshBeforeMs")?.value ?? defaults.refreshBeforeMs;
  const jitterRatio = read("refreshJitter")?.value ?? defaults.jitterRatio;
  const expiryMarginMs = read("expiryMarginMs")?.value ?? defaults.expiryMarginMs;
  if (refreshBeforeMs > 0 && expiryMarginMs >= refreshBeforeMs) {
    refuse(
      "option expiryMarginMs",
      `must be less than refreshBeforeMs (${refreshBeforeMs} ms), or credentials would never be refreshed ahead.`,
      "lower expiryMarginMs or raise refreshBeforeMs.",
    );
  }
  const failureBackoffMs = read("failureBackoffMs")?.value ?? defaults.failureBackoffMs;
  const maxFailureBackoffMs =
    read("maxFailureBackoffMs", milliseconds(failureBackoffMs, 10 * MINUTE))?.value ?? defaults.maxFailureBackoffMs;
  const policy = { refreshBeforeMs, jitterRatio, expiryMarginMs, failureBackoffMs, maxFailureBackoffMs };
  // Most providers run on the defaults: they share the one frozen policy rather than each keeping a copy.
  const isDefault = (Object.keys(policy) as (keyof RefreshPolicy)[]).every((key) => policy[key] === defaults[key]);
  return isDefault ? defaults : policy;
};

const configurationWarnings = (sources: readonly SourceName[], env: Environment): readonly string[] => {
  const warnings: string[] = [];
  const keys = "AWS_ACCESS_KEY_ID";
  if (env[keys]?.trim() && !sources.includes("env")) {
    warnings.push(
      `pod-credentials: ${keys} is set but ignored: static keys are only used when "env" is in ` +
        `${SETTINGS.sources.variable}. (The SDK's default chain would let them silently override the pod's own identity.)`,
    );
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith(OWN_VARIABLE_PREFIX) && !OWN_VARIABLES.includes(name)) {
      warnings.push(
        `pod-credentials: unknown variable ${name} is ignored (a typo?). Known: ${OWN_VARIABLES.join(", ")}.`,
      );
    }
  }
  return warnings.length === 0 ? NO_WARNINGS : warnings;
};
