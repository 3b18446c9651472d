import { platform, release } from "node:os";
import type { fromWebToken as FromWebToken } from "@aws-sdk/credential-provider-web-identity";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import type { Pluggable } from "@smithy/types";
import type { Environment } from "../base/settings.js";

// The settings the SDK's STS client (`@aws-sdk/nested-clients`, built by `fromWebToken` and by `fromIni` for role
// profiles) reads from `process.env` and `~/.aws` by itself. When a provider is given its own `env`, they are resolved
// here from that environment, with the SDK's rules, and passed to the SDK explicitly, so it reads neither. Also the SDK
// pieces the STS exchange loads (`loadIrsaModules`) and the HTTP handler it is given.

/** A caller's client configuration, as the SDK passes it to a credential provider. */
export interface CallerClientConfig {
  region?: unknown;
  userAgentAppId?: unknown;
  [key: string]: unknown;
}

/** Whether the provider was given its own `env`: then neither we nor the SDK may read `process.env` or `~/.aws`. */
export const isIsolated = (env: Environment): boolean => env !== process.env;

/**
 * The SDK's boolean variables: `true` or `false`; anything else counts as unset (the SDK's loader fails on it, then
 * moves on to the shared config file and the default).
 */
const sdkFlag = (env: Environment, name: string): boolean | undefined =>
  env[name] === "true" ? true : env[name] === "false" ? false : undefined;

/** Where the SDK sends STS calls when no endpoint is passed: `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`. */
const configuredEndpoint = (env: Environment): string | undefined =>
  sdkFlag(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") ? undefined : env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL;

const settled = async (setting: unknown): Promise<unknown> => (typeof setting === "function" ? setting() : setting);

/**
 * Every setting the SDK's STS client (`@aws-sdk/nested-clients`) would read from `process.env` or `~/.aws`, resolved
 * from `env` with the SDK's own rules and passed explicitly, so that it reads neither: region (option, the calling
 * client's, `AWS_REGION`, else us-east-1 with a warning through our logger, not the SDK's console warning), endpoint
 * (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`), `AWS_USE_FIPS_ENDPOINT`,
 * `AWS_USE_DUALSTACK_ENDPOINT`, `AWS_RETRY_MODE`, `AWS_AUTH_SCHEME_PREFERENCE`, `AWS_SDK_UA_APP_ID`, and the two it
 * reads at every request: `AWS_EXECUTION_ENV` (User-Agent) and `AWS_LAMBDA_FUNCTION_NAME` with `_X_AMZN_TRACE_ID`
 * (the recursion-detection header). Profiles and shared config files are not read at all.
 */
export const isolatedSdkConfig = async (
  env: Environment,
  options: {
    region?: string | undefined;
    caller: CallerClientConfig | undefined;
    warnRegion(message: string): void;
  },
) => {
  const { caller, warnRegion } = options;
  // A function, called only when the SDK needs a region: fromIni's role profiles use their own region first.
  const region = async (): Promise<string> => {
    const callerRegion = await settled(caller?.region);
    const found =
      options.region ??
      (typeof callerRegion === "string" && callerRegion ? callerRegion : undefined) ??
      (env.AWS_REGION?.trim() || undefined);
    if (found !== undefined) return found;
    warnRegion(
      "pod-credentials: no region for STS (no region option, none from the calling client, AWS_REGION not set in the " +
        "given environment): using us-east-1, as the SDK does. Pass the region option or set AWS_REGION.",
    );
    return "us-east-1";
  };
  const endpoint = configuredEndpoint(env);
  const preference = env.AWS_AUTH_SCHEME_PREFERENCE;
  const appId = caller?.userAgentAppId ?? (async () => env.AWS_SDK_UA_APP_ID);
  const execEnv = env.AWS_EXECUTION_ENV;
  const regionSet = env.AWS_SIGV4A_SIGNING_REGION_SET || undefined;
  return {
    clientConfig: {
      region,
      ...(endpoint ? { endpoint } : { ignoreConfiguredEndpointUrls: true }),
      useFipsEndpoint: sdkFlag(env, "AWS_USE_FIPS_ENDPOINT") ?? false,
      useDualstackEndpoint: sdkFlag(env, "AWS_USE_DUALSTACK_ENDPOINT") ?? false,
      retryMode: env.AWS_RETRY_MODE || "standard",
      disableClockSkewCorrection: sdkFlag(env, "AWS_DISABLE_CLOCK_SKEW_CORRECTION") ?? false,
      sigv4aSigningRegionSet: async () => regionSet?.split(",").map((name) => name.trim()),
      authSchemePreference: preference ? preference.split(",").map((scheme) => scheme.trim()) : [],
      userAgentAppId: appId,
      // The SDK's sections but its version (known only inside its bundle), with AWS_EXECUTION_ENV from `env`.
      defaultUserAgentProvider: async () => [
        ["aws-sdk-js"],
        ["ua", "2.1"],
        [`os/${platform()}`, release()],
        ["lang/js"],
        ["md/nodejs", process.versions.node],
        ["api/sts"],
        ...(execEnv ? [[`exec-env/${execEnv}`]] : []),
      ],
    },
    clientPlugins: [recursionDetectionFrom(env)],
  };
};

/** The SDK's recursion-detection middleware (a Lambda trace header), reading `env` instead of `process.env`. */
const recursionDetectionFrom = (env: Environment): Pluggable<object, object> => ({
  applyToStack(stack) {
    stack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers?: Record<string, string> } | undefined)?.headers;
        const traceId = env._X_AMZN_TRACE_ID;
        const present = Object.keys(headers ?? {}).some((name) => name.toLowerCase() === "x-amzn-trace-id");
        if (headers && !present && env.AWS_LAMBDA_FUNCTION_NAME && traceId) headers["X-Amzn-Trace-Id"] = traceId;
        return next(args);
      },
      { step: "build", name: "recursionDetectionMiddleware", override: true, priority: "low" },
    );
  },
});

