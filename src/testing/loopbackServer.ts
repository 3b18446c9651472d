import { once } from "node:events";
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FakeHandler } from "./fakeServer.js";
import { faultOf, trickleStream } from "./faults.js";

/** A running loopback server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  /** The port the system picked. */
  readonly port: number;
  /** Stops the server, destroying every connection (hanging ones too) to resolve at once; idempotent. */
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

/**
 * Serves `handler` with `node:http` on 127.0.0.1, on a port the system picks. The `hang`, `trickle` and `reset`
 * faults of {@link faultResponse} are carried out on the socket. An error thrown by the handler is answered 500.
 * @example
 * import { fakeSts, startLoopbackServer } from "pod-credentials/testing";
 * const server = await startLoopbackServer(fakeSts().handler);
 * process.env.AWS_ENDPOINT_URL_STS = server.url;
 */
export const startLoopbackServer = async (handler: FakeHandler): Promise<LoopbackServer> => {
  const sockets = new Set<Socket>();
  let origin = "";
  const server = createServer((request, response) => void serve(handler, origin, request, response));
  // A hanging request must not be cut short by Node's own timeouts: the client under test decides when to give up.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await once(server.listen(0, "127.0.0.1"), "listening");
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: origin,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      })),
  };
};

const serve = async (handler: FakeHandler, origin: string, incoming: IncomingMessage, outgoing: ServerResponse) => {
  const abort = new AbortController();
  outgoing.once("close", () => {
    if (!outgoing.writableFinished) abort.abort();
  });
  let response: Response;
  try {
    response = await handler(await toRequest(origin, incoming, abort.signal));
  } catch (error) {
    const message = `fake handler failed: ${error instanceof Error ? error.message : String(error)}\n`;
    if (!outgoing.headersSent && !outgoing.destroyed)
      outgoing.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" }).end(message);
    return;
  }
  if (outgoing.destroyed) return;
  const fault = faultOf(response);
  if (fault?.kind === "hang") return; // the socket stays open until the client gives up or close() destroys it
  if (fault?.kind === "reset") {
    incoming.socket.resetAndDestroy();
    return;
  }
  const headers: OutgoingHttpHeaders = Object.fromEntries(response.headers);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if (fault?.kind === "trickle") {
    outgoing.writeHead(response.status, headers).flushHeaders();
    // Ends when the connection closes: the abort fails the stream.
    await pipeline(Readable.fromWeb(trickleStream(fault, abort.signal)), outgoing).catch(() => undefined);
    return;
  }
  const body = Buffer.from(await response.arrayBuffer());
  const noBody = response.status === 204 || response.status === 304;
  if (!noBody && headers["content-length"] === undefined) headers["content-length"] = body.length;
  if (outgoing.destroyed) return;
  outgoing.writeHead(response.status, headers);
  outgoing.end(noBody || incoming.method === "HEAD" ? undefined : body);
};

const toRequest = async (origin: string, incoming: IncomingMessage, signal: AbortSignal): Promise<Request> => {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2)
    if (!HOP_BY_HOP.has(raw[index]?.toLowerCase() ?? "")) headers.append(raw[index] ?? "", raw[index + 1] ?? "");
  const method = incoming.method ?? "GET";
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const body = method === "GET" || method === "HEAD" || chunks.length === 0 ? null : Buffer.concat(chunks);
  return new Request(`${origin}${incoming.url ?? "/"}`, { method, headers, body, signal });
};
