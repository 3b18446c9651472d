// The HTTP handler of the STS exchange, against a loopback server that accepts requests and never answers: the
// resolution's AbortSignal ends a request in flight and closes its connection; a signal the SDK passes for one request
// takes its place; and a request that gets no answer within requestTimeout fails instead of hanging.
import type { Socket } from "node:net";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterEach, describe, expect, it, vi } from "vitest";
import { abortableRequestHandler } from "../../src/sources/webIdentity.js";
import { startTestServer } from "../support/loopback.js";

type StsRequest = Parameters<NodeHttpHandler["handle"]>[0];

const TIMEOUTS = { connectionTimeout: 1000, requestTimeout: 5000 };

/** A server that accepts each request and never answers; `received` resolves with the socket of the first one. */
const silentSts = async () => {
  let onRequest: (socket: Socket) => void = () => {};
  const received = new Promise<Socket>((resolve) => {
    onRequest = resolve;
  });
  const server = await startTestServer((request) => onRequest(request.socket));
  return { ...server, received };
};

const closed = (socket: Socket): Promise<void> =>
  socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once("close", () => resolve()));

/** The STS call as the SDK hands it to its HTTP handler. */
const assumeRoleRequest = (url: string): StsRequest => {
  const { hostname, port } = new URL(url);
  const request = {
    protocol: "http:",
    hostname,
    port: Number(port),
    method: "POST",
    path: "/",
    query: {},
    headers: { host: `${hostname}:${port}`, "content-type": "application/x-www-form-urlencoded" },
    body: "Action=AssumeRoleWithWebIdentity&Version=2011-06-15",
    clone: () => ({ ...request }),
  };
  return request;
};

/** Settles `promise` into a value that says whether (and how) it has settled yet. */
const track = (promise: Promise<unknown>) => {
  const state: { settled: boolean; error?: unknown } = { settled: false };
  promise.then(
    () => Object.assign(state, { settled: true }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
};

const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe("abortableRequestHandler", () => {
  it("ends the STS request in flight and closes its connection when the resolution's signal aborts", async () => {
    const sts = await silentSts();
    servers.push(sts);
    const resolution = new AbortController();
    const handler = await abortableRequestHandler(resolution.signal, TIMEOUTS);

    const pending = handler.handle(assumeRoleRequest(sts.url));
    const socket = await sts.received;
    resolution.abort(new Error("resolution deadline passed"));

    const error = await pending.then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toMatchObject({ name: "AbortError", cause: { message: "resolution deadline passed" } });
    await closed(socket);
    expect(sts.requests).toHaveLength(1);
    handler.destroy();
  });

  it("sends nothing once the resolution's signal has aborted", async () => {
    const sts = await silentSts();
    servers.push(sts);
    const resolution = new AbortController();
    resolution.abort(new Error("resolution deadline passed"));
    const handler = await abortableRequestHandler(resolution.signal, TIMEOUTS);

    await expect(handler.handle(assumeRoleRequest(sts.url))).rejects.toMatchObject({ name: "AbortError" });
    expect(sts.requests).toHaveLength(0);
    handler.destroy();
  });

  it("lets a signal the SDK passes for one request take the place of the resolution's", async () => {
    const sts = await silentSts();
    servers.push(sts);
    const resolution = new AbortController();
    const perRequest = new AbortController();
    const handler = await abortableRequestHandler(resolution.signal, TIMEOUTS);

    const pending = handler.handle(assumeRoleRequest(sts.url), { abortSignal: perRequest.signal });
    const socket = await sts.received;
    perRequest.abort(new Error("caller gave up"));

    await expect(pending).rejects.toMatchObject({ name: "AbortError", cause: { message: "caller gave up" } });
    await closed(socket);
    handler.destroy();
  });

  it.each([
    ["with", new AbortController().signal],
    ["without", undefined],
  ])(
    "fails a request that gets no answer within requestTimeout (%s a resolution signal) with a TimeoutError",
    async (_with, signal) => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      const sts = await silentSts();
      servers.push(sts);
      const handler = await abortableRequestHandler(signal, TIMEOUTS);

      const state = track(handler.handle(assumeRoleRequest(sts.url)));
      const socket = await sts.received;
      vi.advanceTimersByTime(TIMEOUTS.requestTimeout - 1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(state.settled).toBe(false);

      vi.advanceTimersByTime(1);
      await closed(socket);
      await vi.waitUntil(() => state.settled, { interval: 0 });
      expect(state.error).toMatchObject({ name: "TimeoutError", code: "ETIMEDOUT" });
      expect(console.warn).not.toHaveBeenCalled();
      handler.destroy();
    },
  );
});
