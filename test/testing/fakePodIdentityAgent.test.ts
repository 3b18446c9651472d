import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeJwt, type FakePodIdentityAgent, fakePodIdentityAgent } from "../../src/testing/index.js";
import { ADAPTERS, call, NOW, type Served, serve } from "./serveFake.js";

const CREDENTIALS = { accessKeyId: "ASIAPODIDTESTKEY0001", secretAccessKey: "PODsecret", sessionToken: "PODtoken" };
const GO_TEXT = "text/plain; charset=utf-8";

describe.each(ADAPTERS)("fakePodIdentityAgent through %s", (adapter) => {
  const token = createFakeJwt({ now: NOW });
  let agent: FakePodIdentityAgent;
  let served: Served;
  const credentialsUrl = (): string => `${served.baseUrl}/v1/credentials`;
  const withToken = (value: string): RequestInit => ({ headers: { Authorization: value } });

  beforeEach(async () => {
    agent = fakePodIdentityAgent({ expectedToken: token, credentials: CREDENTIALS, now: () => NOW });
    served = await serve(adapter, agent.handler, "http://169.254.170.23");
  });
  afterEach(() => served.close());

  it("serves the credentials as JSON for the raw token, valid 6 hours", async () => {
    const response = await call(credentialsUrl(), withToken(token));
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.body).toBe(
      '{"AccessKeyId":"ASIAPODIDTESTKEY0001","SecretAccessKey":"PODsecret","Token":"PODtoken",' +
        '"AccountId":"123456789012","Expiration":"2030-01-01T06:00:00Z"}',
    );
    expect(agent.requests[0]?.headers.authorization).toBe(token);
  });

  it("answers 400 when the token is missing", async () => {
    const response = await call(credentialsUrl());
    expect(response).toMatchObject({ status: 400, body: "Service account token cannot be empty\n" });
    expect(response.headers["content-type"]).toBe(GO_TEXT);
  });

  it("answers 400 cannot be parsed to a token sent with a Bearer prefix or not a JWT", async () => {
    expect(await call(credentialsUrl(), withToken(`Bearer ${token}`))).toMatchObject({
      status: 400,
      body: "Service account token cannot be parsed: token is malformed: could not base64 decode header\n",
    });
    expect(await call(credentialsUrl(), withToken("opaque"))).toMatchObject({
      status: 400,
      body: "Service account token cannot be parsed: token is malformed: token contains an invalid number of segments\n",
    });
  });

  it("answers 400 failed basic claim validations to an expired or unexpected token", async () => {
    const expired = createFakeJwt({ now: NOW, expiresInSeconds: -1 });
    const other = createFakeJwt({ now: NOW });
    for (const sent of [expired, other]) {
      expect(await call(credentialsUrl(), withToken(sent))).toMatchObject({
        status: 400,
        body: "Service account token failed basic claim validations: token has invalid claims: token is expired\n",
      });
    }
  });

  it("accepts any unexpired JWT when no token is expected", async () => {
    agent.configure({ expectedToken: undefined });
    expect((await call(credentialsUrl(), withToken(createFakeJwt({ now: NOW })))).status).toBe(200);
  });

  it("answers 429 to the first requests when throttled, then the credentials", async () => {
    agent.setMode("throttled", { times: 1 });
    expect(await call(credentialsUrl(), withToken(token))).toMatchObject({ status: 429, body: "Rate exceeded\n" });
    expect((await call(credentialsUrl(), withToken(token))).status).toBe(200);
  });

  it("mirrors the status and message of an upstream error", async () => {
    agent.setMode("upstreamError", {
      status: 403,
      message: "AccessDeniedException: no association for this service account",
    });
    expect(await call(credentialsUrl(), withToken(token))).toMatchObject({
      status: 403,
      body: "AccessDeniedException: no association for this service account\n",
    });
  });

  it("trickles when told to: the headers come, the body never ends, only a deadline ends the wait", async () => {
    agent.injectFault({ kind: "trickle", intervalMs: 20 }, { path: "/v1/credentials", times: 1 });
    const controller = new AbortController();
    const response = await fetch(credentialsUrl(), { ...withToken(token), signal: controller.signal });
    expect(response.status).toBe(200);
    const timer = setTimeout(() => controller.abort(), 150);
    await expect(response.text()).rejects.toThrow();
    clearTimeout(timer);
    expect((await call(credentialsUrl(), withToken(token))).status).toBe(200);
  });

  it("answers an injected status fault, then recovers", async () => {
    agent.injectFault({ kind: "status", status: 503, body: "<html>upstream down</html>" }, { times: 1 });
    expect(await call(credentialsUrl(), withToken(token))).toMatchObject({
      status: 503,
      body: "<html>upstream down</html>",
    });
    expect((await call(credentialsUrl(), withToken(token))).status).toBe(200);
  });

  it("drops the connection when told to reset", async () => {
    agent.injectFault({ kind: "reset" }, { times: 1 });
    await expect(fetch(credentialsUrl(), { ...withToken(token), signal: AbortSignal.timeout(1_000) })).rejects.toThrow(
      TypeError,
    );
    expect((await call(credentialsUrl(), withToken(token))).status).toBe(200);
  });

  it("answers 404 to any other path", async () => {
    expect(await call(`${served.baseUrl}/v2/credentials`, withToken(token))).toMatchObject({
      status: 404,
      body: "404 page not found\n",
    });
  });
});
