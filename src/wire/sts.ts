// STS, spoken directly: the query protocol is a form POST and a small XML answer, so IRSA needs neither the SDK's STS
// client (~45 ms to import, rebuilt at every call) nor its HTTP handler (50-90 ms). Every STS call of a provider
// (IRSA's, identity verification, role chaining) takes its transport from `stsTransportFor`, so that none can
// disagree with another or with the SDK's STS client.
import type { Hmac, Hash as NodeHash } from "node:crypto";
import type { AwsCredentialIdentity, Hash, SourceData } from "@smithy/types";
import { displayUrl, quoteRemoteText, redactSecrets } from "../base/logging.js";
import type { Environment, Settings } from "../base/settings.js";
import { type HttpRequestError, type HttpResponse, httpRequest, isHttpRequestError, proxyFor } from "./http.js";
import { parseRoleReference } from "./kubernetes.js";
import { isIsolated, sdkFlag, stsRegion, stsRegionWarning, stsSettingsFromConfigFile } from "./sdkConfig.js";

const API_VERSION = "2011-06-15";
/** Real STS answers in about 1.5 KB; a larger answer is not one of its. */
const MAX_ANSWER_BYTES = 64 * 1024;
const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8";
/** STS answers within a few hundred milliseconds; past this, one attempt is abandoned (the deadline still rules). */
const STS_REQUEST_TIMEOUT_MS = 5000;
const PACKAGE_VERSION = "0.1.0";

/** Where STS calls go, as the SDK resolves it (see {@link resolveStsEndpoint}). */
export interface StsEndpoint {
  /** `https://sts.eu-west-1.amazonaws.com`, or the configured endpoint. */
  readonly url: string;
  /** The region after the SDK's clean-up (`fips-us-east-1` → `us-east-1`): the SigV4 signing region. */
  readonly region: string;
}

/** The STS actions this module speaks. */
export type StsAction = "AssumeRoleWithWebIdentity" | "AssumeRole" | "GetCallerIdentity";

