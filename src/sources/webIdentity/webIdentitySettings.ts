import { hostname } from "node:os";
import { ENV } from "../../config/environmentVariables.js";
import { type Environment, pickSetting, type SettingValue } from "../../config/settingValue.js";
import type { WebIdentityOptions } from "./webIdentityOptions.js";

/** The `webIdentity` source's settings, resolved from options and environment. */
export interface WebIdentitySettings {
  readonly tokenFile: SettingValue | undefined;
  readonly roleArn: SettingValue | undefined;
  readonly roleSessionName: string;
  readonly region: string | undefined;
  /** The connection timeout of each STS request. */
  readonly timeoutMs: number;
}

const SESSION_NAME_MAX = 64;

/** `pod-credentials-<hostname>`, reduced to the characters STS accepts in a session name (`[\w+=,.@-]`, 2–64). */
export const defaultRoleSessionName = (host: string = hostname()): string => {
  const safeHost = host.replace(/[^\w+=,.@-]/g, "-");
  return `pod-credentials-${safeHost}`.slice(0, SESSION_NAME_MAX);
};

export const webIdentitySettings = (
  options: WebIdentityOptions,
  env: Environment,
  timeoutMs: number,
): WebIdentitySettings => ({
  tokenFile: pickSetting("webIdentityTokenFile", options.webIdentityTokenFile, env, ENV.webIdentityTokenFile),
  roleArn: pickSetting("roleArn", options.roleArn, env, ENV.roleArn),
  roleSessionName:
    pickSetting("roleSessionName", options.roleSessionName, env, ENV.roleSessionName)?.value ??
    defaultRoleSessionName(),
  region: options.region,
  timeoutMs,
});
