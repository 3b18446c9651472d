import { describe, expect, it } from "vitest";
import { faultResponse, hangResponse, startLoopbackServer } from "../../src/testing/index.js";
import { withLoopbackServer } from "./serveFake.js";

describe("startLoopbackServer", () => {
  it("listens on 127.0.0.1 only and serves ordinary responses with a Content-Length", async () => {
    await withLoopbackServer(
      async (request) => new Response(`${request.method} ${new URL(request.url).pathname}`),
      async (server) => {
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const response = await fetch(`${server.url}/a/b?c=d`, { method: "DELETE", signal: AbortSignal.timeout(1_000) });
        expect(response.headers.get("content-length")).toBe("11");
        expect(await response.text()).toBe("DELETE /a/b");
      },
    );
  });

  it("passes the request body and headers to the handler", async () => {
    await withLoopbackServer(
      async (request) =>
        new Response(`${request.headers.get("x-test")}:${request.headers.get("host")}:${await request.text()}`),
      async (server) => {
        const response = await fetch(server.url, {
          method: "POST",
          body: "a=b",
          headers: { "x-test": "yes" },
          signal: AbortSignal.timeout(1_000),
        });
        expect(await response.text()).toBe(`yes:127.0.0.1:${server.port}:a=b`);
      },
    );
  });

  it("answers 500 when the handler throws", async () => {
    await withLoopbackServer(
      async () => {
        throw new Error("boom");
      },
      async (server) => {
        const response = await fetch(server.url, { signal: AbortSignal.timeout(1_000) });
        expect(response.status).toBe(500);
        expect(await response.text()).toBe("fake handler failed: boom\n");
      },
    );
  });

  it("closes at once with hanging and trickling connections open, failing them", async () => {
    let received = 0;
    const server = await startLoopbackServer(async (request) => {
      received += 1;
      return new URL(request.url).pathname === "/trickle"
        ? faultResponse({ kind: "trickle", intervalMs: 10 })
        : hangResponse();
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
    // "At once" without timing it: these connections never end by themselves (fetch waits 300 s for headers and for
    // body bytes), so a close() that waited for them would not settle before the test's timeout.
    await server.close();
    expect(await Promise.all(hanging)).toEqual(["failed", "failed", "failed"]);
    expect(await body).toBe("failed");
    await server.close(); // a second close is harmless
  });
});
