import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeHandler,
  hangResponse,
  rawBehaviourOf,
  resetResponse,
  startLoopbackServer,
  trickleResponse,
  trickleStream,
} from "../../src/testing/index.js";
import { ADAPTERS, type Served, serve } from "./serveFake.js";

const MSW_BASE = "http://169.254.170.99";

describe("raw behaviour markers", () => {
  it("marks hang, reset and trickle responses and leaves ordinary ones alone", () => {
    expect(rawBehaviourOf(hangResponse())).toEqual({ kind: "hang" });
    expect(rawBehaviourOf(resetResponse())).toEqual({ kind: "reset" });
    expect(rawBehaviourOf(trickleResponse({ intervalMs: 5, chunk: "ab" }))).toEqual({
      kind: "trickle",
      intervalMs: 5,
      chunk: "ab",
    });
    expect(rawBehaviourOf(new Response("ok"))).toBeUndefined();
  });
});

describe("trickleResponse", () => {
  it("sends a space every 100 ms with status 200 by default, and a space for an empty chunk", () => {
    const response = trickleResponse();
    expect(response.status).toBe(200);
    expect(rawBehaviourOf(response)).toEqual({ kind: "trickle", intervalMs: 100, chunk: " " });
    expect(rawBehaviourOf(trickleResponse({ chunk: "", status: 503 }))).toEqual({
      kind: "trickle",
      intervalMs: 100,
      chunk: " ",
    });
    expect(trickleResponse({ status: 503 }).status).toBe(503);
  });
});

describe("trickleStream", () => {
  const behaviour = { kind: "trickle", intervalMs: 5, chunk: "xy" } as const;
  const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

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

describe.each(ADAPTERS)("raw behaviours through %s", (adapter) => {
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
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("trickle: the headers come at once, then the body a byte at a time, never ending", async () => {
    const { baseUrl } = await start(async () =>
      trickleResponse({ intervalMs: 20, chunk: "ab", headers: { "Content-Type": "application/json" } }),
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
    const { baseUrl } = await start(async () => resetResponse());
    await expect(fetch(`${baseUrl}/x`, { signal: AbortSignal.timeout(1_000) })).rejects.toThrow(TypeError);
  });
});

describe("startLoopbackServer", () => {
  it("listens on 127.0.0.1 only and serves ordinary responses with a Content-Length", async () => {
    const server = await startLoopbackServer(
      async (request) => new Response(`${request.method} ${new URL(request.url).pathname}`),
    );
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${server.url}/a/b?c=d`, { method: "DELETE", signal: AbortSignal.timeout(1_000) });
      expect(response.headers.get("content-length")).toBe("11");
      expect(await response.text()).toBe("DELETE /a/b");
    } finally {
      await server.close();
    }
  });

  it("passes the request body and headers to the handler", async () => {
    const server = await startLoopbackServer(
      async (request) =>
        new Response(`${request.headers.get("x-test")}:${request.headers.get("host")}:${await request.text()}`),
    );
    try {
      const response = await fetch(server.url, {
        method: "POST",
        body: "a=b",
        headers: { "x-test": "yes" },
        signal: AbortSignal.timeout(1_000),
      });
      expect(await response.text()).toBe(`yes:127.0.0.1:${server.port}:a=b`);
    } finally {
      await server.close();
    }
  });

  it("answers 500 when the handler throws", async () => {
    const server = await startLoopbackServer(async () => {
      throw new Error("boom");
    });
    try {
      const response = await fetch(server.url, { signal: AbortSignal.timeout(1_000) });
      expect(response.status).toBe(500);
      expect(await response.text()).toBe("fake handler failed: boom\n");
    } finally {
      await server.close();
    }
  });

  it("closes at once with hanging and trickling connections open, failing them", async () => {
    let received = 0;
    const server = await startLoopbackServer(async (request) => {
      received += 1;
      return new URL(request.url).pathname === "/trickle" ? trickleResponse({ intervalMs: 10 }) : hangResponse();
    });
    const hanging = [1, 2, 3].map(() =>
      fetch(`${server.url}/hang`).then(
        () => "answered",
        () => "failed",
      ),
    );
    const trickling = await fetch(`${server.url}/trickle`);
    const body = trickling.text().then(
      () => "ended",
      () => "failed",
    );
    while (received < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await Promise.all(hanging)).toEqual(["failed", "failed", "failed"]);
    expect(await body).toBe("failed");
    await server.close(); // a second close is harmless
  });
});
