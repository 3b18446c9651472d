// The refresh options a provider accepts, and how it refuses the others: every refusal is an
// InvalidConfigurationError at creation that names the option, says what was expected and how to fix it.
import { describe, expect, it } from "vitest";
import type { PodProviderChainOptions as RefreshOptions } from "../../src/base/options.js";
import { DEFAULT_REFRESH_POLICY, readSettings } from "../../src/base/settings.js";

import { isPodCredentialsError, noopLogger } from "../../src/index.js";

const refreshPolicy = (options: RefreshOptions) => readSettings({ env: {}, logger: noopLogger, ...options }).refresh;

const MINUTE = 60_000;

const refusal = (options: RefreshOptions) => {
  try {
    refreshPolicy(options);
  } catch (error) {
    if (!isPodCredentialsError(error, "InvalidConfigurationError")) throw error;
    return { setting: error.setting, message: error.message, fix: error.fix };
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
};

describe("refresh options", () => {
  it("default to 5 minutes ahead, half the window of jitter, a 1-minute margin and 1 s doubling to 30 s", () => {
    expect(refreshPolicy({})).toEqual({
      refreshBeforeMs: 5 * MINUTE,
      jitterRatio: 0.5,
      expiryMarginMs: MINUTE,
      failureBackoffMs: 1000,
      maxFailureBackoffMs: 30_000,
    });
    expect(refreshPolicy({})).toEqual(DEFAULT_REFRESH_POLICY);
  });

  describe("refreshJitter", () => {
    it.each([0.2, 0.5, 1])("accepts %s (from 0.2 to 1, both included)", (refreshJitter) => {
      expect(refreshPolicy({ refreshJitter }).jitterRatio).toBe(refreshJitter);
    });

    it.each([0.19, 1.01, 0, -0.5, Number.NaN, "0.5"])("refuses %s", (refreshJitter) => {
      expect(refusal({ refreshJitter: refreshJitter as number })).toEqual({
        setting: "option refreshJitter",
        message: "option refreshJitter: expected a number from 0.2 to 1. Fix: pass a share such as 0.5.",
        fix: "pass a share such as 0.5.",
      });
    });
  });

  describe("expiryMarginMs", () => {
    it("must be less than refreshBeforeMs, or credentials would never be refreshed ahead", () => {
      expect(refusal({ refreshBeforeMs: 2 * MINUTE, expiryMarginMs: 2 * MINUTE })).toEqual({
        setting: "option expiryMarginMs",
        message:
          "option expiryMarginMs: must be less than refreshBeforeMs (120000 ms), or credentials would never be " +
          "refreshed ahead. Fix: lower expiryMarginMs or raise refreshBeforeMs.",
        fix: "lower expiryMarginMs or raise refreshBeforeMs.",
      });
      expect(refreshPolicy({ refreshBeforeMs: 2 * MINUTE, expiryMarginMs: 2 * MINUTE - 1 }).expiryMarginMs).toBe(
        2 * MINUTE - 1,
      );
    });

    it("is refused against the default refreshBeforeMs too", () => {
      expect(refusal({ expiryMarginMs: 5 * MINUTE }).message).toContain("less than refreshBeforeMs (300000 ms)");
    });

    it("may be anything when refreshBeforeMs is 0 (no refresh ahead of expiry)", () => {
      expect(refreshPolicy({ refreshBeforeMs: 0 })).toMatchObject({ refreshBeforeMs: 0, expiryMarginMs: MINUTE });
    });
  });

  it.each<[RefreshOptions, string]>([
    [{ refreshBeforeMs: -1 }, "option refreshBeforeMs: expected a whole number of milliseconds from 0 to 43200000."],
    [{ refreshBeforeMs: 12 * 60 * MINUTE + 1 }, "option refreshBeforeMs: expected a whole number of milliseconds"],
    [{ expiryMarginMs: -1 }, "option expiryMarginMs: expected a whole number of milliseconds from 0 to 43200000."],
    [{ expiryMarginMs: 1.5 }, "option expiryMarginMs: expected a whole number of milliseconds"],
    [{ failureBackoffMs: 0 }, "option failureBackoffMs: expected a whole number of milliseconds from 1 to 60000."],
    [
      { failureBackoffMs: 5000, maxFailureBackoffMs: 1000 },
      "option maxFailureBackoffMs: expected a whole number of milliseconds from 5000 to 600000.",
    ],
  ])("refuses %j, naming the option", (options, message) => {
    expect(refusal(options).message).toContain(message);
  });
});
