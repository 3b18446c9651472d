import { ENV } from "../../config/environmentVariables.js";
import type { Environment, SettingValue } from "../../config/settingValue.js";
import { metadataEndpoint } from "../../metadata/metadataEndpoint.js";
import type { NodeInstanceProfileOptions } from "./instanceProfileOptions.js";

/** The `instanceProfile` source's settings, resolved from options and environment. */
export interface InstanceProfileSettings {
  readonly endpoint: SettingValue;
  /** `AWS_EC2_METADATA_V1_DISABLED=true`: never fall back to IMDSv1. */
  readonly v1Disabled: boolean;
  readonly timeoutMs: number;
}

export const instanceProfileSettings = (
  options: NodeInstanceProfileOptions,
  env: Environment,
  timeoutMs: number,
): InstanceProfileSettings => ({
  endpoint: metadataEndpoint(options.metadataEndpoint, env),
  v1Disabled: env[ENV.metadataV1Disabled]?.trim().toLowerCase() === "true",
  timeoutMs,
});
