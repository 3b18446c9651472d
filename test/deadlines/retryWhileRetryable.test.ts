// retryWhileRetryable, the loop every "not yet" answer goes through (kube2iam before it knows the pod, STS
// throttling): waits that double from 200 ms to 2 s, a window whose end is the last attempt, failures that are not
// retryable thrown at once, and no logger or onRetry needed. In faked time: the waits are asserted exactly.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { retryWhileRetryable } from "../../src/base/timing.js";
import { testLogger } from "../support/leakCheck.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

const notYet = (attempt: number) => Object.assign(new Error(`not yet (${attempt})`), { retryable: true });

/** An attempt that fails retryably `failures` times, then answers; it records when (faked ms) it was called. */
const flaky = (failures: number) => {
  const started = performance.now();
  const at: number[] = [];
  const attempt = async () => {
    at.push(performance.now() - started);
    if (at.length <= failures) throw notYet(at.length);
    return "credentials";
  };
  return { at, attempt };
};

/** Runs the loop to its end in faked time and returns how it settled. */
const settle = async <T>(running: Promise<T>) => {
  const outcome = running.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  return outcome;
};

describe("retryWhileRetryable", () => {
  it("waits 200 ms, then twice as long each time up to 2 s, and says so at debug", async () => {
    const { at, attempt } = flaky(6);
    const logger = testLogger();
    const running = retryWhileRetryable(attempt, {
      until: performance.now() + 60_000,
      logger,
      what: "the metadata proxy at http://169.254.169.254",
    });

    expect(await settle(running)).toEqual({ value: "credentials" });
    expect(at).toEqual([0, 200, 600, 1400, 3000, 5000, 7000]);
    expect(logger.at("debug")).toEqual(
      [200, 400, 800, 1600, 2000, 2000].map(
        (wait, index) =>
          `pod-credentials: the metadata proxy at http://169.254.169.254: not ready (not yet (${index + 1})); ` +
          `retrying in ${wait} ms`,
      ),
    );
  });

  it("makes its last attempt at the window's end and then throws that attempt's failure", async () => {
    const { at, attempt } = flaky(10);
    const running = retryWhileRetryable(attempt, { until: performance.now() + 600, what: "the agent" });

    const outcome = await settle(running);
    // 0 fails, wait 200; 200 fails, wait 400 (all that is left); 600 fails with nothing left: thrown.
    expect(at).toEqual([0, 200, 600]);
    expect(outcome).toEqual({ error: notYet(3) });
  });

  it("retries without a logger or an onRetry callback", async () => {
    const { at, attempt } = flaky(1);
    const running = retryWhileRetryable(attempt, { until: performance.now() + 1000, what: "STS" });

    expect(await settle(running)).toEqual({ value: "credentials" });
    expect(at).toEqual([0, 200]);
  });

  it("tells onRetry each retryable failure's message before the wait", async () => {
    const { attempt } = flaky(2);
    const messages: string[] = [];
    const running = retryWhileRetryable(attempt, {
      until: performance.now() + 1000,
      what: "STS",
      onRetry: (message) => messages.push(message),
    });

    await settle(running);
    expect(messages).toEqual(["not yet (1)", "not yet (2)"]);
  });

  it.each([
    ["an error not marked retryable", new Error("AccessDenied")],
    ["undefined", undefined],
    ["null", null],
    ["a string", "connection reset"],
  ])("throws %s at once, as it is, without a second attempt", async (_, thrown) => {
    let attempts = 0;
    const running = retryWhileRetryable(
      async () => {
        attempts += 1;
        throw thrown;
      },
      { until: performance.now() + 60_000, what: "the agent" },
    );

    expect(await settle(running)).toEqual({ error: thrown });
    expect(attempts).toBe(1);
  });
});
