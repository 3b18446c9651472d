// Where every STS call of a provider goes: IRSA's AssumeRoleWithWebIdentity and the chain's own GetCallerIdentity
// (identity verification) and AssumeRole (role chaining). One module, so that they cannot disagree with each other or
// with the SDK's STS client: the same region rule, the shared config file's values, HTTPS_PROXY, the same User-Agent
// sections and trace header, one bound per attempt, tied to the resolution's deadline.
import type { Settings } from "../base/settings.js";
import { proxyFor } from "./http.js";
import { isIsolated, stsRegionWarning, stsSettingsFromConfigFile } from "./sdkConfig.js";
import { resolveStsEndpoint, type StsAction, type StsTransport, stsHeaders } from "./sts.js";

/** STS answers within a few hundred milliseconds; past this, one attempt is abandoned (the deadline still rules). */
const STS_REQUEST_TIMEOUT_MS = 5000;

/** What STS calls read from the environment: region, endpoint, proxy, User-Agent and trace header. */
const STS_VARIABLES = [
  "AWS_REGION",
  "AWS_ENDPOINT_URL_STS",
  "AWS_ENDPOINT_URL",
  "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
  "AWS_USE_FIPS_ENDPOINT",
  "AWS_USE_DUALSTACK_ENDPOINT",
  "https_proxy",
  "HTTPS_PROXY",
  "http_proxy",
  "HTTP_PROXY",
  "no_proxy",
  "NO_PROXY",
  "AWS_EXECUTION_ENV",
  "AWS_SDK_UA_APP_ID",
  "AWS_LAMBDA_FUNCTION_NAME",
  "_X_AMZN_TRACE_ID",
];

/** Flags the SDK reads only as `true` or `false`; any other value of the variable is skipped for the file's. */
const FLAGS = new Set(["AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]);

/**
 * A variable's value as the SDK's config chain takes it (`loadConfig`: the environment, then the shared config file):
 * an empty value is unset, and a flag that is neither `true` nor `false` fails its selector, so the file's value
 * counts (`AWS_USE_FIPS_ENDPOINT=yes` with `use_fips_endpoint = true` in the profile is FIPS).
 */
const usableIn =
  (env: Settings["env"], fromFile: Settings["env"]) =>
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
  let fromConfigFile: Promise<Settings["env"]> | undefined;
  let regionWarned = false;
  const transport: StsTransportFor = async (action, context) => {
    fromConfigFile ??= stsSettingsFromConfigFile(settings.env);
    const fromFile = await fromConfigFile;
    const settingOf = usableIn(settings.env, fromFile);
    const env = Object.fromEntries(STS_VARIABLES.map((name) => [name, settingOf(name)]));
    const caller = context.identityProperties?.callerClientConfig?.region;
    const callerRegion = typeof caller === "function" ? await (caller as () => Promise<unknown>)() : caller;
    const region =
      settings.region ??
      (typeof callerRegion === "string" && callerRegion ? callerRegion : undefined) ??
      (env.AWS_REGION?.trim() || undefined);
    if (region === undefined && !regionWarned) context.logger.warn(stsRegionWarning(isIsolated(settings.env)));
    regionWarned ||= region === undefined;
    const endpoint = resolveStsEndpoint(region ?? "us-east-1", env, action);
    return {
      endpoint,
      timeoutMs: STS_REQUEST_TIMEOUT_MS,
      signal: context.signal,
      proxy: proxyFor(endpoint.url, env),
      headers: stsHeaders(env),
    };
  };
  transports.set(settings, transport);
  return transport;
};

/** The fix for an STS call of the chain's that failed for a reason of the transport or of the credentials. */
export const stsFailureFix = (
  error: { readonly kind: string; readonly code: string; readonly retryable: boolean },
  notAccepted: string,
): string | undefined => {
  if (error.kind === "network") {
    return "check network access to STS (egress, HTTPS_PROXY, AWS_ENDPOINT_URL_STS) and AWS_REGION (or the region option).";
  }
  if (error.kind === "configuration") {
    return "check AWS_REGION (or the region option), AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT and AWS_ENDPOINT_URL_STS; the AWS SDK refuses this combination too.";
  }
  if (["InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "IncompleteSignature"].includes(error.code)) {
    return notAccepted;
  }
  if (error.code === "RegionDisabledException") {
    return "STS is not activated in this region: activate it in IAM account settings, or set AWS_REGION to another region.";
  }
  if (error.retryable)
    return "STS is busy; the call is retried within the resolution deadline. If it persists, check STS's health in this region.";
  return undefined;
};
