// What travels inside the CONNECT tunnel, seen with Node's own HTTP stack. msw is switched off for this file: its
// interceptor answers a passthrough request over a socket of its own and never calls the tunnel's
// `createConnection`, so with msw on, a request "through the proxy" reaches a loopback target directly (the first
// test below shows the difference). The socket guard of test/support/networkGuard.ts still refuses every connection
// outside loopback: the only socket the client opens is to the loopback proxy, which sends every tunnel to a loopback
// server whatever host was asked for.
import { readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import type { Socket } from "node:net";
import { join } from "node:path";
import { createSecureContext, createServer as createTlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpRequestError, httpRequest } from "../../src/wire/http.js";
import { startTestServer } from "../support/loopback.js";
import { mswServer } from "../support/mswServer.js";
import { startConnectProxy } from "./connectProxy.js";
import { closeAfterEach, failureThrough, listenOnLoopback, requestThrough } from "./harness.js";

beforeAll(() => mswServer.close());
afterAll(() => mswServer.listen({ onUnhandledRequest: "error" }));

const closeLater = closeAfterEach();

const portOf = (url: string) => Number(new URL(url).port);

/** A loopback HTTP server answering `METHOD PATH HOST`, closed after the test. */
const echoServer = async () => {
  const server = await startTestServer((request, response) =>
    response.end(`${request.method} ${request.url} ${request.headers.host}`),
  );
  closeLater(server.close);
  return server;
};

const connectProxyTo = async (port: number) => {
  const proxy = await startConnectProxy(() => port);
  closeLater(proxy.close);
  return proxy;
};

/**
 * A TLS server with the STS test certificate (self-signed: not trusted here). It counts the connections that reach
 * it and records the name each client sent in SNI (a client that sends none is not in `serverNames`).
 */
const tlsServer = async () => {
  const fixtures = join(import.meta.dirname, "fixtures");
  const serverNames: string[] = [];
  const sockets = new Set<Socket>();
  const certificate = {
    cert: readFileSync(join(fixtures, "sts-test-cert.pem")),
    key: readFileSync(join(fixtures, "sts-test-key.pem")),
  };
  const context = createSecureContext(certificate);
  const server = createTlsServer({
    ...certificate,
    SNICallback: (name, done) => {
      serverNames.push(name);
      done(null, context);
    },
  });
  server.on("connection", (socket: Socket) => sockets.add(socket));
  server.on("tlsClientError", () => {});
  const { port, close } = await listenOnLoopback(server);
  closeLater(close);
  return { port, serverNames, connections: () => sockets.size };
};

describe("a request through the tunnel", () => {
  it("goes inside it: a URL whose own port is closed is still answered by the server at the tunnel's end", async () => {
    const server = await echoServer();
    const proxy = await connectProxyTo(portOf(server.url));

    const answer = await requestThrough("http://127.0.0.1:1/x", proxy.url);

    expect(answer).toMatchObject({ status: 200, body: "GET /x 127.0.0.1:1" });
    expect(proxy.tunnels.map((tunnel) => tunnel.authority)).toEqual(["127.0.0.1:1"]);
  });

  it("asks the proxy for port 80 when an http URL names none, and sends the URL's host in Host", async () => {
    const server = await echoServer();
    const proxy = await connectProxyTo(portOf(server.url));

    const answer = await requestThrough("http://sts.internal/", proxy.url);

    expect(proxy.tunnels.map((tunnel) => tunnel.authority)).toEqual(["sts.internal:80"]);
    expect(answer.body).toBe("GET / sts.internal");
  });

  it("runs TLS inside the tunnel to the URL's host: SNI names it, and an untrusted certificate is refused", async () => {
    const target = await tlsServer();
    const proxy = await connectProxyTo(target.port);
    const url = "https://sts.us-east-1.amazonaws.com/";

    const error = await failureThrough(url, proxy.url);

    expect(proxy.tunnels.map((tunnel) => tunnel.authority)).toEqual(["sts.us-east-1.amazonaws.com:443"]);
    expect(target.serverNames).toEqual(["sts.us-east-1.amazonaws.com"]);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error).toMatchObject({ kind: "connection", code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    expect(error.message).toBe(`connection to ${url} failed: DEPTH_ZERO_SELF_SIGNED_CERT`);
  });

  it("sends no SNI for an IP address inside the tunnel (TLS forbids it), and still checks the certificate", async () => {
    const target = await tlsServer();
    const proxy = await connectProxyTo(target.port);

    const error = await failureThrough("https://10.20.30.40:8443/", proxy.url);

    expect(proxy.tunnels.map((tunnel) => tunnel.authority)).toEqual(["10.20.30.40:8443"]);
    expect(target.connections()).toBe(1);
    expect(target.serverNames).toEqual([]);
    expect(error).toMatchObject({ kind: "connection", code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
  });
});

describe("answers read by Node's HTTP stack", () => {
  it("joins a repeated Set-Cookie (which Node keeps as a list) with ', ', as every other repeated header", async () => {
    const server = createHttpServer((_request, response) => {
      response.setHeader("Set-Cookie", ["AWSALB=a; Path=/", "AWSALBCORS=b; Path=/"]);
      response.end("ok");
    });
    const { port, close } = await listenOnLoopback(server);
    closeLater(close);

    const answer = await httpRequest({ url: `http://127.0.0.1:${port}/`, timeoutMs: 5000, maxBodyBytes: 1024 });

    expect(answer.headers["set-cookie"]).toBe("AWSALB=a; Path=/, AWSALBCORS=b; Path=/");
  });
});
