// The node's instance profile, when it is allowed (POD_CREDENTIALS_ALLOW_NODE=true), behind a metadata hop limit of
// 1: the IMDSv2 token PUT never gets an answer. The pod pays one per-request deadline for it, then uses IMDSv1 with a
// warning; with AWS_EC2_METADATA_V1_DISABLED=true it fails with an error that says to raise the hop limit.
// (That the timeout is paid once per process, not at every refresh, needs several resolutions in one process: see
// test/instanceProfile/source.test.ts.)
import { describe, it } from "vitest";
import { expectCredentials, expectRefusal } from "../support/podAssertions.js";
import {
  expectNothingLeaked,
  imdsPod,
  LISTING_PATH,
  latestFinishAfterStartUp,
  podScenario,
  TOKEN_PATH,
} from "../support/podScenario.js";

const TIMEOUT_MS = 300;
const PER_REQUEST = { POD_CREDENTIALS_TIMEOUT_MS: String(TIMEOUT_MS) };
const CREDENTIALS_PATH = `${LISTING_PATH}eks-node-role`;
const TOKEN_HEADER = "x-aws-ec2-metadata-token";

const within = latestFinishAfterStartUp();

/** The requests IMDS received, as `METHOD path`, followed by ` (token)` for those that carried an IMDSv2 token. */
const requestLinesWithToken = (
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

    const run = await pod.run({ ...PER_REQUEST, ...env });

    expectCredentials(expect, run, { source: "instanceProfile", accessKeyId: imds.credentials.accessKeyId });
    expect(requestLinesWithToken(imds.requests)).toEqual([
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

    const run = await pod.run({ ...PER_REQUEST, ...env });

    expectCredentials(expect, run, { source: "instanceProfile", accessKeyId: imds.credentials.accessKeyId });
    expect(requestLinesWithToken(imds.requests)).toEqual([
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

    const run = await pod.run({ ...PER_REQUEST, ...env, AWS_EC2_METADATA_V1_DISABLED: "true" });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [
        `IMDSv2 is out of reach: the IMDSv2 token request to ${server.url}${TOKEN_PATH} got no answer within ${TIMEOUT_MS} ms`,
        "AWS_EC2_METADATA_V1_DISABLED forbids IMDSv1",
        "Fix: raise the instance's metadata hop limit to 2",
      ],
    });
    expect(requestLinesWithToken(imds.requests)).toEqual([`PUT ${TOKEN_PATH}`]);
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

    const run = await pod.run({ ...PER_REQUEST, ...env });

    expectCredentials(expect, run, { source: "instanceProfile", accessKeyId: imds.credentials.accessKeyId });
    expect(requestLinesWithToken(imds.requests)).toEqual([
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

    const run = await pod.run({ ...PER_REQUEST, ...env });

    expectRefusal(expect, run, { name: "CredentialSourceError", says: ["hop limit"] });
    expect(requestLinesWithToken(imds.requests)).toEqual([`PUT ${TOKEN_PATH}`, `GET ${LISTING_PATH}`]);
  });
});
