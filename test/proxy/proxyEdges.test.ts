// The edges of the proxy rules: URLs proxyFor cannot or need not route, NO_PROXY entries that are not a host (and so
// exempt nothing), NO_PROXY entries for IPv6 addresses, IPv4-mapped addresses, a proxy that speaks before the client
// and a proxy setting that is no URL at all.
import { type AddressInfo, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { HttpRequestError, proxyFor } from "../../src/wire/http.js";
import { startTestServer } from "../support/loopback.js";
import { failureThrough } from "./harness.js";

const PROXY = "http://proxy.internal:3128";
const STS = "https://sts.eu-west-1.amazonaws.com/";
const ALL_PROXIES = { HTTPS_PROXY: PROXY, HTTP_PROXY: PROXY, https_proxy: PROXY, http_proxy: PROXY };

describe("proxyFor: URLs that take no proxy whatever the variables say", () => {
  it.each([
    ["text that is not a URL", "sts.eu-west-1.amazonaws.com/"],
    ["a scheme other than http and https", "ftp://sts.eu-west-1.amazonaws.com/"],
    // The URL parser writes IPv4-mapped addresses in hexadecimal ([::ffff:7f00:1]): they are still loopback and IMDS.
    ["IPv4-mapped loopback", "http://[::ffff:127.0.0.1]:9911/v1/credentials"],
    ["IPv4-mapped IMDS", "http://[::ffff:169.254.169.254]/latest/meta-data/"],
    ["IPv4-mapped Pod Identity agent", "http://[::ffff:169.254.170.23]/v1/credentials"],
    ["IPv4-mapped loopback written in hexadecimal", "http://[::ffff:7f00:1]/"],
  ])("%s", (_, url) => {
    expect(proxyFor(url, ALL_PROXIES)).toBeUndefined();
  });
});

describe("proxyFor: an IPv4-mapped address of a remote host is proxied like its IPv4 address", () => {
  it.each([["http://[::ffff:52.94.133.131]/"], ["http://[::ffff:a9ff:1]/"]])("%s", (url) => {
    expect(proxyFor(url, ALL_PROXIES)).toBe(PROXY);
  });
});

describe("proxyFor: NO_PROXY entries that name no host exempt nothing", () => {
  it.each([
    ["a port that is not a number", "sts.eu-west-1.amazonaws.com:https"],
    ["an IPv6 bracket left open", "[2600:1f18::1"],
    ["two ports", "sts.eu-west-1.amazonaws.com:443:443"],
    ["a bare dot", "."],
  ])("%s (%j)", (_, noProxy) => {
    expect(proxyFor(STS, { HTTPS_PROXY: PROXY, NO_PROXY: noProxy })).toBe(PROXY);
  });

  it("a malformed entry does not stop a later one in the list from exempting the host", () => {
    expect(proxyFor(STS, { HTTPS_PROXY: PROXY, NO_PROXY: "sts:https, amazonaws.com" })).toBeUndefined();
  });
});

describe("proxyFor: NO_PROXY and IPv6 endpoints", () => {
  const V6 = "https://[2600:1f18:4c2:9e00::5]/";
  it.each([
    ["[2600:1f18:4c2:9e00::5]", undefined],
    ["[2600:1f18:4c2:9e00::5]:443", undefined],
    ["[2600:1f18:4c2:9e00::5]:8443", PROXY],
    ["[2600:1f18:4c2:9e00::6]", PROXY],
  ])("NO_PROXY=%j: %s", (noProxy, expected) => {
    expect(proxyFor(V6, { HTTPS_PROXY: PROXY, NO_PROXY: noProxy })).toBe(expected);
  });
});

describe("httpRequest through a proxy that sends data with its 200, before the request", () => {
  it("is a tunnel error naming the proxy, at once rather than at the deadline", async () => {
    // Inside a tunnel the client speaks first (its TLS hello or its request): bytes that come with the 200 belong to
    // no protocol the request runs.
    const proxy = createServer((socket) =>
      socket.once("data", () => socket.write("HTTP/1.1 200 Connection Established\r\n\r\nHTTP/1.1 200 OK\r\n")),
    );
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const error = await failureThrough(STS, proxyUrl, 60_000);

      expect(error).toBeInstanceOf(HttpRequestError);
      expect(error).toMatchObject({ kind: "connection", code: "ERR_PROXY_TUNNEL" });
      expect((error as Error).message).toContain(`(the proxy ${proxyUrl}/ sent data in the tunnel before the request)`);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe("httpRequest with a proxy setting that is not a URL", () => {
  it("is a connection error naming the request's URL, before anything is sent", async () => {
    const server = await startTestServer((_request, response) => response.end("ok"));
    try {
      const error = await failureThrough(`${server.url}/`, "proxy internal:3128");

      expect(error).toBeInstanceOf(HttpRequestError);
      expect(error).toMatchObject({
        kind: "connection",
        code: "ERR_INVALID_PROXY",
        message: `connection to ${server.url}/ failed: ERR_INVALID_PROXY (the proxy must be an http:// URL)`,
      });
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
