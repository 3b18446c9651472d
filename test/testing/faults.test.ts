import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_MALFORMED_BODY,
  type FakeHandler,
  faultOf,
  faultResponse,
  hangResponse,
  trickleStream,
} from "../../src/testing/index.js";
import { ADAPTERS, type Served, serve } from "./serveFake.js";

const MSW_BASE = "http://169.254.170.99";

describe("faultResponse", () => {
  it("marks every fault's response with the fault, for the adapters, and leaves ordinary responses alone", () => {
    expect(faultOf(hangResponse())).toEqual({ kind: "hang" });
    expect(faultOf(faultResponse({ kind: "reset" }))).toEqual({ kind: "reset" });
    const trickle = { kind: "trickle", intervalMs: 5, chunk: "ab" } as const;
    expect(faultOf(faultResponse(trickle))).toBe(trickle);
    expect(faultOf(new Response("ok"))).toBeUndefined();
  });

  it("answers a status fault with its body (none for an empty one) and its headers over the fake's", async () => {
    const response = faultResponse(
      { kind: "status", status: 503, body: "busy", headers: { "Content-Type": "text/html" } },
      { Server: "EC2ws", "Content-Type": "text/plain" },
    );
    expect(response.status).toBe(503);
    expect(await response.text()).toBe("busy");
    expect(Object.fromEntries(response.headers)).toEqual({ server: "EC2ws", "content-type": "text/html" });
    expect(faultResponse({ kind: "status", status: 500, body: "" }).body).toBeNull();
    expect(faultResponse({ kind: "status", status: 500 }).body).toBeNull();
  });

  it("answers a malformed fault 200 with credentials JSON cut short, unless told otherwise", async () => {
    const response = faultResponse({ kind: "malformed" }, { Server: "EC2ws" });
    expect(response.status).toBe(200);
    expect(response.headers.get("server")).toBe("EC2ws");
    expect(await response.text()).toBe(DEFAULT_MALFORMED_BODY);
    expect(() => JSON.parse(DEFAULT_MALFORMED_BODY) as unknown).toThrow(SyntaxError);
    const custom = faultResponse({ kind: "malformed", status: 500, body: "{" });
    expect([custom.status, await custom.text()]).toEqual([500, "{"]);
  });

  it("answers a trickle fault with status 200 unless told otherwise, and the fake's headers under its own", () => {
    expect(faultResponse({ kind: "trickle" }).status).toBe(200);
    const response = faultResponse({ kind: "trickle", status: 503, headers: { A: "fault" } }, { A: "fake", B: "fake" });
    expect(response.status).toBe(503);
    expect(Object.fromEntries(response.headers)).toEqual({ a: "fault", b: "fake" });
  });
});

describe("trickleStream", () => {
  const behaviour = { kind: "trickle", intervalMs: 5, chunk: "xy" } as const;
  const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

  it("sends a space every 100 ms by default, a space for an empty chunk too", async () => {
    vi.useFakeTimers();
    try {
      for (const fault of [{ kind: "trickle" }, { kind: "trickle", chunk: "" }] as const) {
        const reader = trickleStream(fault).getReader();
        expect(text((await reader.read()).value)).toBe(" ");
        let second: string | undefined;
        const reading = reader.read().then(({ value }) => (second = text(value)));
        await vi.advanceTimersByTimeAsync(99);
        expect(second).toBeUndefined();
        await vi.advanceTimersByTimeAsync(1);
        await reading;
        expect(second).toBe(" ");
        await reader.cancel();
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends the chunk's bytes one at a time, cycling, until cancelled", async () => {
    const reader = trickleStream(behaviour).getReader();
    const bytes: string[] = [];
    for (let index = 0; index < 3; index++) bytes.push(text((await reader.read()).value));
    expect(bytes).toEqual(["x", "y", "x"]);
    await reader.cancel();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
  });

  it("fails at once with the reason of a signal that has already aborted", async () => {
    const reason = new Error("client went away");
    const reader = trickleStream(behaviour, AbortSignal.abort(reason)).getReader();
    await expect(reader.read()).rejects.toBe(reason);
  });

  it("fails with the signal's reason when it aborts mid-body, as a dropped connection would", async () => {
    const controller = new AbortController();
    const reader = trickleStream(behaviour, controller.signal).getReader();
    expect(text((await reader.read()).value)).toBe("x");
    const reason = new Error("deadline");
    controller.abort(reason);
    await expect(reader.read()).rejects.toBe(reason);
  });
});

describe.each(ADAPTERS)("faults carried out through %s", (adapter) => {
  let served: Served | undefined;
  const start = async (handler: FakeHandler): Promise<Served> => (served = await serve(adapter, handler, MSW_BASE));
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  it("hang: the request gets no answer until the client's timeout aborts it", async () => {
    const { baseUrl } = await start(async () => hangResponse());
    const started = Date.now();
    const error: unknown = await fetch(`${baseUrl}/x`, { signal: AbortSignal.timeout(100) }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("TimeoutError");
    // Only the client's timeout ended it (TimeoutError), and not before it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it("trickle: the headers come at once, then the body a byte at a time, never ending", async () => {
    const { baseUrl } = await start(async () =>
      faultResponse({ kind: "trickle", intervalMs: 20, chunk: "ab", headers: { "Content-Type": "application/json" } }),
    );
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/x`, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let received = "";
    const deadline = Date.now() + 1_000;
    while (received.length < 3 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      expect(done).toBe(false);
      received += new TextDecoder().decode(value);
    }
    expect(received.startsWith("aba")).toBe(true);
    controller.abort();
    await reader.cancel().catch(() => undefined);
  });

  it("reset: the client sees a network error", async () => {
    const { baseUrl } = await start(async () => faultResponse({ kind: "reset" }));
    await expect(fetch(`${baseUrl}/x`, { signal: AbortSignal.timeout(1_000) })).rejects.toThrow(TypeError);
  });
});
