import { backoffDelay } from "../utils/backoff.js";

/** How the cache times refreshes; every field is checked by `checkRefreshPolicy` when the provider is created. */
export interface RefreshPolicy {
  /** Refresh this long before expiry (but never before half the lifetime has passed). */
  readonly refreshBeforeMs: number;
  /** The share of the refresh window over which refresh times are spread at random, from 0.2 to 1. */
  readonly jitterRatio: number;
  /** Serve cached credentials until this close to expiry; past it, calls wait for fresh ones. */
  readonly expiryMarginMs: number;
  /** The first failure backoff; it doubles with each consecutive failure. */
  readonly failureBackoffMs: number;
  /** The longest failure backoff. */
  readonly maxFailureBackoffMs: number;
}

export const DEFAULT_REFRESH_POLICY: RefreshPolicy = Object.freeze({
  refreshBeforeMs: 5 * 60_000,
  jitterRatio: 0.5,
  expiryMarginMs: 60_000,
  failureBackoffMs: 1000,
  maxFailureBackoffMs: 30_000,
});

/** When credentials obtained at `obtainedAt` should be refreshed, and until when they may be served. */
export interface RefreshPlan {
  /** From this time on, a call starts a background refresh. */
  readonly refreshAt: number;
  /** Until this time, cached credentials are served; past it, calls wait for the refresh. */
  readonly usableUntil: number;
}

/**
 * Plans the refresh of credentials valid from `obtainedAt` to `expiresAt` (ms since epoch).
 *
 * The refresh window is `refreshBeforeMs` before expiry, but at most half the lifetime, so that short-lived
 * credentials (kiam serves 5 to 15 minutes) are not refreshed at every call. Inside that window the refresh time is
 * spread at random over its first `jitterRatio` (later, never earlier: the half-way bound holds), so a fleet of pods
 * that got credentials in the same second does not call STS in the same second. Credentials are served until
 * `expiryMarginMs` before expiry, or until a quarter of the lifetime is left when that is shorter; never past the
 * refresh window's end.
 */
export const planRefresh = (
  obtainedAt: number,
  expiresAt: number | undefined,
  policy: RefreshPolicy,
  random: () => number = Math.random,
): RefreshPlan => {
  if (expiresAt === undefined) return { refreshAt: Number.POSITIVE_INFINITY, usableUntil: Number.POSITIVE_INFINITY };
  const lifetime = Math.max(0, expiresAt - obtainedAt);
  const window = Math.min(policy.refreshBeforeMs, lifetime / 2);
  const margin = Math.min(policy.expiryMarginMs, lifetime / 4);
  const windowStart = expiresAt - window;
  const latestStart = Math.max(windowStart, expiresAt - margin - 1);
  const jitter = random() * policy.jitterRatio * window;
  return { refreshAt: Math.min(windowStart + jitter, latestStart), usableUntil: expiresAt - margin };
};

/** The backoff after `consecutiveFailures` failures in a row (1 → the initial backoff). */
export const failureBackoff = (consecutiveFailures: number, policy: RefreshPolicy): number =>
  backoffDelay(consecutiveFailures - 1, policy.failureBackoffMs, policy.maxFailureBackoffMs);