/** One STS call. Parameters are sent as given; `undefined` ones are left out. */
interface StsRequest {
  readonly action: StsAction;
  readonly parameters?: Readonly<Record<string, string | number | undefined>> | undefined;
  readonly endpoint: StsEndpoint;
  /** Signs the call with SigV4 (AssumeRole, GetCallerIdentity); without them it is sent unsigned. */
  readonly credentials?: AwsCredentialIdentity | undefined;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** An `http:` proxy to tunnel through (HTTP CONNECT), from `proxyFor` in ./http.ts. */
  readonly proxy?: string | undefined;
  /** Text that must never appear in an error (the web-identity token), whatever STS or the network echoes. */
  readonly secrets?: readonly string[] | undefined;
  /** Headers the SDK's STS client would add: `user-agent`, `x-amzn-trace-id` (see {@link stsHeaders}). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** The transport part of a call: everything but the action and its parameters. */
export type StsTransport = Omit<StsRequest, "action" | "parameters" | "credentials">;

/** Credentials from `AssumeRoleWithWebIdentity` or `AssumeRole`, and the assumed-role user STS names. */
export interface StsAssumedRole {
  readonly credentials: AwsCredentialIdentity & { readonly expiration: Date; readonly sessionToken: string };
  /** `arn:aws:sts::123456789012:assumed-role/orders-reader/session`. */
  readonly assumedRoleArn: string;
  readonly assumedRoleId: string;
  readonly accountId: string | undefined;
}

/** `AssumeRoleWithWebIdentity`: unsigned; the token is also redacted from any error. */
export const assumeRoleWithWebIdentity = async (
  parameters: {
    readonly roleArn: string;
    readonly roleSessionName: string;
    readonly webIdentityToken: string;
    readonly durationSeconds?: number | undefined;
  },
  transport: StsTransport,
): Promise<StsAssumedRole> => {
  const action = "AssumeRoleWithWebIdentity";
  const result = await callSts({
    ...transport,
    action,
    secrets: [...(transport.secrets ?? []), parameters.webIdentityToken],
    parameters: {
      RoleArn: parameters.roleArn,
      RoleSessionName: parameters.roleSessionName,
      WebIdentityToken: parameters.webIdentityToken,
      DurationSeconds: parameters.durationSeconds,
    },
  });
  return assumedRole(action, result);
};

/**
 * `AssumeRole`, signed with `credentials`. `parameters` are STS's own names (`RoleArn`, `RoleSessionName`,
 * `ExternalId`, `DurationSeconds`, `Policy`, `SourceIdentity`, `Tags.member.1.Key`, ...).
 */
export const assumeRole = async (
  parameters: Readonly<Record<string, string | number | undefined>>,
  credentials: AwsCredentialIdentity,
  transport: StsTransport,
): Promise<StsAssumedRole> =>
  assumedRole("AssumeRole", await callSts({ ...transport, action: "AssumeRole", parameters, credentials }));

/** `GetCallerIdentity`, signed with `credentials`: whom STS says they belong to. */
export const getCallerIdentity = async (
  credentials: AwsCredentialIdentity,
  transport: StsTransport,
): Promise<{ readonly arn: string; readonly account: string; readonly userId: string }> => {
  const result = await callSts({ ...transport, action: "GetCallerIdentity", credentials });
  const [arn, account, userId] = required("GetCallerIdentity", result, ["Arn", "Account", "UserId"]);
  return { arn, account, userId };
};

/**
 * The role an assumed-role ARN belongs to: `arn:aws:sts::123456789012:assumed-role/orders-reader/session` →
 * `{ partition: "aws", accountId: "123456789012", roleName: "orders-reader" }`; `undefined` for another ARN. Role
 * paths are not part of assumed-role ARNs: compare name and account only. (Parsed by `parseRoleReference`.)
 */
export const roleOfAssumedRoleArn = (
  arn: string,
): { readonly partition: string; readonly accountId: string; readonly roleName: string } | undefined => {
  const parsed = parseRoleReference(arn);
  if (parsed?.form !== "assumedRoleArn" || parsed.partition === undefined || parsed.accountId === undefined) {
    return undefined;
  }
  return { partition: parsed.partition, accountId: parsed.accountId, roleName: parsed.name };
};

/** What STS calls read from the environment: region, endpoint, proxy, User-Agent and trace header. */
const STS_VARIABLES = (
  "AWS_REGION AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL AWS_IGNORE_CONFIGURED_ENDPOINT_URLS AWS_USE_FIPS_ENDPOINT " +
  "AWS_USE_DUALSTACK_ENDPOINT https_proxy HTTPS_PROXY http_proxy HTTP_PROXY no_proxy NO_PROXY AWS_EXECUTION_ENV " +
  "AWS_SDK_UA_APP_ID AWS_LAMBDA_FUNCTION_NAME _X_AMZN_TRACE_ID"
).split(" ");

/** Flags the SDK reads only as `true` or `false`; any other value of the variable is skipped for the file's. */
const FLAGS = new Set(["AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]);

/**
 * A variable's value as the SDK's config chain takes it (`loadConfig`: the environment, then the shared config file):
 * an empty value is unset, and a flag that is neither `true` nor `false` fails its selector, so the file's value
 * counts (`AWS_USE_FIPS_ENDPOINT=yes` with `use_fips_endpoint = true` in the profile is FIPS).
 */
const usableIn =
  (env: Environment, fromFile: Environment) =>
  (name: string): string | undefined => {
    const given = env[name];
    const usable = FLAGS.has(name) ? given === "true" || given === "false" : given !== undefined && given !== "";
    return usable ? given : (fromFile[name] ?? given);
  };

/**
 * What an STS call needs from the resolution it belongs to. Structural, so that wire needs nothing from the sources
 * or the chain: their `ResolutionContext` is one.
 */
export interface StsCallContext {
  /** The calling SDK client's configuration; its `region` (a value or an async provider) comes after the option. */
  readonly identityProperties?: { readonly callerClientConfig?: { readonly region?: unknown } | undefined } | undefined;
  /** Where the missing-region warning goes. */
  readonly logger: { warn(message: string): void };
  /** Aborts the call when the resolution's overall deadline passes. */
  readonly signal?: AbortSignal | undefined;
}

/** The transport of one STS call of a provider (see {@link stsTransportFor}). */
export type StsTransportFor = (action: StsAction, context: StsCallContext) => Promise<StsTransport>;

// One per provider, shared by IRSA and the chain: the shared config file is read once (the SDK caches it per
// process) and the missing-region warning is said once, not once by each of them. Keyed on the provider's settings,
// which the chain and its sources share; dropped with them.
const transports = new WeakMap<Settings, StsTransportFor>();

/**
 * The transport of every STS call of the provider with these settings. Each variable is the environment's value,
 * else (without the `env` option) the shared config file's profile's; the region is the `region` option, the calling
 * client's, then `AWS_REGION` or the profile's, else us-east-1 with a warning (once per provider); the endpoint is the
 * one the SDK's STS client would pick for the region and flags; HTTPS_PROXY applies as `proxyFor` reads it.
 *
 * @throws {StsError} (`configuration`) when no endpoint can be built for the region and flags.
 */
export const stsTransportFor = (settings: Settings): StsTransportFor => {
  const known = transports.get(settings);
  if (known) return known;
  let fromConfigFile: Promise<Environment> | undefined;
  let regionWarned = false;
  const transport: StsTransportFor = async (action, context) => {
    fromConfigFile ??= stsSettingsFromConfigFile(settings.env);
    const settingOf = usableIn(settings.env, await fromConfigFile);
    const env = Object.fromEntries(STS_VARIABLES.map((name) => [name, settingOf(name)]));
    const region = await stsRegion(settings.region, context.identityProperties?.callerClientConfig?.region, env);
    if (region === undefined && !regionWarned) context.logger.warn(stsRegionWarning(isIsolated(settings.env)));
    regionWarned ||= region === undefined;
    const endpoint = resolveStsEndpoint(region ?? "us-east-1", env, action);
    const proxy = proxyFor(endpoint.url, env);
    return { endpoint, timeoutMs: STS_REQUEST_TIMEOUT_MS, signal: context.signal, proxy, headers: stsHeaders(env) };
  };
  transports.set(settings, transport);
  return transport;
};

/**
 * The headers the SDK's STS client adds from the environment, built from `env`: a User-Agent with the SDK's sections
 * (`exec-env/` from `AWS_EXECUTION_ENV`, `app/` from `AWS_SDK_UA_APP_ID`), this package named first, and in Lambda
 * (`AWS_LAMBDA_FUNCTION_NAME`) the trace header from `_X_AMZN_TRACE_ID`.
 */
const stsHeaders = (env: Environment): Record<string, string> => {
  const sections = [
    `pod-credentials/${PACKAGE_VERSION} ua/2.1 os/${process.platform} lang/js md/nodejs#${process.versions.node} api/sts`,
    ...(env.AWS_EXECUTION_ENV ? [`exec-env/${env.AWS_EXECUTION_ENV}`] : []),
    ...(env.AWS_SDK_UA_APP_ID ? [`app/${env.AWS_SDK_UA_APP_ID}`] : []),
  ];
  const traceId = env.AWS_LAMBDA_FUNCTION_NAME ? env._X_AMZN_TRACE_ID : undefined;
  return { "user-agent": sections.join(" "), ...(traceId && { "x-amzn-trace-id": traceId }) };
};

/** The fix for an STS call of the chain's that failed for a reason of the transport or of the credentials. */
export const stsFailureFix = (
  error: { readonly kind: string; readonly code: string; readonly retryable: boolean },
  notAccepted: string,
): string | undefined => {
  if (error.kind === "network")
    return "check network access to STS (egress, HTTPS_PROXY, AWS_ENDPOINT_URL_STS) and AWS_REGION (or the region option).";
  if (error.kind === "configuration")
    return "check AWS_REGION (or the region option), AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT and AWS_ENDPOINT_URL_STS; the AWS SDK refuses this combination too.";
  if (["InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "IncompleteSignature"].includes(error.code)) {
    return notAccepted;
  }
  if (error.code === "RegionDisabledException")
    return "STS is not activated in this region: activate it in IAM account settings, or set AWS_REGION to another region.";
  if (error.retryable)
    return "STS is busy; the call is retried within the resolution deadline. If it persists, check STS's health in this region.";
  return undefined;
};

// Endpoints: the rules of the SDK's STS endpoint rule set (@aws-sdk/nested-clients/sts, the client fromWebToken uses),
// with its partitions. test/wire/stsEndpoint.test.ts compares them with the SDK's resolver for a table of regions.

interface Partition {
  readonly name: string;
  readonly dnsSuffix: string;
  readonly dualStackDnsSuffix: string;
  readonly regionRegex: RegExp;
  /** The SDK's pseudo-regions of the partition, listed by name because the regular expression does not match them. */
  readonly globalRegions: readonly string[];
}

const PARTITIONS: readonly Partition[] = (
  [
    ["aws", "amazonaws.com", "api.aws", /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, ["aws-global"]],
    ["aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", /^cn-\w+-\d+$/, ["aws-cn-global"]],
    ["aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", /^eusc-(de)-\w+-\d+$/, []],
    ["aws-iso", "c2s.ic.gov", "api.aws.ic.gov", /^us-iso-\w+-\d+$/, ["aws-iso-global"]],
    ["aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud", /^us-isob-\w+-\d+$/, ["aws-iso-b-global"]],
    ["aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", /^eu-isoe-\w+-\d+$/, ["aws-iso-e-global"]],
    ["aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov", /^us-isof-\w+-\d+$/, ["aws-iso-f-global"]],
    ["aws-us-gov", "amazonaws.com", "api.aws", /^us-gov-\w+-\d+$/, ["aws-us-gov-global"]],
  ] as const
).map(([name, dnsSuffix, dualStackDnsSuffix, regionRegex, globalRegions]) => {
  return { name, dnsSuffix, dualStackDnsSuffix, regionRegex, globalRegions };
});

/** The partition of a region: listed by name first, then by pattern, else `aws` (the SDK's order). */
export const partitionOf = (region: string): Partition =>
  PARTITIONS.find((partition) => partition.globalRegions.includes(region)) ??
  PARTITIONS.find((partition) => partition.regionRegex.test(region)) ??
  (PARTITIONS[0] as Partition);

/** The SDK's check of a region: a valid host label (`@smithy/core`'s `isValidHostLabel`). */
const HOST_LABEL = /^(?!.*-$)(?!-)[a-zA-Z0-9-]{1,63}$/;
const isFipsRegion = (region: string) => region.startsWith("fips-") || region.endsWith("-fips");

/**
 * The STS endpoint for `region`, as the SDK's STS client picks it: `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`
 * (both ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else the regional endpoint of the region's partition
 * (`amazonaws.com.cn` for cn-*), `sts-fips.` with `AWS_USE_FIPS_ENDPOINT=true` or a `fips-` region, the dual-stack
 * suffix with `AWS_USE_DUALSTACK_ENDPOINT=true`. `AWS_STS_REGIONAL_ENDPOINTS` is not read: the SDK v3 STS client of
 * the web-identity provider ignores it and is always regional. `aws-global` gives `https://sts.amazonaws.com`.
 *
 * @throws {StsError} (`configuration`) where the SDK refuses too: an invalid region, FIPS or dual-stack with a
 *   configured endpoint; the message is the SDK's.
 */
export const resolveStsEndpoint = (givenRegion: string, env: Environment, action: StsAction): StsEndpoint => {
  const refuse = (message: string) =>
    new StsError(message, { action, kind: "configuration", code: "ConfigurationError" });
  const region = realRegion(givenRegion);
  if (!HOST_LABEL.test(region)) {
    throw refuse(`Region not accepted: region="${region}" is not a valid hostname component.`);
  }
  const fips = isFipsRegion(givenRegion) || (sdkFlag(env, "AWS_USE_FIPS_ENDPOINT") ?? false);
  const dualStack = sdkFlag(env, "AWS_USE_DUALSTACK_ENDPOINT") ?? false;
  const configured = sdkFlag(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
    ? undefined
    : env.AWS_ENDPOINT_URL_STS?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
  if (configured !== undefined) {
    if (fips) throw refuse("Invalid Configuration: FIPS and custom endpoint are not supported");
    if (dualStack) throw refuse("Invalid Configuration: Dualstack and custom endpoint are not supported");
    return { url: configured, region };
  }
  if (region === "aws-global" && !fips && !dualStack) return { url: "https://sts.amazonaws.com", region: "us-east-1" };
  return { url: `https://${regionalHost(region, fips, dualStack)}`, region };
};

/** The SDK's region clean-up: `fips-us-east-1` and `us-east-1-fips` are `us-east-1` with FIPS on. */
const realRegion = (region: string): string => {
  if (!isFipsRegion(region)) return region;
  if (region === "fips-aws-global" || region === "aws-fips") return "us-east-1";
  return region.replace(/fips-(dkr-|prod-)?|-fips/, "");
};

const regionalHost = (region: string, fips: boolean, dualStack: boolean): string => {
  const partition = partitionOf(region);
  if (fips && dualStack) return `sts-fips.${region}.${partition.dualStackDnsSuffix}`;
  // GovCloud's regional endpoints are FIPS endpoints already.
  if (fips && partition.name === "aws-us-gov") return `sts.${region}.amazonaws.com`;
  if (fips) return `sts-fips.${region}.${partition.dnsSuffix}`;
  if (dualStack) return `sts.${region}.${partition.dualStackDnsSuffix}`;
  return `sts.${region}.${partition.dnsSuffix}`;
};

/**
 * Sends one STS query-protocol call and returns the inside of its `<{Action}Result>` element.
 *
 * @throws {StsError} for every failure: no answer, an error answer, an answer that is not STS's.
 */
export const callSts = async (request: StsRequest): Promise<string> => {
  const { action, endpoint, secrets = [] } = request;
  const form = new URLSearchParams({ Action: action, Version: API_VERSION });
  for (const [name, value] of Object.entries(request.parameters ?? {})) {
    if (value !== undefined) form.append(name, String(value));
  }
  const body = form.toString();

  const quote = (text: string, max?: number) => quoteRemoteText(redactSecrets(text, secrets), max);
  const url = URL.canParse(endpoint.url) ? new URL(endpoint.url) : undefined;
  const shown = displayUrl(url ?? endpoint.url);
  const notUrl = { action, kind: "configuration", code: "ERR_INVALID_URL" } as const;
  if (url === undefined) throw new StsError(`The STS endpoint ${shown} is not a URL.`, notUrl);
  let headers: Record<string, string> = { ...request.headers, "content-type": FORM_CONTENT_TYPE };
  if (request.credentials) headers = await signedHeaders(url, endpoint.region, request.credentials, headers, body);
  const { timeoutMs, signal, proxy } = request;
  const post = { url: url.href, method: "POST", headers, body, timeoutMs, signal, proxy } as const;
  let answer: HttpResponse;
  try {
    answer = await httpRequest({ ...post, maxBodyBytes: MAX_ANSWER_BYTES });
  } catch (error) {
    throw isHttpRequestError(error) ? noAnswer(action, error, shown, quote) : error;
  }
  const requestId = answer.headers["x-amzn-requestid"];
  if (answer.status !== 200) throw errorAnswer(action, answer, shown, quote);
  const result = element(answer.body, `${action}Result`);
  if (result === undefined || element(answer.body, `${action}Response`) === undefined) {
    // Never quoted: a 200 answer may carry credentials in any shape.
    throw malformed(action, `at ${shown} answered HTTP 200 with a document that is not a ${action} answer.`, requestId);
  }
  return result;
};

const signedHeaders = async (
  url: URL,
  region: string,
  credentials: AwsCredentialIdentity,
  headers: Record<string, string>,
  body: string,
): Promise<Record<string, string>> => {
  // Loaded on demand: the unsigned IRSA call does not need the signer.
  const [{ SignatureV4 }, sha256] = await Promise.all([import("@smithy/signature-v4"), nodeSha256()]);
  const signer = new SignatureV4({ service: "sts", region, credentials, sha256 });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === "" ? {} : { port: Number(url.port) }),
    path: url.pathname === "" ? "/" : url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...headers, host: url.host },
    body,
  });
  return Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name, String(value)]));
};

