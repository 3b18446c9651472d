// What the proxy suites share: servers closed after each test, loopback listeners that close without waiting on a
// client, and a request through a proxy with the bounds every test here gives it.
import type { AddressInfo, Server, Socket } from "node:net";
import { afterEach } from "vitest";
import { type HttpRequestError, httpRequest } from "../../src/wire/http.js";

/** Registers `close` functions to run after each test of the file (or of the `describe` that calls it), in order. */
export const closeAfterEach = (): ((close: () => Promise<void>) => void) => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  return (close) => {
    closers.push(close);
  };
};

/**
 * Listens on a free loopback port. `close` destroys the sockets still open first: a tunnel or a client that never
 * ends would otherwise keep `server.close` waiting.
 */
export const listenOnLoopback = async (server: Server): Promise<{ port: number; close: () => Promise<void> }> => {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};

/** httpRequest to `url` through `proxy`, with a 1 KiB body cap and a 5 s deadline unless `timeoutMs` says otherwise. */
export const requestThrough = (url: string, proxy: string, timeoutMs = 5000) =>
  httpRequest({ url, timeoutMs, maxBodyBytes: 1024, proxy });

/** The error of a request through `proxy` that must fail; a request that succeeds fails the test. */
export const failureThrough = (url: string, proxy: string, timeoutMs = 5000): Promise<HttpRequestError> =>
  requestThrough(url, proxy, timeoutMs).then(
    () => {
      throw new Error("the request should have failed");
    },
    (error: unknown) => error as HttpRequestError,
  );
