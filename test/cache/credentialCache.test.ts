// The cache behind every provider, on its own: when it answers from the cache, when it refreshes in the background,
// when callers must wait, and what it tells its observer. Only Date and performance are faked (the wall clock and the
// monotonic one, moved together), so each boundary can be hit to the millisecond while promises settle for real. test/chain/refresh.test.ts covers the same rules through a provider.
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_REFRESH_POLICY } from "../../src/base/settings.js";
import { CredentialCache, type LoadFailure, type LoadKind } from "../../src/chain/cache.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const START = Date.parse("2026-11-27T12:00:00Z");
/** With one-hour credentials, the default policy and no jitter: refresh from 55 min on, serve until 59 min. */
const REFRESH_AT = 55 * MINUTE;
const USABLE_UNTIL = 59 * MINUTE;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date", "performance"] });
  vi.setSystemTime(START);
});
afterEach(() => vi.useRealTimers());

/** Moves both clocks on to `ms` after the start (time passes; it never goes back). */
const at = (ms: number) => {
  expect(START + ms).toBeGreaterThanOrEqual(Date.now());
  vi.advanceTimersByTime(START + ms - Date.now());
};
/** Lets a background load finish (it resolves on real promise ticks). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

interface Loaded {
  readonly credentials: AwsCredentialIdentity;
}

/** A cache over a fake upstream that issues `AKIA1`, `AKIA2`, … valid for `lifetimeMs`, or fails while `failing`. */
const cacheOver = (lifetimeMs: number | "never" = 60 * MINUTE) => {
  const upstream = { loads: [] as LoadKind[], failing: undefined as Error | undefined };
  const events: string[] = [];
  const failures: LoadFailure[] = [];
  const cache = new CredentialCache<Loaded>(
    async (_properties, kind) => {
      upstream.loads.push(kind);
      if (upstream.failing) throw upstream.failing;
      return {
        credentials: {
          accessKeyId: `AKIA${upstream.loads.length}`,
          secretAccessKey: "not-a-secret",
          ...(lifetimeMs === "never" ? {} : { expiration: new Date(Date.now() + lifetimeMs) }),
        },
      };
    },
    DEFAULT_REFRESH_POLICY,
    {
      loaded: (value, kind) => events.push(`loaded ${value.credentials.accessKeyId} (${kind})`),
      loadFailed: (error, failure) => {
        events.push(`loadFailed ${(error as Error).message}`);
        failures.push(failure);
      },
      servedStale: (value) => events.push(`servedStale ${value.credentials.accessKeyId}`),
      expired: (value) => events.push(`expired ${value.credentials.accessKeyId}`),
    },
    () => 0,
  );
  const key = async () => (await cache.get()).accessKeyId;
  return { cache, upstream, events, failures, key };
};

/** A cache that loaded AKIA1, then at `ms` after the start answered a call from the cache; background work settled. */
const servedFromCacheAt = async (ms: number) => {
  const over = cacheOver();
  await over.key();
  at(ms);
  expect(await over.key()).toBe("AKIA1");
  await settle();
  return over;
};

