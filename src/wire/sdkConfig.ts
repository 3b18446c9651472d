import { readFile } from "node:fs/promises";
import { homedir, platform, release } from "node:os";
import { join } from "node:path";
import type { Pluggable } from "@smithy/types";
import type { Environment } from "../base/settings.js";

// The SDK's rules for its STS client's settings: for the client `fromIni` builds for role profiles (passed to it by
// `isolatedSdkConfig` when a provider has its own `env`) and for IRSA's own (src/wire/sts.ts).

/** A caller's client configuration, as the SDK passes it to a credential provider. */
export interface CallerClientConfig {
  region?: unknown;
  userAgentAppId?: unknown;
  [key: string]: unknown;
}

/**
 * The one warning for an STS call without a region, whichever call it is (IRSA's, identity verification, role
 * chaining, a role profile's): `isolated` when the provider was given its own `env`, so no config file was read.
 */
export const stsRegionWarning = (isolated: boolean): string =>
  "pod-credentials: no region for STS (no region option, none from the calling client, AWS_REGION not set " +
  `${isolated ? "in the given environment" : "nor in the shared config file"}): using us-east-1, as the SDK does. ` +
  "Pass the region option or set AWS_REGION.";

/** Whether the provider was given its own `env`: then neither we nor the SDK may read `process.env` or `~/.aws`. */
export const isIsolated = (env: Environment): boolean => env !== process.env;

/**
 * The SDK's boolean variables: `true` or `false`; anything else counts as unset (the SDK's loader fails on it, then
 * moves on to the shared config file and the default).
 */
export const sdkFlag = (env: Environment, name: string): boolean | undefined =>
  env[name] === "true" ? true : env[name] === "false" ? false : undefined;

/**
 * The region of an STS call, by the one rule of every STS call of a provider: the `region` option, the calling
 * client's (a value or an async provider), then `AWS_REGION`; `undefined` when none is set (the caller warns).
 */
export const stsRegion = async (option: string | undefined, caller: unknown, env: Environment) => {
  const callerRegion = await (typeof caller === "function" ? (caller as () => unknown)() : caller);
  return (
    option ??
    (typeof callerRegion === "string" && callerRegion ? callerRegion : undefined) ??
    (env.AWS_REGION?.trim() || undefined)
  );
};

/** Where the SDK sends STS calls when no endpoint is passed: `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`. */
const configuredEndpoint = (env: Environment): string | undefined =>
  sdkFlag(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") ? undefined : env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL;

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
    const found = await stsRegion(options.region, caller?.region, env);
    if (found !== undefined) return found;
    warnRegion(stsRegionWarning(true));
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

/** A profile's settings in a shared config file: `key` and, for a nested block, `key.sub`. */
type IniSection = Record<string, string>;

/**
 * The sections of an AWS config file, by name as the SDK names them: `default` and `profile NAME` as `NAME`,
 * `services NAME` as `services NAME`; other sections are ignored, as the SDK ignores them. As in the SDK's parser,
 * a header is `[default]` or a kind, one space and a name, which may be quoted (`[profile "x"]`), and a
 * `[profile default]` section replaces a `[default]` one wherever it is. Indented lines under a key with no value
 * (`sts =`) are that key's nested settings. In the shared credentials file, `[NAME]` is the profile NAME.
 */
export const parseConfigFile = (
  text: string,
  file: "config" | "credentials" = "config",
): Record<string, IniSection> => {
  const byHeader: Record<string, IniSection> = Object.create(null);
  let current: IniSection | undefined;
  let parent: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)[#;].*$/, "").trimEnd();
    const header = /^\s*\[(.*)\]$/.exec(line)?.[1];
    if (header !== undefined) {
      // The SDK refuses such a file whole (its loader then reads nothing from it); so do we.
      if (REFUSED_HEADERS.has(header)) return {};
      current = sectionIn(byHeader, file === "config" ? sectionKey(header) : credentialsSectionKey(header));
      parent = undefined;
      continue;
    }
    const [, indent = "", key = "", value = ""] = /^(\s*)([^=\s][^=]*?)\s*=\s*(.*)$/.exec(line) ?? [];
    if (current === undefined || key === "") continue;
    const nested = indent !== "" && parent !== undefined;
    if (nested) current[`${parent}.${key}`] = value.trim();
    else if (value.trim() === "") parent = key;
    else [current[key], parent] = [value.trim(), undefined];
  }
  return namedAsTheSdk(byHeader);
};

