// serve's endpoint, as the pod's other containers see it: the container-credentials document behind the token,
// nothing without it, the health and readiness answers, one upstream request for many callers, the access log.
import { describe, expect, it } from "vitest";
import { CREDENTIALS_PATH } from "../../src/cli/serve.js";
import { findLeaks } from "../support/leakCheck.js";
import { get, podIdentityPod, startServe } from "./harness.js";

describe("serve: the credentials endpoint", () => {
  it("answers a request carrying the token with the document the AWS SDKs read, in whole seconds", async () => {
    const { env, issued, agent } = await podIdentityPod();
    const serving = await startServe(env);
    await serving.ready;
    const token = await serving.token();

    const { status, body, headers } = await get(serving.url, { Authorization: token });

    expect(status).toBe(200);
    expect(headers["content-type"]).toBe("application/json");
    expect(headers["cache-control"]).toBe("no-store");
    const document = JSON.parse(body);
    expect(document).toEqual({
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      Token: issued.sessionToken,
      Expiration: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(new Date(document.Expiration).getTime()).toBeGreaterThan(Date.now());
    expect(agent.requests).toHaveLength(1);
    expect(new URL(serving.url).pathname).toBe(CREDENTIALS_PATH);
  });

  it("answers 401 without a token and 403 with a wrong one, with no credentials in either answer", async () => {
    const { env, issued } = await podIdentityPod();
    const serving = await startServe(env);
    await serving.ready;
    const token = await serving.token();

    const missing = await get(serving.url);
    const empty = await get(serving.url, { Authorization: "" });
    const wrong = await get(serving.url, { Authorization: `${token.slice(0, -1)}x` });
    const longer = await get(serving.url, { Authorization: `${token}x` });
    const bearer = await get(serving.url, { Authorization: `Bearer ${token}` });

    expect([missing, empty, wrong, longer, bearer].map(({ status }) => status)).toEqual([401, 401, 403, 403, 403]);
    expect(JSON.parse(missing.body)).toMatchObject({ Code: "MissingAuthorization" });
    expect(JSON.parse(wrong.body)).toMatchObject({ Code: "AccessDenied" });
    const bodies = [missing, empty, wrong, longer, bearer].map(({ body }) => body);
    expect(findLeaks(bodies, [issued.accessKeyId, issued.secretAccessKey, issued.sessionToken])).toEqual([]);
  });

  it("answers 404 on other paths and 405 to methods other than GET, once the token is right", async () => {
    const { env } = await podIdentityPod();
    const serving = await startServe(env);
    await serving.ready;
    const token = await serving.token();
    const base = new URL(serving.url).origin;

    expect((await get(`${base}/`, { Authorization: token })).status).toBe(404);
    expect((await get(`${base}/latest/meta-data/iam/security-credentials/`, { Authorization: token })).status).toBe(
      404,
    );
    expect((await get(serving.url, { Authorization: token }, "POST")).status).toBe(405);
    expect((await get(serving.url, {}, "POST")).status).toBe(401);
  });

  it("takes the token's query string as part of nothing: the path alone decides", async () => {
    const { env } = await podIdentityPod();
    const serving = await startServe(env);
    await serving.ready;
    const token = await serving.token();

    expect((await get(`${serving.url}?role=other`, { Authorization: token })).status).toBe(200);
  });

  it("gives 1,000 concurrent requests at a cold start one upstream request, and all of them the same credentials", async () => {
    let release: () => void = () => {};
    const hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { env, agent, issued } = await podIdentityPod({ hold });
    // The fake agent shares this process with 1,000 clients: its answer may take longer than the default 1 s.
    const serving = await startServe({ ...env, POD_CREDENTIALS_TIMEOUT_MS: "10000" });
    const token = await serving.token();

    const answers = Array.from({ length: 1000 }, () => get(serving.url, { Authorization: token }));
    // Every request has been sent while the agent holds its answer: none can have been served yet.
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    const settled = await Promise.all(answers);

    expect(
      new Set(settled.filter(({ status }) => status !== 200).map(({ status, body }) => `${status} ${body}`)),
    ).toEqual(new Set());
    expect(settled.filter(({ status }) => status === 200)).toHaveLength(1000);
    expect(new Set(settled.map(({ body }) => JSON.parse(body).AccessKeyId))).toEqual(new Set([issued.accessKeyId]));
    expect(agent.requests).toHaveLength(1);
    // A guard against a hang, not a speed target: 1,000 clients in one process take long on a loaded machine.
  }, 60_000);

  it("answers the chain's error (name, message and fix, no secret) with 503 while no credentials can be had", async () => {
    const { env, agent } = await podIdentityPod();
    agent.setMode("upstreamError", { status: 500, message: "Internal Server Error" });
    const serving = await startServe({ ...env, POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "0" });
    await expect(serving.ready).rejects.toMatchObject({ name: "CredentialSourceError" });
    const token = await serving.token();

    const { status, body } = await get(serving.url, { Authorization: token });

    expect(status).toBe(503);
    const answer = JSON.parse(body);
    expect(answer.Code).toBe("CredentialSourceError");
    expect(answer.Message).toMatch(/^\[podIdentity\] .* Fix: /);
  });

  it("writes one access log line per request at debug, with method, path and status, never the token", async () => {
    const { env, issued } = await podIdentityPod();
    const serving = await startServe(env);
    await serving.ready;
    const token = await serving.token();

    await get(serving.url, { Authorization: token });
    await get(serving.url, { Authorization: "not the token, but a secret of someone" });
    await get(`${new URL(serving.url).origin}/healthz`);
    await get(`${new URL(serving.url).origin}/evil%0Aforged line?secret=abc`, { Authorization: token });

    const access = serving.logger.at("debug").filter((line) => line.startsWith("pod-credentials serve:"));
    expect(access.map((line) => line.replace(/ [\d.]+ ms$/, ""))).toEqual([
      "pod-credentials serve: GET /v1/credentials 200",
      "pod-credentials serve: GET /v1/credentials 403",
      "pod-credentials serve: GET /healthz 200",
      'pod-credentials serve: GET "/evil%0Aforged%20line" 404',
    ]);
    const everything = serving.logger.lines;
    expect(
      findLeaks(everything, [token, "someone", "secret=abc", issued.secretAccessKey, issued.sessionToken]),
    ).toEqual([]);
  });
});

describe("serve: health and readiness", () => {
  it("answers /healthz at once and /readyz with the source once credentials are held, both without the token", async () => {
    let release: () => void = () => {};
    const hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { env } = await podIdentityPod({ hold });
    const serving = await startServe(env);
    const base = new URL(serving.url).origin;

    expect(await get(`${base}/healthz`)).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    const readiness = get(`${base}/readyz`);
    release();

    expect(await readiness).toMatchObject({ status: 200 });
    expect(JSON.parse((await readiness).body)).toEqual({ status: "ready", source: "podIdentity" });
  });

  it("answers /readyz with 503 and the chain's error when nothing pod-scoped is configured", async () => {
    const serving = await startServe({});
    await expect(serving.ready).rejects.toMatchObject({ name: "NoPodCredentialsError" });

    const { status, body } = await get(`${new URL(serving.url).origin}/readyz`);

    expect(status).toBe(503);
    expect(JSON.parse(body)).toMatchObject({
      Code: "NoPodCredentialsError",
      Message: expect.stringContaining("No pod-scoped AWS credentials are configured for this pod"),
    });
  });

  it("refreshes ahead of expiry with no request coming in, so readiness never lapses", async () => {
    // Credentials living 4 s are refreshed from half their lifetime on (the refresh window is at most half of it).
    const { env, agent } = await podIdentityPod({ lifetimeMs: 4_000 });
    const serving = await startServe(env);
    await serving.ready;
    expect(agent.requests).toHaveLength(1);

    await expect.poll(() => agent.requests.length, { timeout: 12_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    expect(serving.logger.at("error")).toEqual([]);
  });
});
