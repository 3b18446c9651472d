// delay: waits, and stops waiting as soon as its signal aborts, with the signal's reason.
import { describe, expect, it } from "vitest";
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
    // Aborting afterwards changes nothing: the listener is gone and the promise is settled.
    controller.abort(new Error("too late"));
  });

  it("rejects at once with the reason of a signal that has already aborted", async () => {
    const reason = new Error("deadline passed");
    const started = performance.now();
    await expect(delay(10_000, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("rejects with the signal's reason as soon as it aborts while waiting", async () => {
    const controller = new AbortController();
    const reason = new Error("resolution deadline");
    const started = performance.now();
    const waiting = delay(10_000, controller.signal);
    setTimeout(() => controller.abort(reason), 20);
    await expect(waiting).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
