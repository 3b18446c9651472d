import type { AwsCredentialIdentity } from "@smithy/types";
import type { RefreshPolicy } from "../base/settings.js";
import { backoffDelay } from "../base/timing.js";
import type { IdentityProperties } from "../sources/source.js";

/** Whether a load is the first one or a refresh of credentials obtained before. */
export type LoadKind = "initial" | "refresh";

/** What happened to a failed load, for the owner's log lines and events. */
export interface LoadFailure {
  /** Cached credentials are still served (until `usableUntil`) while the refresh is retried. */
  readonly servingCached: boolean;
  /** When cached credentials stop being served, if there are any. */
  readonly usableUntil: number | undefined;
  /** No new load before this time; calls in between get cached credentials, or this failure. */
  readonly retryAt: number;
  readonly consecutiveFailures: number;
}

/** The cache tells its owner what happens, so that the owner logs and emits events; the cache itself stays silent. */
export interface CacheObserver<T> {
  loaded(value: T, kind: LoadKind, refreshCount: number): void;
  loadFailed(error: unknown, failure: LoadFailure): void;
  /** Cached credentials were served after a refresh failed (once per failure). */
  servedStale(value: T): void;
  /** Cached credentials reached the end of their usable time with no replacement (once per set of credentials). */
  expired(value: T): void;
}

/** When credentials obtained at some time should be refreshed, and until when they may be served. */
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

interface Entry<T> {
  readonly value: T;
  /** `Promise.resolve(value.credentials)`, made once. */
  readonly settled: Promise<AwsCredentialIdentity>;
  readonly plan: RefreshPlan;
}

/**
 * Caches credentials and refreshes them ahead of expiry.
 *
 * - A call that finds usable credentials returns them at once with no I/O; past their planned refresh time it also
 *   starts one background refresh. While a refresh fails, cached credentials keep being served until
 *   `expiryMarginMs` before expiry; past that, calls wait for a refresh and get its result or its error.
 * - Single flight: however many callers, at most one load runs at a time, and they all share it.
 * - A failed load is kept for a backoff (1 s, doubling up to 30 s by default): calls within it get the same error
 *   at once, and no new load starts. A forced refresh (`forceRefresh`) respects this backoff too.
 * - Expired credentials are never returned.
 */
export class CredentialCache<T extends { readonly credentials: AwsCredentialIdentity }> {
  #entry: Entry<T> | undefined;
  #failure: { readonly error: unknown; readonly retryAt: number; readonly consecutive: number } | undefined;
  #loading: Promise<T> | undefined;
  #refreshCount = 0;
  #staleReported = false;
  #expiredReported = false;

  constructor(
    private readonly load: (properties: IdentityProperties | undefined, kind: LoadKind) => Promise<T>,
    private readonly policy: RefreshPolicy,
    private readonly observer: CacheObserver<T>,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next planned refresh, and how many refreshes succeeded so far. */
  get status(): { nextRefreshAt: number | undefined; refreshCount: number } {
    const refreshAt = this.#entry?.plan.refreshAt;
    return {
      nextRefreshAt: refreshAt === undefined || !Number.isFinite(refreshAt) ? undefined : refreshAt,
      refreshCount: this.#refreshCount,
    };
  }

  get(properties?: IdentityProperties): Promise<AwsCredentialIdentity> {
    const entry = this.#entry;
    const forced = properties?.forceRefresh === true;
    const now = Date.now();
    // The hot path: fresh credentials, returned as the same settled promise every time (no allocation, no I/O).
    if (entry !== undefined && now < entry.plan.refreshAt && !forced) return entry.settled;
    if (entry && now < entry.plan.usableUntil && !forced) {
      this.#refreshInBackground(properties, now);
      if (this.#failure && !this.#staleReported) {
        this.#staleReported = true;
        this.observer.servedStale(entry.value);
      }
      return entry.settled;
    }
    if (entry && now >= entry.plan.usableUntil && !this.#expiredReported) {
      this.#expiredReported = true;
      this.observer.expired(entry.value);
    }
    if (this.#failure && now < this.#failure.retryAt && !this.#loading) return Promise.reject(this.#failure.error);
    return this.#loadShared(properties).then((value) => value.credentials);
  }

  #refreshInBackground(properties: IdentityProperties | undefined, now: number): void {
    if (this.#loading || (this.#failure && now < this.#failure.retryAt)) return;
    // The failure is reported to the observer; callers keep getting the cached credentials meanwhile.
    this.#loadShared(properties).catch(() => {});
  }

  #loadShared(properties: IdentityProperties | undefined): Promise<T> {
    this.#loading ??= this.#loadOnce(properties).finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #loadOnce(properties: IdentityProperties | undefined): Promise<T> {
    const kind: LoadKind = this.#entry ? "refresh" : "initial";
    let value: T;
    try {
      value = await this.load(properties, kind);
    } catch (error) {
      this.#recordFailure(error);
      throw error;
    }
    const obtainedAt = Date.now();
    const expiresAt = value.credentials.expiration?.getTime();
    const plan = planRefresh(obtainedAt, expiresAt, this.policy, this.random);
    this.#entry = { value, settled: Promise.resolve(value.credentials), plan };
    this.#failure = undefined;
    this.#staleReported = false;
    this.#expiredReported = false;
    if (kind === "refresh") this.#refreshCount++;
    this.observer.loaded(value, kind, this.#refreshCount);
    return value;
  }

  #recordFailure(error: unknown): void {
    const now = Date.now();
    const consecutive = (this.#failure?.consecutive ?? 0) + 1;
    const retryAt = now + failureBackoff(consecutive, this.policy);
    this.#failure = { error, retryAt, consecutive };
    this.#staleReported = false;
    const usableUntil = this.#entry?.plan.usableUntil;
    this.observer.loadFailed(error, {
      servingCached: usableUntil !== undefined && now < usableUntil,
      usableUntil,
      retryAt,
      consecutiveFailures: consecutive,
    });
  }
}
