import { ENV } from "../../config/environmentVariables.js";
import type { Environment, SettingValue } from "../../config/settingValue.js";
import { metadataEndpoint } from "../../metadata/metadataEndpoint.js";
import type { NodeInstanceProfileOptions } from "./instanceProfileOptions.js";

/** The `instanceProfile` source's settings, resolved from options and environment. */
export interface InstanceProfileSettings {
  readonly endpoint: SettingValue;
  /** `AWS_EC2_METADATA_V1_DISABLED=true`: never fall back to IMDSv1. */
  readonly v1Disabled: boolean;
  /** `AWS_EC2_METADATA_DISABLED` set to anything but `false`, as the SDK reads it: the source is then not used. */
  readonly metadataDisabled: boolean;
  readonly timeoutMs: number;
}

export const instanceProfileSettings = (
  options: NodeInstanceProfileOptions,
  env: Environment,
  timeoutMs: number,
): InstanceProfileSettings => ({
  endpoint: metadataEndpoint(options.metadataEndpoint, env),
  v1Disabled: env[ENV.metadataV1Disabled]?.trim().toLowerCase() === "true",
  metadataDisabled: isMetadataDisabled(env[ENV.metadataDisabled]),
  timeoutMs,
});

/** The SDK's rule: any value but "false" (and unset) disables the instance metadata service. */
const isMetadataDisabled = (value: string | undefined): boolean =>
  value !== undefined && value.trim() !== "" && value.trim().toLowerCase() !== "false";
