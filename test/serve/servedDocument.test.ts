// What serve answers for each kind of credentials and at each moment of its life: keys that never expire, an IRSA
// role, a request after the planned refresh time; the ready line's quoting; the token file checked before listening.
import { mkdir } from "node:fs/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readyLine } from "../../src/cli/serve.js";
import { fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { freshTokenPath, get, podIdentityPod, serveExiting, startServe } from "./harness.js";

describe("serve: the document for each kind of credentials", () => {
  it("static keys that never expire: no Expiration, and the same document for every request", async () => {
    const keys = secretCredentials("STATIC");
    const serving = await startServe({
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      POD_CREDENTIALS_SOURCES: "env",
    });
    const description = await serving.ready;
    const token = await serving.token();

    const first = await get(serving.url, { Authorization: token });
    const second = await get(serving.url, { Authorization: token });

    expect(description).toMatchObject({ source: "env", expiration: undefined, nextRefreshAt: undefined });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ AccessKeyId: keys.accessKeyId, SecretAccessKey: keys.secretAccessKey });
    expect(second.body).toBe(first.body);
  });

  it("an IRSA role: the document names the role in RoleArn", async () => {
    const sts = fakeSts();
    await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);
    const serving = await startServe({
      AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", secretToken({ expiresInSeconds: 86_400 })),
      AWS_ROLE_ARN: ORDERS_ROLE_ARN,
      AWS_REGION: "us-east-1",
    });
    await serving.ready;
    const token = await serving.token();

    const { status, body } = await get(serving.url, { Authorization: token });

    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({
      AccessKeyId: sts.issued[0]?.accessKeyId,
      SecretAccessKey: sts.issued[0]?.secretAccessKey,
      Token: sts.issued[0]?.sessionToken,
      Expiration: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      RoleArn: ORDERS_ROLE_ARN,
    });
  });
});

describe("serve: a request after the planned refresh time", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("goes through the provider, which serves the cached credentials while it refreshes in the background", async () => {
    const { env, issued, agent } = await podIdentityPod({ lifetimeMs: 3_600_000 });
    const serving = await startServe(env);
    const description = await serving.ready;
    const token = await serving.token();
    const refreshAt = description.nextRefreshAt?.getTime() ?? Number.NaN;
    expect(refreshAt).toBeLessThan(description.expiration?.getTime() ?? Number.NaN);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(refreshAt + 1_000);
    const { status, body } = await get(serving.url, { Authorization: token });

    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ AccessKeyId: issued.accessKeyId });
    await expect.poll(() => agent.requests.length).toBe(2);
  });
});

describe("serve's ready line", () => {
  const url = "http://127.0.0.1:9911/v1/credentials";

  it("gives a plain token-file path as it is", () => {
    expect(readyLine({ url, tokenFile: "/var/run/pod-credentials/token" })).toBe(
      `AWS_CONTAINER_CREDENTIALS_FULL_URI=${url} AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/pod-credentials/token\n`,
    );
  });

  it.each([
    ["a space", "/var/run/pod credentials/token", "'/var/run/pod credentials/token'"],
    ["a single quote", "/var/run/o'brien/token", "'/var/run/o'\\''brien/token'"],
    ["a dollar sign", "/var/run/$HOME/token", "'/var/run/$HOME/token'"],
  ])("quotes a path with %s for the shell", (_, tokenFile, shown) => {
    expect(readyLine({ url, tokenFile })).toBe(
      `AWS_CONTAINER_CREDENTIALS_FULL_URI=${url} AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=${shown}\n`,
    );
  });
});

describe("pod-credentials serve, the command", () => {
  it("checks the token file before listening, with or without --listen: a folder there is exit 2", async () => {
    const folder = await freshTokenPath();
    await mkdir(folder, { mode: 0o700 });

    const { code, stderr } = await serveExiting(["--token-file", folder]);

    expect(code).toBe(2);
    expect(stderr).toBe(
      `pod-credentials serve: PodCredentialsError: [serve] Cannot read the token file ${folder} (EISDIR). Fix: point ` +
        "--token-file at a file, or remove what is at that path and let serve create the token there.\n",
    );
  });
});
