import { DEFAULT_CONTAINER_HOST } from "../../config/defaults.js";
import { ENV } from "../../config/environmentVariables.js";
import type { RequestTiming } from "../../config/requestTiming.js";
import { type Environment, pickSetting, type SettingValue } from "../../config/settingValue.js";
import type { PodIdentityAgentOptions } from "./podIdentityOptions.js";

/** The `podIdentity` source's settings, resolved from options and environment. */
export interface PodIdentitySettings extends RequestTiming {
  /** The endpoint URL as configured (a relative URI already joined to 169.254.170.2), and what set it. */
  readonly url: SettingValue | undefined;
  readonly tokenFile: SettingValue | undefined;
  readonly token: SettingValue | undefined;
}

export const podIdentitySettings = (
  options: PodIdentityAgentOptions,
  env: Environment,
  timing: RequestTiming,
): PodIdentitySettings => {
  const relative = pickSetting(
    "containerCredentialsRelativeUri",
    options.containerCredentialsRelativeUri,
    env,
    ENV.containerRelativeUri,
  );
  const full = pickSetting(
    "containerCredentialsFullUri",
    options.containerCredentialsFullUri,
    env,
    ENV.containerFullUri,
  );
  return {
    url: relative ? { value: `${DEFAULT_CONTAINER_HOST}${relative.value}`, from: relative.from } : full,
    tokenFile: pickSetting(
      "containerAuthorizationTokenFile",
      options.containerAuthorizationTokenFile,
      env,
      ENV.containerTokenFile,
    ),
    token: pickSetting("containerAuthorizationToken", options.containerAuthorizationToken, env, ENV.containerToken),
    ...timing,
  };
};