/** What the STS exchange loads: the SDK's `fromWebToken` (its STS client comes later, at its first call) and its HTTP handler. */
interface IrsaModules {
  readonly fromWebToken: typeof FromWebToken;
  readonly NodeHttpHandler: typeof NodeHttpHandler;
}

let irsaModules: Promise<IrsaModules> | undefined;

/**
 * Loads what the STS exchange needs, once per process; every caller shares the one promise. Started when a provider
 * is created with IRSA configured, so that the load overlaps the application's own start-up instead of delaying its
 * first credentials. A failed load is not reported there: it rejects again wherever the modules are used.
 */
export const loadIrsaModules = (): Promise<IrsaModules> => {
  if (!irsaModules) {
    irsaModules = Promise.all([
      import("@aws-sdk/credential-provider-web-identity"),
      import("@smithy/node-http-handler"),
    ]).then(([webIdentity, http]) => ({
      fromWebToken: webIdentity.fromWebToken,
      NodeHttpHandler: http.NodeHttpHandler,
    }));
    irsaModules.catch(() => {}); // a load nobody awaits yet is no unhandled rejection
  }
  return irsaModules;
};

/**
 * The SDK's own `NodeHttpHandler` with our timeouts and without keep-alive: its connection closes with each answer, so
 * a handler kept by the provider between resolutions holds no socket that would keep the process alive.
 * Loaded with `loadIrsaModules`: importing `@smithy/node-http-handler` alone costs 50-90 ms in a cold process, which a
 * pod without IRSA should not pay.
 */
export const createRequestHandler = async (timeouts: {
  connectionTimeout: number;
  requestTimeout: number;
}): Promise<NodeHttpHandler> => {
  const { NodeHttpHandler } = await loadIrsaModules();
  return new NodeHttpHandler({
    ...timeouts,
    throwOnRequestTimeout: true,
    httpAgent: { keepAlive: false },
    httpsAgent: { keepAlive: false },
  });
};

/**
 * `handler` with every request tied to `signal` (one resolution's): `fromWebToken` takes no abort signal, and without
 * one a hanging or trickling STS keeps its connection (and the process) alive after the resolution's deadline
 * (measured: ~5 s for a hanging STS, forever for a trickling one). A signal the SDK passes for one request takes its
 * place. The handler itself is not changed: the result delegates everything else to it.
 */
export const withAbortSignal = (handler: NodeHttpHandler, signal: AbortSignal | undefined): NodeHttpHandler => {
  if (!signal) return handler;
  const tied: NodeHttpHandler = Object.create(handler);
  tied.handle = (request, options = {}) =>
    handler.handle(request, { ...options, abortSignal: options.abortSignal ?? signal });
  return tied;
};

/** A new handler (`createRequestHandler`) whose requests are tied to `signal` (`withAbortSignal`). */
export const abortableRequestHandler = async (
  signal: AbortSignal | undefined,
  timeouts: { connectionTimeout: number; requestTimeout: number },
): Promise<NodeHttpHandler> => withAbortSignal(await createRequestHandler(timeouts), signal);
