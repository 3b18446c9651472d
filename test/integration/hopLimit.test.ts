// The node's instance profile, when it is allowed (POD_CREDENTIALS_ALLOW_NODE=true), behind a metadata hop limit of
// 1: the IMDSv2 token PUT never gets an answer. The pod pays one per-request deadline for it, then uses IMDSv1 with a
// warning; with AWS_EC2_METADATA_V1_DISABLED=true it fails with an error that says to raise the hop limit.
// (That the timeout is paid once per process, not at every refresh, needs several resolutions in one process: see
// test/sources/instanceProfile.test.ts.)
import { beforeAll, describe, it } from "vitest";
import { fakeImds } from "../../src/testing/index.js";
import {
  expectNothingLeaked,
  LISTING_PATH,
  MARGIN_MS,
  measureChildStartUp,
  type PodScenario,
  podScenario,
  TOKEN_PATH,
} from "../support/podScenario.js";

const TIMEOUT_MS = 300;
const NODE_ALLOWED = { POD_CREDENTIALS_TIMEOUT_MS: String(TIMEOUT_MS), POD_CREDENTIALS_ALLOW_NODE: "true" };
const CREDENTIALS_PATH = `${LISTING_PATH}eks-node-role`;
const TOKEN_HEADER = "x-aws-ec2-metadata-token";

let startUpMs = 0;
beforeAll(async () => {
  startUpMs = await measureChildStartUp();
});
const within = (deadlineMs: number): number => deadlineMs + startUpMs + MARGIN_MS;

const imdsPod = async (pod: PodScenario, options: Parameters<typeof fakeImds>[0] = {}) => {
  const imds = fakeImds({ roleName: "eks-node-role", credentials: pod.secrets.credentials("NODE"), ...options });
  const server = await pod.serve(imds.handler);
  return { imds, server, env: { ...NODE_ALLOWED, AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url } };
};

const requestLines = (
  requests: readonly { method: string; path: string; headers: Readonly<Record<string, string>> }[],
): string[] =>
  requests.map(
    (request) => `${request.method} ${request.path}${request.headers[TOKEN_HEADER] === undefined ? "" : " (token)"}`,
  );

describe.concurrent("the node's instance profile, allowed", () => {
  it("within the hop limit: IMDSv2, one token, three requests, and a warning that every pod shares the role", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { imds, env } = await imdsPod(pod);

    const run = await pod.run(env);

    expect(run.exitCode).toBe(0);
    expect(run.result).toEqual({ ok: true, source: "instanceProfile", accessKeyId: imds.credentials.accessKeyId });
    expect(requestLines(imds.requests)).toEqual([
      `PUT ${TOKEN_PATH}`,
      `GET ${LISTING_PATH} (token)`,
      `GET ${CREDENTIALS_PATH} (token)`,
    ]);
    expect(imds.issuedTokens).toHaveLength(1);
    expect(run.stderr).toContain("every pod on this node shares these credentials");
    expect(run.stderr).not.toContain("IMDSv1");
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("behind a hop limit of 1: one token PUT that times out, then IMDSv1 with a warning", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { imds, server, env } = await imdsPod(pod, { hopLimitExceeded: true });

    const run = await pod.run(env);

    expect(run.exitCode).toBe(0);
    expect(run.result).toEqual({ ok: true, source: "instanceProfile", accessKeyId: imds.credentials.accessKeyId });
    expect(requestLines(imds.requests)).toEqual([
      `PUT ${TOKEN_PATH}`,
      `GET ${LISTING_PATH}`,
      `GET ${CREDENTIALS_PATH}`,
    ]);
    expect(run.stderr).toContain(
      `the IMDSv2 token request to ${server.url}${TOKEN_PATH} got no answer within ${TIMEOUT_MS} ms (a metadata hop limit of 1 blocks IMDSv2 from pods); using IMDSv1`,
    );
    expect(run.stderr).toContain("--http-put-response-hop-limit 2");
    expect(run.resultAtMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(run.elapsedMs).toBeLessThan(within(TIMEOUT_MS));
    await expectNothingLeaked(expect, pod, run);
  });

  it("behind a hop limit of 1 with AWS_EC2_METADATA_V1_DISABLED=true: a clear error after the token PUT alone", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { imds, server, env } = await imdsPod(pod, { hopLimitExceeded: true });

    const run = await pod.run({ ...env, AWS_EC2_METADATA_V1_DISABLED: "true" });

    expect(run.exitCode).toBe(2);
    expect(run.result).toMatchObject({ ok: false, name: "CredentialSourceError" });
    expect(run.result.message).toContain(
      `IMDSv2 is out of reach: the IMDSv2 token request to ${server.url}${TOKEN_PATH} got no answer within ${TIMEOUT_MS} ms`,
    );
    expect(run.result.message).toContain("AWS_EC2_METADATA_V1_DISABLED forbids IMDSv1");
    expect(run.result.message).toContain("Fix: raise the instance's metadata hop limit to 2");
    expect(requestLines(imds.requests)).toEqual([`PUT ${TOKEN_PATH}`]);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(run.elapsedMs).toBeLessThan(within(TIMEOUT_MS));
    await expectNothingLeaked(expect, pod, run);
  });

  it("a token PUT refused with 403 (a proxy adding X-Forwarded-For): IMDSv1 at once, with a warning", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { imds, env } = await imdsPod(pod);
    imds.injectFault(
      { kind: "status", status: 403, body: "", headers: { "Content-Type": "text/html" } },
      { method: "PUT", path: TOKEN_PATH },
    );

    const run = await pod.run(env);

    expect(run.exitCode).toBe(0);
    expect(run.result).toEqual({ ok: true, source: "instanceProfile", accessKeyId: imds.credentials.accessKeyId });
    expect(requestLines(imds.requests)).toEqual([
      `PUT ${TOKEN_PATH}`,
      `GET ${LISTING_PATH}`,
      `GET ${CREDENTIALS_PATH}`,
    ]);
    expect(run.stderr).toContain("was answered with HTTP 403; using IMDSv1");
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  // Regression: the 401 of an IMDSv2-only instance to an IMDSv1 GET must be blamed on the hop limit, not on a
  // missing instance profile.
  it("behind a hop limit of 1 on an instance that requires IMDSv2: the error says to raise the hop limit", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { imds, env } = await imdsPod(pod, { hopLimitExceeded: true, v1Allowed: false });

    const run = await pod.run(env);

    expect(run.result).toMatchObject({ ok: false, name: "CredentialSourceError" });
    expect(requestLines(imds.requests)).toEqual([`PUT ${TOKEN_PATH}`, `GET ${LISTING_PATH}`]);
    expect(run.result.message).toContain("hop limit");
  });
});
