import { PodCredentialsError } from "./PodCredentialsError.js";

/**
 * An option or a `POD_CREDENTIALS_*` environment variable has a value the library cannot use (an unknown source
 * name, a timeout that is not a number). Thrown when the provider is created, not at the first call.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain, isPodCredentialsError } from "pod-credentials";
 * try {
 *   fromPodProviderChain({ sources: ["webIdentity", "imds" as never] });
 * } catch (error) {
 *   if (isPodCredentialsError(error, "InvalidConfigurationError")) console.error(error.setting);
 * }
 * ```
 */
export class InvalidConfigurationError extends PodCredentialsError {
  /** Always `"InvalidConfigurationError"`: match errors by name, which works across two copies of the package. */
  override name = "InvalidConfigurationError";
  /** The option or environment variable at fault. */
  readonly setting: string;

  constructor(setting: string, problem: string, fix: string) {
    super(`${setting}: ${problem}`, { fix });
    this.setting = setting;
  }
}
