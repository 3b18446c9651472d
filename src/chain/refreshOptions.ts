import { DEFAULT_REFRESH_POLICY, type RefreshPolicy } from "../cache/refreshPlan.js";
import { checkMillisecondsOption } from "../config/parseSettings.js";
import { InvalidConfigurationError } from "../errors/InvalidConfigurationError.js";
import type { CredentialEvent } from "./credentialEvent.js";

/**
 * How a provider caches and refreshes credentials, and how it reports what happens.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain } from "pod-credentials";
 * const credentials = fromPodProviderChain({ refreshBeforeMs: 10 * 60_000, onEvent: (event) => console.log(event.type) });
 * ```
 */
export interface RefreshOptions {
  /**
   * Refresh credentials this long before they expire, but never before half their lifetime has passed (so that
   * short-lived credentials are not refreshed at every call). From 0 to 12 hours.
   * @default 300000 (5 minutes)
   */
  refreshBeforeMs?: number | undefined;
  /**
   * The share of the refresh window over which each provider spreads its refresh time at random, so that a fleet of
   * pods started together does not call STS in the same second. From 0.2 to 1.
   * @default 0.5
   */
  refreshJitter?: number | undefined;
  /**
   * While a refresh fails, cached credentials are still served until this long before they expire; past it, calls
   * wait for a refresh and get its error. Must be less than `refreshBeforeMs`.
   * @default 60000 (1 minute)
   */
  expiryMarginMs?: number | undefined;
  /**
   * After a failed resolution, calls within this backoff get the same error at once, without network traffic. It
   * doubles with each consecutive failure up to `maxFailureBackoffMs`. From 1 ms to 1 minute.
   * @default 1000
   */
  failureBackoffMs?: number | undefined;
  /**
   * The longest failure backoff. From `failureBackoffMs` to 10 minutes.
   * @default 30000
   */
  maxFailureBackoffMs?: number | undefined;
  /**
   * Receives an event for each resolution, refresh, failure, stale serving and expiry, with source, role and
   * expiration but no secrets. Exceptions it throws are logged at warn and otherwise ignored.
   * @default undefined
   */
  onEvent?: ((event: CredentialEvent) => void) | undefined;
}

const HOUR = 3_600_000;

/** Checks the refresh options and fills in the defaults. */
export const refreshPolicy = (options: RefreshOptions): RefreshPolicy => {
  const defaults = DEFAULT_REFRESH_POLICY;
  const refreshBeforeMs = checkMillisecondsOption(
    "refreshBeforeMs",
    options.refreshBeforeMs ?? defaults.refreshBeforeMs,
    0,
    12 * HOUR,
  );
  const jitterRatio = options.refreshJitter ?? defaults.jitterRatio;
  if (!(typeof jitterRatio === "number" && jitterRatio >= 0.2 && jitterRatio <= 1)) {
    throw new InvalidConfigurationError(
      "option refreshJitter",
      "expected a number from 0.2 to 1.",
      "pass a share such as 0.5.",
    );
  }
  const expiryMarginMs = checkMillisecondsOption(
    "expiryMarginMs",
    options.expiryMarginMs ?? defaults.expiryMarginMs,
    0,
    12 * HOUR,
  );
  if (refreshBeforeMs > 0 && expiryMarginMs >= refreshBeforeMs) {
    throw new InvalidConfigurationError(
      "option expiryMarginMs",
      `must be less than refreshBeforeMs (${refreshBeforeMs} ms), or credentials would never be refreshed ahead.`,
      "lower expiryMarginMs or raise refreshBeforeMs.",
    );
  }
  const failureBackoffMs = checkMillisecondsOption(
    "failureBackoffMs",
    options.failureBackoffMs ?? defaults.failureBackoffMs,
    1,
    60_000,
  );
  const maxFailureBackoffMs = checkMillisecondsOption(
    "maxFailureBackoffMs",
    options.maxFailureBackoffMs ?? defaults.maxFailureBackoffMs,
    failureBackoffMs,
    10 * 60_000,
  );
  return { refreshBeforeMs, jitterRatio, expiryMarginMs, failureBackoffMs, maxFailureBackoffMs };
};