describe("the credential cache", () => {
  describe("status", () => {
    it("has no planned refresh and no refresh before anything is loaded", () => {
      expect(cacheOver().cache.status).toEqual({ nextRefreshAt: undefined, refreshCount: 0 });
    });

    it("gives the planned refresh time of credentials that expire", async () => {
      const { cache, key } = cacheOver();
      await key();
      expect(cache.status).toEqual({ nextRefreshAt: START + REFRESH_AT, refreshCount: 0 });
    });

    it("has no planned refresh for credentials that never expire, and never loads them again", async () => {
      const { cache, upstream, key } = cacheOver("never");
      await key();
      at(365 * 24 * 60 * MINUTE);
      expect(await key()).toBe("AKIA1");
      expect(cache.status).toEqual({ nextRefreshAt: undefined, refreshCount: 0 });
      expect(upstream.loads).toEqual(["initial"]);
    });
  });

  describe("refresh ahead", () => {
    it("answers from the cache without loading until the millisecond before the planned refresh", async () => {
      const { upstream } = await servedFromCacheAt(REFRESH_AT - 1);
      expect(upstream.loads).toEqual(["initial"]);
    });

    it("from the planned refresh time on, answers from the cache and refreshes in the background", async () => {
      const { cache, upstream, events, key } = await servedFromCacheAt(REFRESH_AT);
      expect(upstream.loads).toEqual(["initial", "refresh"]);
      expect(await key()).toBe("AKIA2");
      expect(events).toEqual(["loaded AKIA1 (initial)", "loaded AKIA2 (refresh)"]);
      expect(cache.status).toEqual({ nextRefreshAt: START + REFRESH_AT + REFRESH_AT, refreshCount: 1 });
    });
  });

  describe("the end of the usable time", () => {
    it("still serves the cached credentials one millisecond before it", async () => {
      const { events } = await servedFromCacheAt(USABLE_UNTIL - 1);
      expect(events).toEqual(["loaded AKIA1 (initial)", "loaded AKIA2 (refresh)"]);
    });

    it("from that millisecond on, makes callers wait for fresh credentials and reports the old ones expired", async () => {
      const { events, key } = cacheOver();
      await key();
      at(USABLE_UNTIL);
      expect(await key()).toBe("AKIA2");
      expect(events).toEqual(["loaded AKIA1 (initial)", "expired AKIA1", "loaded AKIA2 (refresh)"]);
    });

    it("reports expiry once per set of credentials, and again for the next set", async () => {
      const { upstream, events, key } = cacheOver();
      await key();
      upstream.failing = new Error("agent down");
      at(USABLE_UNTIL);
      await expect(key()).rejects.toThrow("agent down");
      at(USABLE_UNTIL + 1 * SECOND);
      await expect(key()).rejects.toThrow("agent down");
      upstream.failing = undefined;
      at(USABLE_UNTIL + 3 * SECOND);
      expect(await key()).toBe("AKIA4");
      upstream.failing = new Error("agent down again");
      at(USABLE_UNTIL + 3 * SECOND + USABLE_UNTIL);
      await expect(key()).rejects.toThrow("agent down again");
      expect(events).toEqual([
        "loaded AKIA1 (initial)",
        "expired AKIA1",
        "loadFailed agent down",
        "loadFailed agent down",
        "loaded AKIA4 (refresh)",
        "expired AKIA4",
        "loadFailed agent down again",
      ]);
    });
  });

  describe("a failed background refresh", () => {
    it("reports the cached credentials served stale once per failure, and retries from the end of the backoff", async () => {
      const { upstream, events, failures, key } = cacheOver();
      await key();
      upstream.failing = new Error("agent down");
      at(REFRESH_AT);
      expect(await key()).toBe("AKIA1");
      await settle();
      for (let call = 0; call < 3; call++) expect(await key()).toBe("AKIA1");
      at(REFRESH_AT + SECOND - 1);
      expect(await key()).toBe("AKIA1");
      await settle();
      expect(upstream.loads).toHaveLength(2);
      at(REFRESH_AT + SECOND);
      expect(await key()).toBe("AKIA1");
      await settle();
      expect(upstream.loads).toHaveLength(3);
      for (let call = 0; call < 3; call++) expect(await key()).toBe("AKIA1");
      expect(events).toEqual([
        "loaded AKIA1 (initial)",
        "loadFailed agent down",
        "servedStale AKIA1",
        "loadFailed agent down",
        "servedStale AKIA1",
      ]);
      expect(failures).toEqual([
        {
          servingCached: true,
          usableUntil: START + USABLE_UNTIL,
          retryAt: START + REFRESH_AT + SECOND,
          consecutiveFailures: 1,
        },
        {
          servingCached: true,
          usableUntil: START + USABLE_UNTIL,
          retryAt: START + REFRESH_AT + 3 * SECOND,
          consecutiveFailures: 2,
        },
      ]);
    });

    it.each([
      ["one millisecond before the end of the usable time", USABLE_UNTIL - 1, true],
      ["at the end of the usable time", USABLE_UNTIL, false],
    ])("%s says whether cached credentials are still served", async (_case, time, servingCached) => {
      const { upstream, failures, key } = cacheOver();
      await key();
      upstream.failing = new Error("agent down");
      at(time);
      await key().catch(() => {});
      await settle();
      expect(failures).toEqual([
        { servingCached, usableUntil: START + USABLE_UNTIL, retryAt: START + time + SECOND, consecutiveFailures: 1 },
      ]);
    });
  });

  describe("a failed first load", () => {
    it("is given to every caller until the end of its backoff, then tried again", async () => {
      const { upstream, failures, key } = cacheOver();
      const refused = new Error("no association");
      upstream.failing = refused;
      await expect(key()).rejects.toBe(refused);
      at(SECOND - 1);
      await expect(key()).rejects.toBe(refused);
      expect(upstream.loads).toEqual(["initial"]);
      upstream.failing = undefined;
      at(SECOND);
      expect(await key()).toBe("AKIA2");
      expect(upstream.loads).toEqual(["initial", "initial"]);
      expect(failures).toEqual([
        { servingCached: false, usableUntil: undefined, retryAt: START + SECOND, consecutiveFailures: 1 },
      ]);
    });

    it("is kept for a forced refresh too", async () => {
      const { upstream, key, cache } = cacheOver();
      upstream.failing = new Error("no association");
      await expect(key()).rejects.toThrow("no association");
      await expect(cache.get({ forceRefresh: true })).rejects.toThrow("no association");
      expect(upstream.loads).toHaveLength(1);
    });
  });

  describe("how long each load took", () => {
    it("is told to the observer on the monotonic clock, for a load that succeeds and for one that fails", async () => {
      const durations: string[] = [];
      let failing = false;
      const cache = new CredentialCache<Loaded>(
        async () => {
          // The load takes 250 ms of monotonic time; the wall clock moves with it.
          vi.advanceTimersByTime(250);
          if (failing) throw new Error("agent down");
          return { credentials: { accessKeyId: "AKIA1", secretAccessKey: "not-a-secret" } };
        },
        DEFAULT_REFRESH_POLICY,
        {
          loaded: (_value, kind, _refreshCount, durationMs) => durations.push(`loaded (${kind}) in ${durationMs} ms`),
          loadFailed: (_error, _failure, durationMs) => durations.push(`loadFailed in ${durationMs} ms`),
          servedStale: () => {},
          expired: () => {},
        },
        () => 0,
      );

      at(SECOND);
      await cache.get();
      failing = true;
      await expect(cache.get({ forceRefresh: true })).rejects.toThrow("agent down");

      expect(durations).toEqual(["loaded (initial) in 250 ms", "loadFailed in 250 ms"]);
    });
  });
});
