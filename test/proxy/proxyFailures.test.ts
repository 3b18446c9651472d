// A proxy that does not give the tunnel, and what the operator then reads: every failure is a connection error that
// names the proxy without its user and password (not in the message, not in the error serialised, not base64-encoded
// as it went out in Proxy-Authorization), and none waits past the request's deadline. The proxies here are raw
// loopback sockets, so each can misbehave exactly as asked.
import { createServer, type Server, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { HttpRequestError } from "../../src/wire/http.js";
import { closeAfterEach, failureThrough, listenOnLoopback } from "./harness.js";

const USER = "svc-orders";
const PASSWORD = "pr0xy-S3cret-pass";
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
const STS = "https://sts.eu-west-1.amazonaws.com/";

const closeLater = closeAfterEach();

/** A loopback proxy whose answer to the CONNECT head is `behave(socket)`; it records each head it received. */
const rawProxy = async (behave: (socket: Socket) => void) => {
  const heads: string[] = [];
  const server: Server = createServer((socket) => {
    socket.on("error", () => {});
    let head = "";
    socket.on("data", (chunk) => {
      head += chunk.toString("latin1");
      if (head.includes("\r\n\r\n")) {
        heads.push(head);
        head = "";
        behave(socket);
      }
    });
  });
  const { port, close } = await listenOnLoopback(server);
  closeLater(close);
  return { port, heads, shown: `http://127.0.0.1:${port}/`, withUser: `http://${USER}:${PASSWORD}@127.0.0.1:${port}` };
};

const request = (proxy: string, timeoutMs = 5000) => failureThrough(STS, proxy, timeoutMs);

/** Nothing of the proxy's user information in anything the error shows. */
const expectNoUserinfo = (error: HttpRequestError) => {
  const shown = [error.message, String(error), JSON.stringify(error), String(error.stack)];
  for (const text of shown) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(BASIC);
    expect(text).not.toContain(`${USER}:`);
  }
};

describe("a proxy that refuses the tunnel", () => {
  it.each([
    [407, "Proxy Authentication Required"],
    [403, "Forbidden"],
    [502, "Bad Gateway"],
  ])("HTTP %i: a connection error naming the proxy and the status, never its credentials", async (status, reason) => {
    const proxy = await rawProxy((socket) =>
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`),
    );

    const error = await request(proxy.withUser);

    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error).toMatchObject({ kind: "connection", code: "ERR_PROXY_TUNNEL" });
    expect(error.message).toBe(
      `connection to ${STS} failed: ERR_PROXY_TUNNEL (the proxy ${proxy.shown} answered CONNECT with HTTP ${status})`,
    );
    expectNoUserinfo(error);
    // What went out: one CONNECT to STS's authority, with the credentials, once.
    expect(proxy.heads).toHaveLength(1);
    expect(proxy.heads[0]).toMatch(/^CONNECT sts\.eu-west-1\.amazonaws\.com:443 HTTP\/1\.1\r\n/);
    expect(proxy.heads[0]).toContain(`Proxy-Authorization: Basic ${BASIC}\r\n`);
  });

  it("an answer that is not HTTP: says the proxy sent no HTTP answer", async () => {
    const proxy = await rawProxy((socket) => socket.end("SSH-2.0-OpenSSH_9.6\r\n\r\n"));

    const error = await request(proxy.withUser);

    expect(error).toMatchObject({ kind: "connection", code: "ERR_PROXY_TUNNEL" });
    expect(error.message).toBe(
      `connection to ${STS} failed: ERR_PROXY_TUNNEL (the proxy ${proxy.shown} sent no HTTP answer)`,
    );
    expectNoUserinfo(error);
  });

  it("an endless answer head: given up after 16 KiB, not read forever", async () => {
    const proxy = await rawProxy((socket) => {
      socket.write("HTTP/1.1 200 Connection Established\r\n");
      for (let line = 0; line < 1000; line++) socket.write(`X-Padding-${line}: ${"x".repeat(40)}\r\n`);
    });

    const error = await request(proxy.withUser);

    expect(error).toMatchObject({ kind: "connection", code: "ERR_PROXY_TUNNEL" });
    expect(error.message).toContain(`(the proxy ${proxy.shown} sent no HTTP answer)`);
    expectNoUserinfo(error);
  });

  it("a proxy that closes the connection on CONNECT: ECONNRESET through the proxy", async () => {
    const proxy = await rawProxy((socket) => socket.destroy());

    const error = await request(proxy.withUser);

    expect(error).toMatchObject({ kind: "connection" });
    expect(error.message).toMatch(
      new RegExp(
        `^connection to ${STS.replace(/\./g, "\\.")} failed: (ECONNRESET|EPIPE) \\(through the proxy ${proxy.shown.replace(/\./g, "\\.")}\\)$`,
      ),
    );
    expectNoUserinfo(error);
  });

  it("a proxy that never answers CONNECT: a timeout at the request's deadline, naming no credentials", async () => {
    const proxy = await rawProxy(() => {});

    const error = await request(proxy.withUser, 200);

    expect(error).toMatchObject({ kind: "timeout" });
    expect(proxy.heads).toHaveLength(1);
    expectNoUserinfo(error);
  });
});
