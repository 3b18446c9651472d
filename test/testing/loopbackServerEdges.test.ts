// startLoopbackServer at its edges: a handler that throws something that is not an Error, a handler answering with
// several Set-Cookie headers, and a client that leaves before the handler answers (the handler's request signal
// aborts, its late answer is dropped, and the server goes on serving).
import { describe, expect, it } from "vitest";
import { withLoopbackServer } from "./serveFake.js";

describe("startLoopbackServer at its edges", () => {
  it("answers 500 with the thrown value when the handler throws a string", async () => {
    await withLoopbackServer(
      async () => {
        throw "not configured";
      },
      async (server) => {
        const response = await fetch(server.url, { signal: AbortSignal.timeout(5_000) });
        expect(response.status).toBe(500);
        expect(await response.text()).toBe("fake handler failed: not configured\n");
      },
    );
  });

  it("sends each Set-Cookie of the handler's response as its own header", async () => {
    await withLoopbackServer(
      async () => {
        const headers = new Headers();
        headers.append("Set-Cookie", "AWSALB=a; Path=/");
        headers.append("Set-Cookie", "AWSALBCORS=b; Path=/; Secure");
        return new Response("ok", { headers });
      },
      async (server) => {
        const response = await fetch(server.url, { signal: AbortSignal.timeout(5_000) });
        expect(response.headers.getSetCookie()).toEqual(["AWSALB=a; Path=/", "AWSALBCORS=b; Path=/; Secure"]);
      },
    );
  });

  it("aborts the handler's request when the client leaves, drops its late answer, and serves the next request", async () => {
    let answerLate: () => void = () => {};
    const late = new Promise<void>((resolve) => {
      answerLate = resolve;
    });
    const seen: Request[] = [];
    await withLoopbackServer(
      async (request) => {
        seen.push(request);
        if (seen.length === 1) await late;
        return new Response(`answer ${seen.length}`);
      },
      async (server) => {
        const leaving = new AbortController();
        const first = fetch(server.url, { signal: leaving.signal }).catch((error: unknown) => error);
        await expect.poll(() => seen.length).toBe(1);
        leaving.abort();
        expect(await first).toMatchObject({ name: "AbortError" });
        await expect.poll(() => seen[0]?.signal.aborted).toBe(true);
        answerLate();

        const next = await fetch(server.url, { signal: AbortSignal.timeout(5_000) });
        expect(await next.text()).toBe("answer 2");
      },
    );
  });
});
