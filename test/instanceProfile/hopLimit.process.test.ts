// Specifies the node's instance profile end to end (the built package in a pod process), when it is allowed
// (POD_CREDENTIALS_ALLOW_NODE=true), within and behind a metadata hop limit of 1: there the IMDSv2 token PUT never
// gets an answer. The pod pays one per-request deadline for it, then uses IMDSv1 with a
// warning; with AWS_EC2_METADATA_V1_DISABLED=true it fails with an error that says to raise the hop limit.
// (That the timeout is paid once per process, not at every refresh, needs several resolutions in one process: see
// test/instanceProfile/source.test.ts.)
import { describe } from "vitest";
import { expectRefusal, expectRun } from "../support/podAssertions.js";
import { imdsPod, LISTING_PATH, podTest, TOKEN_PATH } from "../support/podScenario.js";

/**
 * The per-request deadline, which the token PUT beyond the hop limit pays once. Not shorter: every other request here
 * must be answered within it, and a loaded machine can miss 300 ms, which would read as a hop limit.
 */
const TIMEOUT_MS = 1000;
const PER_REQUEST = { POD_CREDENTIALS_TIMEOUT_MS: String(TIMEOUT_MS) };
const CREDENTIALS_PATH = `${LISTING_PATH}eks-node-role`;
const TOKEN_HEADER = "x-aws-ec2-metadata-token";

/** The requests IMDS received, as `METHOD path`, followed by ` (token)` for those that carried an IMDSv2 token. */
const requestLinesWithToken = (
  requests: readonly { method: string; path: string; headers: Readonly<Record<string, string>> }[],
): string[] =>
  requests.map(
    (request) => `${request.method} ${request.path}${request.headers[TOKEN_HEADER] === undefined ? "" : " (token)"}`,
  );

describe.concurrent("the node's instance profile, allowed", () => {
  podTest.for([
    {
      what: "within the hop limit: IMDSv2, one token, three requests, and a warning that every pod shares the role",
      imds: {},
      tokenPut: undefined,
      requests: [`PUT ${TOKEN_PATH}`, `GET ${LISTING_PATH} (token)`, `GET ${CREDENTIALS_PATH} (token)`],
      waitsMs: 0,
      warns: ["every pod on this node shares these credentials"],
      neverWarns: ["IMDSv1"],
    },
    {
      what: "behind a hop limit of 1: one token PUT that times out, then IMDSv1 with a warning",
      imds: { hopLimitExceeded: true },
      tokenPut: undefined,
      requests: [`PUT ${TOKEN_PATH}`, `GET ${LISTING_PATH}`, `GET ${CREDENTIALS_PATH}`],
      waitsMs: TIMEOUT_MS,
      warns: [`got no answer within ${TIMEOUT_MS} ms`, "using IMDSv1", "--http-put-response-hop-limit 2"],
      neverWarns: [],
    },
    {
      what: "a token PUT refused with 403 (a proxy adding X-Forwarded-For): IMDSv1 at once, with a warning",
      imds: {},
      tokenPut: 403,
      requests: [`PUT ${TOKEN_PATH}`, `GET ${LISTING_PATH}`, `GET ${CREDENTIALS_PATH}`],
      waitsMs: 0,
      warns: ["was answered with HTTP 403; using IMDSv1"],
      neverWarns: [],
    },
  ])("$what", async ({ imds: options, tokenPut, requests, waitsMs, warns, neverWarns }, { expect, pod }) => {
    const { imds, env } = await imdsPod(pod, options);
    if (tokenPut !== undefined) {
      imds.injectFault(
        { kind: "status", status: tokenPut, body: "", headers: { "Content-Type": "text/html" } },
        { method: "PUT", path: TOKEN_PATH },
      );
    }

    const run = await pod.run({ ...PER_REQUEST, ...env });

    await expectRun(expect, pod, run, {
      credentials: { source: "instanceProfile", accessKeyId: imds.credentials.accessKeyId },
      resultNotBeforeMs: waitsMs,
    });
    expect(requestLinesWithToken(imds.requests)).toEqual(requests);
    // One IMDSv2 session token, for as many requests as carry one.
    if (requests.some((line) => line.endsWith("(token)"))) expect(imds.issuedTokens).toHaveLength(1);
    for (const warning of warns) expect(run.stderr).toContain(warning);
    for (const warning of neverWarns) expect(run.stderr).not.toContain(warning);
  });

  podTest(
    "behind a hop limit of 1 with AWS_EC2_METADATA_V1_DISABLED=true: a clear error after the token PUT alone",
    async ({ expect, pod }) => {
      const { imds, server, env } = await imdsPod(pod, { hopLimitExceeded: true });

      const run = await pod.run({ ...PER_REQUEST, ...env, AWS_EC2_METADATA_V1_DISABLED: "true" });

      await expectRun(expect, pod, run, {
        refused: {
          name: "CredentialSourceError",
          says: [
            `IMDSv2 is out of reach: the IMDSv2 token request to ${server.url}${TOKEN_PATH} got no answer`,
            "AWS_EC2_METADATA_V1_DISABLED forbids IMDSv1",
            "Fix: raise the instance's metadata hop limit to 2",
          ],
        },
        resultNotBeforeMs: TIMEOUT_MS,
      });
      expect(requestLinesWithToken(imds.requests)).toEqual([`PUT ${TOKEN_PATH}`]);
    },
  );

  podTest(
    "a token PUT refused with 403 (a proxy adding X-Forwarded-For): IMDSv1 at once, with a warning",
    async ({ expect, pod }) => {
      const { imds, env } = await imdsPod(pod);
      imds.injectFault(
        { kind: "status", status: 403, body: "", headers: { "Content-Type": "text/html" } },
        { method: "PUT", path: TOKEN_PATH },
      );

      const run = await pod.run({ ...PER_REQUEST, ...env });

      await expectRun(expect, pod, run, {
        credentials: { source: "instanceProfile", accessKeyId: imds.credentials.accessKeyId },
      });
      expect(requestLinesWithToken(imds.requests)).toEqual([
        `PUT ${TOKEN_PATH}`,
        `GET ${LISTING_PATH}`,
        `GET ${CREDENTIALS_PATH}`,
      ]);
      expect(run.stderr).toContain("was answered with HTTP 403; using IMDSv1");
    },
  );

  // Regression: the 401 of an IMDSv2-only instance to an IMDSv1 GET must be blamed on the hop limit, not on a
  // missing instance profile.
  podTest(
    "behind a hop limit of 1 on an instance that requires IMDSv2: the error says to raise the hop limit",
    async ({ expect, pod }) => {
      const { imds, env } = await imdsPod(pod, { hopLimitExceeded: true, v1Allowed: false });

      const run = await pod.run({ ...PER_REQUEST, ...env });

      expectRefusal(expect, run, { name: "CredentialSourceError", says: ["hop limit"] });
      expect(requestLinesWithToken(imds.requests)).toEqual([`PUT ${TOKEN_PATH}`, `GET ${LISTING_PATH}`]);
    },
  );
});
