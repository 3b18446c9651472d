// A load test of the metadata client, in a file of its own: it makes 1,000 requests (several seconds), so the
// mutation run (vitest.mutation.config.ts) leaves it out rather than repeat it for every mutant it covers.
import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { HttpRequestError, httpRequest } from "../../src/wire/http.js";
import { startTestServer } from "../support/loopback.js";

const servers: Array<{ close: () => Promise<void> }> = [];
const server = async (...args: Parameters<typeof startTestServer>) => {
  const started = await startTestServer(...args);
  servers.push(started);
  return started;
};
afterEach(async () => {
  await Promise.all(servers.splice(0).map((started) => started.close()));
});

const failureOf = (pending: Promise<unknown>): Promise<unknown> =>
  pending.then(
    () => expect.unreachable("expected the request to fail"),
    (error: unknown) => expect(error).toBeInstanceOf(HttpRequestError),
  );

const activeCount = (type: string): number =>
  process.getActiveResourcesInfo().filter((resource) => resource === type).length;

/**
 * Waits until the count of a resource type is back to at most `limit`, for at most 100 polls 20 ms apart. Counted in
 * polls, not wall-clock time: each poll is at least one turn of the event loop (a closing socket needs one or two),
 * however slowly a loaded machine runs them.
 */
const settledCount = async (type: string, limit: number): Promise<number> => {
  let count = activeCount(type);
  for (let poll = 0; count > limit && poll < 100; poll += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    count = activeCount(type);
  }
  return count;
};

describe("httpRequest's resources", () => {
  // Its own timeout: 1,000 requests take several seconds, many more on a loaded machine; the test is about leaks.
  it("leaves no timer, socket or abort listener behind after 1000 requests, whatever their outcome", {
    timeout: 120_000,
  }, async () => {
    const ok = await server((_request, response) => response.end("ok"));
    const slow = await server(() => undefined);
    const closed = await startTestServer(() => undefined);
    await closed.close();
    const signal = new AbortController().signal;
    // Long deadlines, so that a timer left behind would still be counted at the end.
    await httpRequest({ url: ok.url, timeoutMs: 10_000, maxBodyBytes: 16, signal });
    const timersBefore = await settledCount("Timeout", Number.POSITIVE_INFINITY);
    const socketsBefore = await settledCount("TCPSocketWrap", 0);

    for (let index = 0; index < 1000; index += 1) {
      if (index % 50 === 1) {
        await failureOf(httpRequest({ url: slow.url, timeoutMs: 10, maxBodyBytes: 16, signal }));
      } else if (index % 50 === 2) {
        await failureOf(httpRequest({ url: `${closed.url}/`, timeoutMs: 10_000, maxBodyBytes: 16, signal }));
      } else if (index % 50 === 3) {
        const controller = new AbortController();
        const pending = httpRequest({
          url: slow.url,
          timeoutMs: 10_000,
          maxBodyBytes: 16,
          signal: controller.signal,
        });
        controller.abort();
        await failureOf(pending);
        expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
      } else {
        await httpRequest({ url: ok.url, timeoutMs: 10_000, maxBodyBytes: 16, signal });
      }
    }

    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    expect(await settledCount("Timeout", timersBefore)).toBeLessThanOrEqual(timersBefore);
    expect(await settledCount("TCPSocketWrap", socketsBefore)).toBeLessThanOrEqual(socketsBefore);
  });
});