/** SHA-256 and HMAC-SHA-256 from `node:crypto`, in the shape `@smithy/signature-v4` takes; loaded with the signer. */
const nodeSha256 = async () => {
  const { createHash, createHmac } = await import("node:crypto");
  return class NodeSha256 implements Hash {
    readonly #hash: NodeHash | Hmac;
    constructor(secret?: SourceData) {
      this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBytes(secret));
    }
    update(data: SourceData): void {
      this.#hash.update(toBytes(data));
    }
    async digest(): Promise<Uint8Array> {
      return new Uint8Array(this.#hash.digest());
    }
  };
};

const toBytes = (data: SourceData): string | Uint8Array =>
  typeof data === "string"
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

// Errors: which answers are worth another try, as the SDK's standard retry strategy decides.

/** The SDK's throttling codes (`@smithy/service-error-classification`). */
const THROTTLING_CODES = new Set(
  (
    "BandwidthLimitExceeded EC2ThrottledException LimitExceededException PriorRequestNotComplete " +
    "ProvisionedThroughputExceededException RequestLimitExceeded RequestThrottled RequestThrottledException SlowDown " +
    "ThrottledException Throttling ThrottlingException TooManyRequestsException TransactionInProgressException"
  ).split(" "),
);
/** Codes the SDK retries as transient, and STS's one error modeled `@retryable`. */
const TRANSIENT_CODES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "IDPCommunicationError"]);
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Failures on the way (no answer at all) that may pass. A refused connection is not one: nothing listens there. */
const TRANSIENT_NETWORK = new Set(["TimeoutError", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"]);

/** Whether the SDK would retry an STS error answer with this code and status. */
export const isRetryableStsAnswer = (code: string, status: number): boolean =>
  THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code) || TRANSIENT_STATUSES.has(status);

/**
 * An STS call gave no credentials. `kind`: `service` (STS answered with an error document; `code` is its `<Code>`,
 * `status` the HTTP status), `network` (no answer: `code` is Node's, such as `ECONNREFUSED`, or `TimeoutError`),
 * `answer` (an answer that is not a valid STS document), `configuration` (no endpoint can be built; the SDK's
 * message). `retryable` follows the SDK's standard retry rules for service errors. `detail` is the remote text,
 * quoted and with `secrets` redacted.
 */
export class StsError extends Error {
  override name = "StsError";
  declare readonly action: StsAction;
  declare readonly kind: "service" | "network" | "answer" | "configuration";
  declare readonly code: string;
  declare readonly detail: string;
  declare readonly retryable: boolean;
  declare readonly status: number | undefined;
  declare readonly requestId: string | undefined;

  constructor(message: string, fields: StsErrorFields) {
    super(message);
    Object.assign(this, { detail: "", retryable: false, status: undefined, requestId: undefined }, fields);
  }
}

type StsErrorFields = Pick<StsError, "action" | "kind" | "code"> &
  Partial<Pick<StsError, "detail" | "retryable" | "status" | "requestId">>;

/** The error for an answer that is not STS's document: never quoted, since a 200 answer may carry credentials. */
const malformed = (action: StsAction, problem: string, requestId?: string): StsError =>
  new StsError(`STS ${action} ${problem}`, { action, kind: "answer", code: "MalformedAnswer", status: 200, requestId });

/** Whether a value is an {@link StsError}, matched by `name` so that two copies of the package agree. */
export const isStsError = (error: unknown): error is StsError => error instanceof Error && error.name === "StsError";

type Quote = (text: string, max?: number) => string;

/** The error for no answer: `code` is Node's (`ECONNREFUSED`) or `TimeoutError`, as the SDK's handler names them. */
const noAnswer = (action: StsAction, error: HttpRequestError, shown: string, quote: Quote): StsError => {
  const code = error.kind === "timeout" ? "TimeoutError" : (error.code ?? error.kind);
  // Node's own message ("connect ECONNREFUSED 10.0.0.1:443") names the address actually tried.
  const cause = error.cause instanceof Error ? error.cause.message : "";
  const detail = quote(cause || error.message);
  const retryable = TRANSIENT_NETWORK.has(code);
  return new StsError(`Could not call STS ${action} at ${shown}: ${detail}`, {
    action,
    kind: "network",
    code,
    detail,
    retryable,
  });
};

/** The error for a non-200 answer: STS's error document, or whatever else answered (a proxy's page). */
const errorAnswer = (action: StsAction, answer: HttpResponse, shown: string, quote: Quote): StsError => {
  const requestId = answer.headers["x-amzn-requestid"];
  const status = answer.status;
  const error = element(answer.body, "Error");
  const code = field(error, "Code");
  if (code === undefined) {
    // Not STS's error document: a proxy's page, a load balancer's. Only the status says anything.
    const detail = quote(answer.body, 200) || "(no body)";
    const message = `STS ${action} at ${shown} answered HTTP ${status} without an STS error document: ${detail}`;
    const retryable = isRetryableStsAnswer("", status);
    return new StsError(message, {
      action,
      kind: "answer",
      code: `HTTP ${status}`,
      detail,
      retryable,
      status,
      requestId,
    });
  }
  const safeCode = quote(code, 100);
  const detail = quote(field(error, "Message") ?? "");
  const message = `STS ${action} failed with ${safeCode} (HTTP ${status}): ${detail}`;
  const retryable = isRetryableStsAnswer(code, status);
  return new StsError(message, { action, kind: "service", code: safeCode, detail, retryable, status, requestId });
};

/** Reads required fields, or throws the `answer` error naming the first missing one (never a value). */
const required = <const N extends readonly string[]>(
  action: StsAction,
  xml: string | undefined,
  names: N,
  where = "",
) =>
  names.map((name) => {
    const value = field(xml, name);
    if (value) return value;
    throw malformed(action, `answered without ${where}${name}.`);
  }) as { -readonly [K in keyof N]: string };

const assumedRole = (action: StsAction, result: string): StsAssumedRole => {
  const credentials = element(result, "Credentials");
  const keys = ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"] as const;
  const [accessKeyId, secretAccessKey, sessionToken, expiration] = required(action, credentials, keys, "Credentials/");
  const user = element(result, "AssumedRoleUser");
  const [assumedRoleArn, assumedRoleId] = required(action, user, ["Arn", "AssumedRoleId"], "AssumedRoleUser/");
  const expires = new Date(expiration);
  if (Number.isNaN(expires.getTime())) {
    throw malformed(action, `answered with an Expiration that is not a date ("${quoteRemoteText(expiration, 40)}").`);
  }
  return {
    credentials: { accessKeyId, secretAccessKey, sessionToken, expiration: expires },
    assumedRoleArn,
    assumedRoleId,
    accountId: roleOfAssumedRoleArn(assumedRoleArn)?.accountId,
  };
};

// XML: STS's documents are flat and small; fields are read by name inside the expected element, strictly.

const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };

const decodeXml = (text: string): string =>
  text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|quot|apos|amp);/g, (_, entity: string) =>
    entity.startsWith("#x")
      ? String.fromCodePoint(Number.parseInt(entity.slice(2), 16))
      : entity.startsWith("#")
        ? String.fromCodePoint(Number(entity.slice(1)))
        : (ENTITIES[entity] ?? ""),
  );

/** One compiled pattern per element name and kind, made once per process. */
const patterns = new Map<string, RegExp>();
const pattern = (key: string, source: () => string): RegExp => {
  const compiled = patterns.get(key) ?? new RegExp(source());
  patterns.set(key, compiled);
  return compiled;
};

/** The text of the one `<name>` element directly holding text inside `xml`, or `undefined`. */
const field = (xml: string | undefined, name: string): string | undefined => {
  if (xml === undefined) return undefined;
  const match = pattern(`field ${name}`, () => `<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1] === undefined ? undefined : decodeXml(match[1]).trim();
};

/** The inside of the element `<name ...>...</name>`, or `undefined`. */
const element = (xml: string, name: string): string | undefined =>
  pattern(`element ${name}`, () => `<${name}(?:\\s[^>]*)?>([\\s\\S]*)</${name}>`).exec(xml)?.[1];