/** `profile NAME` → `NAME`, with a `[profile default]` section replacing a `[default]` one. */
const namedAsTheSdk = (byHeader: Record<string, IniSection>): Record<string, IniSection> => {
  const sections: Record<string, IniSection> = Object.create(null);
  for (const [key, section] of Object.entries(byHeader)) {
    if (key.startsWith("profile ")) sections[key.slice("profile ".length)] = section;
    else if (key !== "default" || byHeader["profile default"] === undefined) sections[key] = section;
  }
  return sections;
};

/** The section named `key`, opened at its first header: a repeated header adds to it, as in the SDK. */
const sectionIn = (byHeader: Record<string, IniSection>, key: string | undefined): IniSection | undefined => {
  if (key === undefined) return undefined;
  byHeader[key] ??= {};
  return byHeader[key];
};

const REFUSED_HEADERS = new Set(["__proto__", "profile __proto__"]);

/** A header as the SDK's parser splits it: a kind, one space, a name that may be quoted. */
const KIND_AND_NAME = /^([\w-]+)\s(["']?)([\w@+.%:/-]+)\2$/;

/** `default`, `profile NAME`, `services NAME` (quotes dropped), as the SDK's parser reads a header; else `undefined`. */
const sectionKey = (header: string): string | undefined => {
  if (header === "default") return "default";
  const [, kind, , name] = KIND_AND_NAME.exec(header) ?? [];
  return kind === "profile" || kind === "services" ? `${kind} ${name}` : undefined;
};

/** In the credentials file, `[NAME]` is the profile NAME; a header with a kind (`[profile x]`) names none. */
const credentialsSectionKey = (header: string): string | undefined =>
  KIND_AND_NAME.test(header) ? undefined : `profile ${header}`;

/** A shared file's text: the variable's path (`~/` expanded), else `~/.aws/NAME`; `undefined` when unreadable. */
const readSharedFile = (named: string | undefined, name: string): Promise<string | undefined> => {
  const file = named?.trim() || join(homedir(), ".aws", name);
  const path = file.startsWith("~/") ? join(homedir(), file.slice(2)) : file;
  return readFile(path, "utf8").catch(() => undefined);
};

/**
 * What the SDK's STS client would take from the shared config file (`AWS_CONFIG_FILE`, else `~/.aws/config`) for
 * the profile `AWS_PROFILE` (else `default`), under the names of the variables that win over it: the region,
 * `use_fips_endpoint`, `use_dualstack_endpoint`, `ignore_configured_endpoint_urls`, and the endpoint (the profile's
 * `services` section's `sts` `endpoint_url`, else its `endpoint_url`), which counts only when neither endpoint
 * variable is set. The shared credentials file's profile (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`)
 * counts too, under the config file's, as in the SDK. Empty when there is no such file, and always with an `env`
 * option (nothing outside it is read).
 */
export const stsSettingsFromConfigFile = async (env: Environment): Promise<Environment> => {
  if (isIsolated(env)) return {};
  const [config, credentials] = await Promise.all([
    readSharedFile(env.AWS_CONFIG_FILE, "config"),
    readSharedFile(env.AWS_SHARED_CREDENTIALS_FILE, "credentials"),
  ]);
  const sections = config === undefined ? {} : parseConfigFile(config);
  const name = env.AWS_PROFILE?.trim() || "default";
  // The SDK merges the profile of both files, the config file's settings winning (`fromSharedConfigFiles`).
  const inCredentials = credentials === undefined ? {} : parseConfigFile(credentials, "credentials")[name];
  const profile: IniSection = { ...inCredentials, ...sections[name] };
  const services = profile.services === undefined ? {} : sections[`services ${profile.services}`];
  // A profile naming a services section the file lacks is an error to the SDK, which then takes no endpoint from
  // the file at all, not even the profile's own `endpoint_url`.
  const endpoint = services === undefined ? undefined : (services["sts.endpoint_url"] ?? profile.endpoint_url);
  const entries: [string, string | undefined][] = [
    ["AWS_REGION", profile.region],
    ["AWS_USE_FIPS_ENDPOINT", profile.use_fips_endpoint],
    ["AWS_USE_DUALSTACK_ENDPOINT", profile.use_dualstack_endpoint],
    ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", profile.ignore_configured_endpoint_urls],
    ["AWS_ENDPOINT_URL_STS", env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL ? undefined : endpoint],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined && value !== ""));
};
