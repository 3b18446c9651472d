import type { AwsCredentialIdentity } from "@smithy/types";
import type { RefreshPolicy } from "../base/settings.js";
import { backoffDelay, monotonicNow } from "../base/timing.js";
import type { IdentityProperties } from "../sources/source.js";

/** Whether a load is the first one or a refresh of credentials obtained before. */
export type LoadKind = "initial" | "refresh";

/** What happened to a failed load, for the owner's log lines and events. */
export interface LoadFailure {
  /** Cached credentials are still served (until `usableUntil`) while the refresh is retried. */
  readonly servingCached: boolean;
  readonly usableUntil: number | undefined;
  /**
   * No new load before this time (wall clock as of the failure, for people: the cache itself counts the backoff on the
   * monotonic clock); calls in between get cached credentials, or this failure.
   */
  readonly retryAt: number;
  readonly consecutiveFailures: number;
}

/** What loads the value a cache keeps: at most one load runs at a time. */
export interface Loader<T> {
  load(properties: IdentityProperties | undefined, kind: LoadKind): Promise<T>;
}

/** The cache tells its owner what happens, so that the owner logs and emits events; the cache itself stays silent. */
export interface CacheObserver<T> {
  /** `durationMs`: how long the load took (monotonic clock). */
  loaded(value: T, kind: LoadKind, refreshCount: number, durationMs?: number): void;
  /** `durationMs`: how long the failed load took (monotonic clock). */
  loadFailed(error: unknown, failure: LoadFailure, durationMs?: number): void;
  /** Cached credentials were served after a refresh failed (once per failure). */
  servedStale(value: T): void;
  /** Cached credentials reached the end of their usable time with no replacement (once per set of credentials). */
  expired(value: T): void;
}

/**
 * Plans the refresh of credentials valid from `obtainedAt` to `expiresAt` (ms since epoch): from `refreshAt` on, a
 * call starts a background refresh; until `usableUntil`, cached credentials are served, and past it calls wait.
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
) => {
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
 *
 * Refresh and expiry times are compared with the wall clock (`Date.now()`), as the expiration the server gave is a
 * wall-clock time; the failure backoff is a duration, kept on the monotonic clock (`monotonicNow()`).
 */
export class CredentialCache<
  T extends { readonly credentials: AwsCredentialIdentity; readonly refreshBy?: Date | undefined },
> {
  // The last value and its plan are fields of the cache itself, not an entry object: a process may hold thousands of
  // providers (the bench's footprint scenario).
  #value: T | undefined;
  /** Until then cached credentials are served (past the refresh time too, while a refresh runs or fails). */
  #usableUntil = Number.NEGATIVE_INFINITY;
  /** `retryAt` is on the monotonic clock: a step of the wall clock must neither stretch nor cut a backoff. */
  #failure: { error: unknown; retryAt: number; consecutiveFailures: number } | undefined;
  #loading: Promise<T> | undefined;
  /**
   * The fast path, for a provider to check before calling {@link CredentialCache.get}: while `Date.now()` is below
   * `freshUntil` (the planned refresh time; -Infinity until the first load), `fresh` is what `get()` would return:
   * `Promise.resolve(credentials)` of the last load, made once.
   */
  freshUntil = Number.NEGATIVE_INFINITY;
  fresh: Promise<AwsCredentialIdentity> | undefined;
  #refreshCount = 0;
  #staleReported = false;
  #expiredReported = false;

  readonly #loader: Loader<T>;

  /** `load` is a function, or an object whose `load` method the cache calls (a provider's resolver: no closure). */
  constructor(
    load: Loader<T> | Loader<T>["load"],
    private readonly policy: RefreshPolicy,
    private readonly observer: CacheObserver<T>,
    private readonly random: () => number = Math.random,
  ) {
    this.#loader = typeof load === "function" ? { load } : load;
  }

  get last(): T | undefined {
    return this.#value;
  }

  /** The next planned refresh, and how many refreshes succeeded so far. */
  get status() {
    const refreshAt = this.freshUntil;
    return { nextRefreshAt: Number.isFinite(refreshAt) ? refreshAt : undefined, refreshCount: this.#refreshCount };
  }

  get(properties?: IdentityProperties): Promise<AwsCredentialIdentity> {
    const value = this.#value;
    const forced = properties?.forceRefresh === true;
    const now = Date.now();
    // The hot path: fresh credentials, returned as the same settled promise every time (no allocation, no I/O).
    if (value && !forced && now < this.freshUntil) return this.fresh as Promise<AwsCredentialIdentity>;
    if (value && !forced && now < this.#usableUntil) {
      // A failed background refresh is reported to the observer; callers keep getting the cached credentials.
      if (!this.#loading && !this.#backingOff()) this.#loadShared(properties).catch(() => {});
      if (this.#failure && !this.#staleReported) {
        this.#staleReported = true;
        this.observer.servedStale(value);
      }
      return this.fresh as Promise<AwsCredentialIdentity>;
    }
    if (value && now >= this.#usableUntil && !this.#expiredReported) {
      this.#expiredReported = true;
      this.observer.expired(value);
    }
    if (this.#failure && this.#backingOff() && !this.#loading) return Promise.reject(this.#failure.error);
    return this.#loadShared(properties).then((loaded) => loaded.credentials);
  }

  #backingOff(): boolean {
    return this.#failure !== undefined && monotonicNow() < this.#failure.retryAt;
  }

  #loadShared(properties: IdentityProperties | undefined): Promise<T> {
    this.#loading ??= this.#loadOnce(properties).finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #loadOnce(properties: IdentityProperties | undefined): Promise<T> {
    const kind: LoadKind = this.#value ? "refresh" : "initial";
    const started = monotonicNow();
    let value: T;
    try {
      value = await this.#loader.load(properties, kind);
    } catch (error) {
      const consecutiveFailures = (this.#failure?.consecutiveFailures ?? 0) + 1;
      const backoff = failureBackoff(consecutiveFailures, this.policy);
      this.#failure = { error, retryAt: monotonicNow() + backoff, consecutiveFailures };
      this.#staleReported = false;
      const now = Date.now();
      const usableUntil = this.#value ? this.#usableUntil : undefined;
      const servingCached = usableUntil !== undefined && now < usableUntil;
      // The observer gets wall-clock times, for people: the retry time as of now.
      const failure = { servingCached, usableUntil, retryAt: now + backoff, consecutiveFailures };
      this.observer.loadFailed(error, failure, monotonicNow() - started);
      throw error;
    }
    const expiresAt = (value.refreshBy ?? value.credentials.expiration)?.getTime();
    const { refreshAt, usableUntil } = planRefresh(Date.now(), expiresAt, this.policy, this.random);
    this.#value = value;
    this.#usableUntil = usableUntil;
    this.fresh = Promise.resolve(value.credentials);
    this.freshUntil = refreshAt;
    this.#failure = undefined;
    this.#staleReported = false;
    this.#expiredReported = false;
    if (kind === "refresh") this.#refreshCount++;
    this.observer.loaded(value, kind, this.#refreshCount, monotonicNow() - started);
    return value;
  }
}
