// The edges of the proxy rules: URLs proxyFor cannot or need not route, NO_PROXY entries that are not a host (and so
// exempt nothing), NO_PROXY entries for IPv6 addresses, and a proxy setting that is no URL at all.
import { describe, expect, it } from "vitest";
import { HttpRequestError, httpRequest, proxyFor } from "../../src/wire/http.js";
import { startTestServer } from "../support/loopback.js";

const PROXY = "http://proxy.internal:3128";
const STS = "https://sts.eu-west-1.amazonaws.com/";
const ALL_PROXIES = { HTTPS_PROXY: PROXY, HTTP_PROXY: PROXY, https_proxy: PROXY, http_proxy: PROXY };

describe("proxyFor: URLs that take no proxy whatever the variables say", () => {
  it.each([
    ["text that is not a URL", "sts.eu-west-1.amazonaws.com/"],
    ["a scheme other than http and https", "ftp://sts.eu-west-1.amazonaws.com/"],
  ])("%s", (_, url) => {
    expect(proxyFor(url, ALL_PROXIES)).toBeUndefined();
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

describe("httpRequest with a proxy setting that is not a URL", () => {
  it("is a connection error naming the request's URL, before anything is sent", async () => {
    const server = await startTestServer((_request, response) => response.end("ok"));
    try {
      const error = await httpRequest({
        url: `${server.url}/`,
        timeoutMs: 5000,
        maxBodyBytes: 1024,
        proxy: "proxy internal:3128",
      }).catch((caught: unknown) => caught);

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
