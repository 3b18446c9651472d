// withDeadline, the resolution deadline on its own: work that finishes first leaves no timer behind (so a script
// exits as soon as it is done, and the timeout error is never made), and a deadline that passes first aborts the work
// and rejects with the timeout error. In faked time.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withDeadline } from "../../src/base/timing.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("withDeadline", () => {
  it("when the work finishes first: its answer, no timer left behind, and the timeout never made", async () => {
    let timeouts = 0;
    let signal: AbortSignal | undefined;
    const answer = await withDeadline(
      5000,
      async (given) => {
        signal = given;
        return "credentials";
      },
      () => {
        timeouts += 1;
        return new Error("too slow");
      },
    );

    expect(answer).toBe("credentials");
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(timeouts).toBe(0);
    expect(signal?.aborted).toBe(false);
  });

  it("when the deadline passes first: the work's signal aborts and the call rejects, both with the timeout error", async () => {
    const timeout = new Error("the resolution took longer than 5 s");
    let signal: AbortSignal | undefined;
    const running = withDeadline(
      5000,
      (given) => {
        signal = given;
        return new Promise<never>(() => {});
      },
      () => timeout,
    );
    running.catch(() => {});

    await vi.advanceTimersByTimeAsync(4999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(running).rejects.toBe(timeout);
    expect(signal?.reason).toBe(timeout);
    expect(vi.getTimerCount()).toBe(0);
  });
});
