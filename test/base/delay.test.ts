// delay: waits, and stops waiting as soon as its signal aborts, with the signal's reason.
import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { delay } from "../../src/base/timing.js";

describe("delay", () => {
  it("resolves after the time has passed", async () => {
    const started = performance.now();
    await expect(delay(30)).resolves.toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("resolves when its signal never aborts, and stops listening to it", async () => {
    const controller = new AbortController();
    await expect(delay(5, controller.signal)).resolves.toBeUndefined();
    // A long-lived signal would otherwise gather one listener per wait (and Node's leak warning after ten).
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    // Aborting afterwards changes nothing: the listener is gone and the promise is settled.
    controller.abort(new Error("too late"));
  });

  // "At once" and "as soon as" in faked time: the 10 s wait never runs, and no timer is left behind.
  describe("in faked time", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("rejects at once with the reason of a signal that has already aborted", async () => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
      const reason = new Error("deadline passed");
      // Faked time does not move unless the test moves it: waiting for the 10 s timer would never settle.
      await expect(delay(10_000, AbortSignal.abort(reason))).rejects.toBe(reason);
      expect(vi.getTimerCount()).toBe(0);
    });

    it("rejects with the signal's reason as soon as it aborts while waiting", async () => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
      const controller = new AbortController();
      const reason = new Error("resolution deadline");
      const started = Date.now();
      let settled = false;
      const waiting = delay(10_000, controller.signal).finally(() => (settled = true));
      waiting.catch(() => {});
      setTimeout(() => controller.abort(reason), 20);

      await vi.advanceTimersByTimeAsync(19);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);

      await expect(waiting).rejects.toBe(reason);
      expect(Date.now() - started).toBe(20);
      expect(vi.getTimerCount()).toBe(0);
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    });
  });
});
