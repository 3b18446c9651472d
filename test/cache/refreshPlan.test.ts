import { describe, expect, it } from "vitest";
import { DEFAULT_REFRESH_POLICY } from "../../src/base/settings.js";
import { failureBackoff, planRefresh } from "../../src/chain/cache.js";

const MINUTE = 60_000;
const T0 = Date.parse("2026-11-27T12:00:00Z");

describe("planRefresh", () => {
  it("refreshes one-hour credentials 5 minutes before expiry at the earliest, spread over half of that window", () => {
    const earliest = planRefresh(T0, T0 + 60 * MINUTE, DEFAULT_REFRESH_POLICY, () => 0);
    const latest = planRefresh(T0, T0 + 60 * MINUTE, DEFAULT_REFRESH_POLICY, () => 0.999999);
    expect(earliest.refreshAt).toBe(T0 + 55 * MINUTE);
    expect(latest.refreshAt).toBeCloseTo(T0 + 57.5 * MINUTE, -2);
    expect(earliest.usableUntil).toBe(T0 + 59 * MINUTE);
  });

  it("never refreshes before half the lifetime has passed, so short-lived credentials are not refreshed at every call", () => {
    const kiam = planRefresh(T0, T0 + 5 * MINUTE, DEFAULT_REFRESH_POLICY, () => 0);
    expect(kiam.refreshAt).toBe(T0 + 2.5 * MINUTE);
  });

  it("keeps the refresh before the end of the usable time even for very short lifetimes", () => {
    for (const lifetime of [4_000, 30_000, 2 * MINUTE]) {
      const plan = planRefresh(T0, T0 + lifetime, DEFAULT_REFRESH_POLICY, () => 0.999999);
      expect(plan.refreshAt).toBeLessThan(plan.usableUntil);
      expect(plan.usableUntil).toBeLessThan(T0 + lifetime);
    }
  });

  it.each([
    ["one-hour credentials", 60 * MINUTE, T0 + 59 * MINUTE],
    ["four-second credentials", 4000, T0 + 3000],
  ])(
    "with full jitter, plans the refresh of %s no later than one millisecond before they stop being served",
    (_case, lifetime, usableUntil) => {
      const plan = planRefresh(T0, T0 + lifetime, { ...DEFAULT_REFRESH_POLICY, jitterRatio: 1 }, () => 0.999999);
      expect(plan).toEqual({ refreshAt: usableUntil - 1, usableUntil });
    },
  );

  it("never refreshes credentials without an expiration", () => {
    expect(planRefresh(T0, undefined, DEFAULT_REFRESH_POLICY)).toEqual({
      refreshAt: Number.POSITIVE_INFINITY,
      usableUntil: Number.POSITIVE_INFINITY,
    });
  });

  it("spreads a fleet's refresh times over at least a fifth of the window", () => {
    const times = Array.from(
      { length: 1000 },
      () => planRefresh(T0, T0 + 60 * MINUTE, { ...DEFAULT_REFRESH_POLICY, jitterRatio: 0.2 }).refreshAt,
    );
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(0.9 * 0.2 * 5 * MINUTE);
  });
});

describe("failureBackoff", () => {
  it("starts at 1 s and doubles up to 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => failureBackoff(n, DEFAULT_REFRESH_POLICY))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
  });
});
