// Which requests go through a proxy (only STS asks): HTTPS_PROXY / https_proxy for https URLs, HTTP_PROXY / http_proxy
// for http ones, NO_PROXY exemptions, and never loopback or link-local addresses (IMDS, the Pod Identity agent,
// kube2iam), whatever the variables say. Then the tunnel itself, through a loopback CONNECT proxy.
import { describe, expect, it } from "vitest";
import { HttpRequestError, httpRequest, proxyFor } from "../../src/wire/http.js";
import { startTestServer } from "../support/loopback.js";
import { type ConnectProxy, startConnectProxy } from "./connectProxy.js";
import { closeAfterEach, failureThrough, listenOnLoopback, requestThrough } from "./harness.js";

const PROXY = "http://proxy.internal:3128";
const STS = "https://sts.eu-west-1.amazonaws.com/";

describe("proxyFor: which calls take the proxy", () => {
  it.each([
    ["HTTPS_PROXY for an https URL", STS, { HTTPS_PROXY: PROXY }, PROXY],
    ["https_proxy over HTTPS_PROXY (as curl)", STS, { https_proxy: PROXY, HTTPS_PROXY: "http://other:1" }, PROXY],
    ["a proxy without a scheme is http", STS, { HTTPS_PROXY: "proxy.internal:3128" }, PROXY],
    ["HTTP_PROXY is not for https URLs", STS, { HTTP_PROXY: PROXY }, undefined],
    ["HTTP_PROXY for an http URL", "http://sts.internal/", { HTTP_PROXY: PROXY }, PROXY],
    ["nothing set", STS, {}, undefined],
    ["an empty HTTPS_PROXY", STS, { HTTPS_PROXY: "" }, undefined],
  ])("%s", (_, url, env, expected) => {
    expect(proxyFor(url, env)).toBe(expected);
  });

  it.each([
    ["*", true],
    ["amazonaws.com", true],
    [".amazonaws.com", true],
    ["*.amazonaws.com", true],
    ["example.com, sts.eu-west-1.amazonaws.com", true],
    ["sts.eu-west-1.amazonaws.com:443", true],
    ["sts.eu-west-1.amazonaws.com:8443", false],
    ["west-1.amazonaws.com.evil", false],
    ["mazonaws.com", false],
    ["", false],
  ])("NO_PROXY=%j exempts STS: %s", (noProxy, exempt) => {
    expect(proxyFor(STS, { HTTPS_PROXY: PROXY, NO_PROXY: noProxy })).toBe(exempt ? undefined : PROXY);
    expect(proxyFor(STS, { HTTPS_PROXY: PROXY, no_proxy: noProxy })).toBe(exempt ? undefined : PROXY);
  });

  it.each([
    "http://169.254.169.254/latest/api/token",
    "http://169.254.170.23/v1/credentials",
    "http://169.254.170.2/v2/credentials/x",
    "http://[fd00:ec2::254]/latest/api/token",
    "http://[fd00:ec2::23]/v1/credentials",
    "http://[fe80::1]/",
    "http://127.0.0.1:8080/",
    "http://127.5.5.5/",
    "http://[::1]:9000/",
    "http://localhost:8080/",
    "https://localhost/",
  ])("never for %s, whatever the variables say", (url) => {
    const env = { HTTPS_PROXY: PROXY, HTTP_PROXY: PROXY, https_proxy: PROXY, http_proxy: PROXY };
    expect(proxyFor(url, env)).toBeUndefined();
  });
});

describe("httpRequest through a CONNECT proxy", () => {
  const closeLater = closeAfterEach();

  const target = async () => {
    const server = await startTestServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => response.end(`${request.method} ${request.url} ${body}`));
    });
    closeLater(server.close);
    return server;
  };
  const proxyTo = async (port: number, options: { refuse?: number } = {}): Promise<ConnectProxy> => {
    const proxy = await startConnectProxy(() => port, options);
    closeLater(proxy.close);
    return proxy;
  };

  // With msw on, its interceptor answers over a socket of its own: what travels inside the tunnel is tunnelInside.test.ts.
  it("opens one tunnel per request, asking the proxy for the target's host and port", async () => {
    const server = await target();
    const port = Number(new URL(server.url).port);
    const proxy = await proxyTo(port);

    const answer = await httpRequest({
      url: `http://127.0.0.1:${port}/path`,
      method: "POST",
      body: "Action=GetCallerIdentity",
      timeoutMs: 5000,
      maxBodyBytes: 1024,
      proxy: proxy.url,
    });

    expect(answer).toMatchObject({ status: 200, body: "POST /path Action=GetCallerIdentity" });
    expect(proxy.tunnels).toEqual([{ authority: `127.0.0.1:${port}`, authorization: undefined }]);
    expect(proxy.plainRequests).toEqual([]);
  });

  it("sends the proxy's user and password as Proxy-Authorization, and never shows the password", async () => {
    const server = await target();
    const port = Number(new URL(server.url).port);
    const proxy = await proxyTo(port);
    const withUser = proxy.url.replace("http://", "http://svc%40team:s3cr%3Aet@");

    await requestThrough(`http://127.0.0.1:${port}/`, withUser);

    expect(proxy.tunnels[0]?.authorization).toBe(`Basic ${Buffer.from("svc@team:s3cr:et").toString("base64")}`);
  });

  it("a proxy that refuses the tunnel is a connection error naming the proxy and its status, without its password", async () => {
    const proxy = await proxyTo(1, { refuse: 407 });
    const withUser = proxy.url.replace("http://", "http://svc:hunter2hunter2@");

    const error = await failureThrough("https://sts.eu-west-1.amazonaws.com/", withUser);

    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error).toMatchObject({ kind: "connection", code: "ERR_PROXY_TUNNEL" });
    expect((error as Error).message).toBe(
      `connection to https://sts.eu-west-1.amazonaws.com/ failed: ERR_PROXY_TUNNEL (the proxy ${proxy.url}/ answered CONNECT with HTTP 407)`,
    );
  });

  it("a proxy that is not there is a connection error naming it", async () => {
    const proxy = await proxyTo(1);
    await proxy.close();

    const error = await failureThrough("https://sts.eu-west-1.amazonaws.com/", proxy.url);

    expect(error).toMatchObject({ kind: "connection", code: "ECONNREFUSED" });
    expect((error as Error).message).toContain(`(through the proxy ${proxy.url}/)`);
  });

  it("a proxy URL that is not http: is refused before anything is sent", async () => {
    const error = await failureThrough("https://sts.eu-west-1.amazonaws.com/", "https://proxy.internal:3128");

    expect(error).toMatchObject({ kind: "connection", code: "ERR_INVALID_PROXY" });
  });

  it("the deadline covers the CONNECT: a proxy that never answers it times out", async () => {
    // A proxy that accepts CONNECT and never answers it.
    const { createServer } = await import("node:http");
    const hanging = createServer();
    // Holding the socket and never writing: listenOnLoopback destroys it at the end of the test.
    hanging.on("connect", () => {});
    const { port, close } = await listenOnLoopback(hanging);
    closeLater(close);

    const error = await failureThrough("https://sts.eu-west-1.amazonaws.com/", `http://127.0.0.1:${port}`, 100);

    expect(error).toMatchObject({ kind: "timeout" });
  });
});
