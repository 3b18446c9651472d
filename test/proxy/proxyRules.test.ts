// The proxy rules at their edges: host names that only look local still take the proxy, NO_PROXY ports default by
// scheme, and a CONNECT answer (msw off, loopback only) is read as a head whatever chunks it comes in, up to 16 KiB and no further.
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxyFor } from "../../src/wire/http.js";
import { startTestServer } from "../support/loopback.js";
import { mswServer } from "../support/mswServer.js";
import { closeAfterEach, failureThrough, listenOnLoopback, requestThrough } from "./harness.js";

const PROXY = "http://proxy.internal:3128";
const ALL_PROXIES = { HTTPS_PROXY: PROXY, HTTP_PROXY: PROXY, https_proxy: PROXY, http_proxy: PROXY };

describe("proxyFor: local names and addresses", () => {
  it("a subdomain of localhost is local: never proxied", () => {
    expect(proxyFor("http://metadata.localhost:8080/", ALL_PROXIES)).toBeUndefined();
  });

  it.each([
    ["a host name that starts with a loopback address", "https://127.0.0.1.nip.io/"],
    ["an IPv6 address with a link-local-looking group in its middle", "https://[2001:db8::fe80:1]/"],
    ["an IPv6 address with ::ffff: in its middle", "https://[1::ffff:7f00:1]/"],
    ["an IPv6 address that starts like an IPv4-mapped loopback but has a third group", "https://[::ffff:7f00:1:2]/"],
  ])("%s is not local: proxied", (_, url) => {
    expect(proxyFor(url, ALL_PROXIES)).toBe(PROXY);
  });
});

describe("proxyFor: a NO_PROXY entry with a port, for a URL without one", () => {
  it.each([
    ["http://sts.internal/", "sts.internal:80", undefined],
    ["http://sts.internal/", "sts.internal:443", PROXY],
    ["https://sts.internal/", "sts.internal:443", undefined],
    ["https://sts.internal/", "sts.internal:80", PROXY],
  ])("%s with NO_PROXY=%s", (url, noProxy, expected) => {
    expect(proxyFor(url, { ...ALL_PROXIES, NO_PROXY: noProxy })).toBe(expected);
  });
});

describe("proxyFor: a NO_PROXY entry that names no host", () => {
  it("exempts not even a fully qualified host name ending in a dot", () => {
    expect(proxyFor("https://sts.eu-west-1.amazonaws.com./", { ...ALL_PROXIES, NO_PROXY: "., :443" })).toBe(PROXY);
  });
});

describe("reading the proxy's answer to CONNECT", () => {
  // msw's interceptor would answer a plain-http request directly, never through the tunnel (see tunnelInside.test.ts).
  beforeAll(() => mswServer.close());
  afterAll(() => mswServer.listen({ onUnhandledRequest: "error" }));
  const closeLater = closeAfterEach();

  /** A loopback upstream that answers with the Host header it was sent. */
  const upstream = async () => {
    const server = await startTestServer((request, response) => response.end(`host=${request.headers.host}`));
    closeLater(server.close);
    return Number(new URL(server.url).port);
  };

  /** A raw proxy that sends `first`, then after a pause `rest`, then pipes the tunnel to `port`. */
  const proxySendingInTwo = async (port: number, first: string, rest: string) => {
    const server: Server = createServer((client: Socket) => {
      client.on("error", () => {});
      let head = "";
      const onData = (chunk: Buffer) => {
        head += chunk.toString("latin1");
        if (!head.includes("\r\n\r\n")) return;
        client.off("data", onData);
        client.write(first);
        setTimeout(() => {
          const target = connect(port, "127.0.0.1", () => {
            client.write(rest);
            client.pipe(target).pipe(client);
          });
          target.on("error", () => client.destroy());
        }, 50);
      };
      client.on("data", onData);
    });
    const { port: proxyPort, close } = await listenOnLoopback(server);
    closeLater(close);
    return `http://127.0.0.1:${proxyPort}`;
  };

  it("waits for the rest of a head that comes in two chunks, then sends the request with the target's Host", async () => {
    const proxy = await proxySendingInTwo(await upstream(), "HTTP/1.1 200 Connection Established\r\n", "\r\n");

    const answer = await requestThrough("http://sts.internal/", proxy);

    expect(answer).toMatchObject({ status: 200, body: "host=sts.internal" });
  });

  it("accepts a head of exactly 16 KiB before its end", async () => {
    const start = "HTTP/1.1 200 Connection Established\r\nX-Padding: ";
    const first = start + "x".repeat(16 * 1024 - start.length);
    const proxy = await proxySendingInTwo(await upstream(), first, "\r\n\r\n");

    const answer = await requestThrough("http://sts.internal:8080/", proxy);

    expect(answer).toMatchObject({ status: 200, body: "host=sts.internal:8080" });
  });

  it("reaches a proxy at an IPv6 address, brackets dropped for the connection", async () => {
    const server: Server = createServer((client: Socket) => {
      client.on("error", () => {});
      client.once("data", () => client.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"));
    });
    const sockets = new Set<Socket>();
    server.on("connection", (socket: Socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, "::1", resolve));
    const port = (server.address() as AddressInfo).port;
    closeLater(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );

    const error = await failureThrough("https://sts.eu-west-1.amazonaws.com/", `http://[::1]:${port}`);

    expect(error).toMatchObject({ kind: "connection", code: "ERR_PROXY_TUNNEL" });
    expect(error.message).toContain(`(the proxy http://[::1]:${port}/ answered CONNECT with HTTP 407)`);
  });

  it("an empty head (the answer starts with its blank line) is no HTTP answer, refused at once", async () => {
    const server: Server = createServer((client: Socket) => {
      client.on("error", () => {});
      client.once("data", () => client.write("\r\n\r\n"));
    });
    const { port, close } = await listenOnLoopback(server);
    closeLater(close);

    const error = await failureThrough("https://sts.eu-west-1.amazonaws.com/", `http://127.0.0.1:${port}`, 3000);

    expect(error).toMatchObject({ kind: "connection", code: "ERR_PROXY_TUNNEL" });
    expect(error.message).toContain(`(the proxy http://127.0.0.1:${port}/ sent no HTTP answer)`);
  });
});
