/** Where a setting came from: an option passed in code, or the environment variable of that name. */
export interface SettingValue<T = string> {
  readonly value: T;
  /** `"option <name>"` or the environment variable's name. Safe to log: it is never the value. */
  readonly from: string;
}

/**
 * The environment a provider reads. Defaults to `process.env`; tests and the doctor pass their own.
 *
 * @example
 * ```ts
 * import { type Environment, fromPodProviderChain } from "pod-credentials";
 * const env: Environment = { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/orders", AWS_WEB_IDENTITY_TOKEN_FILE: "/tmp/token" };
 * const credentials = fromPodProviderChain({ env });
 * ```
 */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The first of an option and an environment variable that is set and not blank, with where it came from.
 * Kubernetes manifests often set variables to `""`; that counts as unset.
 */
export const pickSetting = (
  optionName: string,
  optionValue: string | undefined,
  env: Environment,
  envName: string,
): SettingValue | undefined => {
  if (optionValue !== undefined && optionValue.trim() !== "")
    return { value: optionValue.trim(), from: `option ${optionName}` };
  const fromEnv = env[envName];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return { value: fromEnv.trim(), from: envName };
  return undefined;
};
