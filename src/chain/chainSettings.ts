import type { Logger } from "@smithy/types";
import { DEFAULT_SOURCES, DEFAULT_STARTUP_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from "../config/defaults.js";
import { ENV, OWN_ENV_PREFIX } from "../config/environmentVariables.js";
import {
  checkMillisecondsOption,
  parseBooleanSetting,
  parseMillisecondsSetting,
  parseSourceList,
  splitList,
} from "../config/parseSettings.js";
import { type Environment, pickSetting } from "../config/settingValue.js";
import { consoleLogger, parseLogLevel } from "../logging/loggers.js";
import type { CredentialSource } from "../sources/credentialSource.js";
import { envSource } from "../sources/env/envSource.js";
import { instanceProfileSettings } from "../sources/instanceProfile/instanceProfileSettings.js";
import { instanceProfileSource } from "../sources/instanceProfile/instanceProfileSource.js";
import { kube2iamSettings } from "../sources/kube2iam/kube2iamSettings.js";
import { kube2iamSource } from "../sources/kube2iam/kube2iamSource.js";
import { podIdentitySettings } from "../sources/podIdentity/podIdentitySettings.js";
import { podIdentitySource } from "../sources/podIdentity/podIdentitySource.js";
import { sharedConfigSource } from "../sources/sharedConfig/sharedConfigSource.js";
import type { Source } from "../sources/source.js";
import { webIdentitySettings } from "../sources/webIdentity/webIdentitySettings.js";
import { webIdentitySource } from "../sources/webIdentity/webIdentitySource.js";
import type { PodProviderChainOptions } from "./podProviderChainOptions.js";

const MAX_TIMEOUT_MS = 60_000;
const MAX_STARTUP_TIMEOUT_MS = 15 * 60_000;
/** The default resolution deadline is the start-up window plus this, so the last "not yet" retry can still finish. */
const RESOLUTION_SLACK_MS = 5000;

/** Everything a chain needs, resolved and checked once, when the provider is created. */
export interface ChainSettings {
  readonly sources: readonly Source[];
  readonly allowNodeCredentials: boolean;
  readonly logger: Logger;
  readonly env: Environment;
  /** The overall deadline of one resolution. */
  readonly resolutionTimeoutMs: number;
  /** Warnings about the configuration, logged once when the provider is created. */
  readonly warnings: readonly string[];
}

/**
 * Resolves options and environment into {@link ChainSettings}. Throws `InvalidConfigurationError` for an unknown
 * source name or a bad value in any `POD_CREDENTIALS_*` variable, so a broken configuration fails at start-up.
 */
export const chainSettings = (options: PodProviderChainOptions = {}): ChainSettings => {
  const env = options.env ?? process.env;
  const logger = options.logger ?? defaultLogger(env);
  const names = sourceOrder(options, env);
  const allowNodeSetting = pickSetting("allowNodeCredentials", undefined, env, ENV.allowNode);
  const allowNodeCredentials =
    options.allowNodeCredentials ?? (allowNodeSetting ? parseBooleanSetting(allowNodeSetting) : false);
  const timing = {
    timeoutMs: milliseconds("timeoutMs", options.timeoutMs, env, ENV.timeoutMs, DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS),
    startupTimeoutMs: milliseconds(
      "startupTimeoutMs",
      options.startupTimeoutMs,
      env,
      ENV.startupTimeoutMs,
      DEFAULT_STARTUP_TIMEOUT_MS,
      0,
      MAX_STARTUP_TIMEOUT_MS,
    ),
  };
  const resolutionTimeoutMs = milliseconds(
    "resolutionTimeoutMs",
    options.resolutionTimeoutMs,
    env,
    ENV.resolutionTimeoutMs,
    timing.startupTimeoutMs + RESOLUTION_SLACK_MS,
    timing.timeoutMs,
    MAX_STARTUP_TIMEOUT_MS + RESOLUTION_SLACK_MS,
  );
  const build: Record<CredentialSource, () => Source> = {
    webIdentity: () => webIdentitySource(webIdentitySettings(options, env, timing.timeoutMs)),
    podIdentity: () => podIdentitySource(podIdentitySettings(options, env, timing)),
    kube2iam: () => kube2iamSource(kube2iamSettings(options, env, timing)),
    instanceProfile: () => instanceProfileSource(instanceProfileSettings(options, env, timing.timeoutMs)),
    env: () => envSource(env),
    sharedConfig: () => sharedConfigSource(env),
  };
  return {
    sources: names.map((name) => build[name]()),
    allowNodeCredentials,
    logger,
    env,
    resolutionTimeoutMs,
    warnings: configurationWarnings(names, env),
  };
};

const defaultLogger = (env: Environment): Logger => {
  const level = pickSetting("logLevel", undefined, env, ENV.logLevel);
  return consoleLogger(level ? parseLogLevel(level.from, level.value) : "info");
};

const sourceOrder = (options: PodProviderChainOptions, env: Environment): CredentialSource[] => {
  if (options.sources !== undefined) return parseSourceList("option sources", options.sources);
  const fromEnv = pickSetting("sources", undefined, env, ENV.sources);
  return fromEnv ? parseSourceList(fromEnv.from, splitList(fromEnv.value)) : [...DEFAULT_SOURCES];
};

const milliseconds = (
  name: string,
  option: number | undefined,
  env: Environment,
  envName: string,
  fallback: number,
  min: number,
  max: number,
): number => {
  if (option !== undefined) return checkMillisecondsOption(name, option, min, max);
  const fromEnv = pickSetting(name, undefined, env, envName);
  return fromEnv ? parseMillisecondsSetting(fromEnv, min, max) : fallback;
};

const KNOWN_OWN_VARIABLES = new Set<string>(Object.values(ENV).filter((name) => name.startsWith(OWN_ENV_PREFIX)));

const configurationWarnings = (names: readonly CredentialSource[], env: Environment): string[] => {
  const warnings: string[] = [];
  if (env[ENV.accessKeyId]?.trim() && !names.includes("env")) {
    warnings.push(
      `pod-credentials: ${ENV.accessKeyId} is set but ignored: static keys are only used when "env" is in ` +
        `${ENV.sources}. (The SDK's default chain would let them silently override the pod's own identity.)`,
    );
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith(OWN_ENV_PREFIX) && !KNOWN_OWN_VARIABLES.has(name)) {
      warnings.push(
        `pod-credentials: unknown variable ${name} is ignored (a typo?). Known: ${[...KNOWN_OWN_VARIABLES].join(", ")}.`,
      );
    }
  }
  return warnings;
};
