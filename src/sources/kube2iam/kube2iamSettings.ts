import { DEFAULT_ANNOTATIONS_FILE } from "../../config/defaults.js";
import { ENV } from "../../config/environmentVariables.js";
import type { RequestTiming } from "../../config/requestTiming.js";
import { type Environment, pickSetting, type SettingValue } from "../../config/settingValue.js";
import { metadataEndpoint } from "../../metadata/metadataEndpoint.js";
import type { Kube2iamOptions } from "./kube2iamOptions.js";

/** The `kube2iam` source's settings, resolved from options and environment. */
export interface Kube2iamSettings extends RequestTiming {
  readonly expectedRole: SettingValue | undefined;
  /** The annotations file, and whether someone named it (then a missing file is an error, not an absence). */
  readonly annotationsFile: SettingValue & { readonly explicit: boolean };
  readonly endpoint: SettingValue;
}

export const kube2iamSettings = (
  options: Kube2iamOptions,
  env: Environment,
  timing: RequestTiming,
): Kube2iamSettings => {
  const file = pickSetting("annotationsFile", options.annotationsFile, env, ENV.annotationsFile);
  return {
    expectedRole: pickSetting("expectedRole", options.expectedRole, env, ENV.role),
    annotationsFile: file
      ? { ...file, explicit: true }
      : { value: DEFAULT_ANNOTATIONS_FILE, from: "the default annotations file", explicit: false },
    endpoint: metadataEndpoint(options.metadataEndpoint, env),
    ...timing,
  };
};
