// The fix each refusal of hop 2 (AssumeRole) carries, for refusals the other role-chaining suites do not make: a denial
// when the option asks for session tags and a source identity (each needs its own permission in the trust policy), STS
// not activated in the region, and a refusal whose code the package has no particular advice for. And the deadline
// passing inside hop 1, which names hop 1 once. STS is played by msw handlers answering with STS's own error documents,
// or by the faithful fake STS where it has the behaviour.
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { fromPodProviderChain, type PodProviderChainOptions } from "../../src/index.js";
import { fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import { podIdentityEnv, secretCredentials, serveWithMsw } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";
import { mswServer } from "../support/mswServer.js";
import { expectSourceError } from "../support/sourceErrors.js";

const STS = "https://sts.us-east-1.amazonaws.com";
const AGENT = "http://169.254.170.23";
const REPORTS_ROLE_ARN = "arn:aws:iam::210987654321:role/reports-writer";
const HOP_TWO = `[podIdentity] hop 2 (AssumeRole ${REPORTS_ROLE_ARN}): `;

const stsError = (code: string, message: string) =>
  `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n` +
  `    <Code>${code}</Code>\n    <Message>${message}</Message>\n  </Error>\n` +
  "  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n</ErrorResponse>\n";

/** STS answering every call with one error document; returns the number of calls it received. */
const stsRefusing = (status: number, code: string, message: string): (() => number) => {
  let calls = 0;
  mswServer.use(
    http.post(`${STS}/`, () => {
      calls += 1;
      return new HttpResponse(stsError(code, message), { status, headers: { "content-type": "text/xml" } });
    }),
  );
  return () => calls;
};

/** A provider whose hop 1 is Pod Identity (the fake agent through msw) and hop 2 is `assumeRole`. */
const chainedProvider = async (assumeRole: PodProviderChainOptions["assumeRole"], env: Record<string, string> = {}) => {
  await serveWithMsw(AGENT, fakePodIdentityAgent({ credentials: secretCredentials("PODID") }));
  return fromPodProviderChain({
    env: podIdentityEnv(env),
    region: "us-east-1",
    logger: testLogger(),
    assumeRole,
  });
};

describe("the fix of a hop 2 refusal", () => {
  it("denied while asking for session tags and a source identity: the fix names both permissions", async () => {
    const sts = fakeSts({ trust: {} });
    await serveWithMsw(STS, sts);
    const credentials = await chainedProvider({
      roleArn: REPORTS_ROLE_ARN,
      tags: { team: "orders" },
      sourceIdentity: "orders-api",
    });

    await expectSourceError(expect, credentials(), {
      source: "podIdentity",
      target: REPORTS_ROLE_ARN,
      status: 403,
      retryable: false,
      says: [HOP_TWO, "AccessDenied"],
      fix:
        `the trust policy of ${REPORTS_ROLE_ARN} must allow the role of the podIdentity credentials to call ` +
        `sts:AssumeRole (with sts:TagSession, sts:SetSourceIdentity), and that role's own policy must allow ` +
        `sts:AssumeRole on ${REPORTS_ROLE_ARN}.`,
    });
    expect(sts.calls.map((call) => call.action)).toEqual(["AssumeRole"]);
  });

  it("STS not activated in the region: one call, final, and the fix says where to activate it", async () => {
    const calls = stsRefusing(
      403,
      "RegionDisabledException",
      "STS is not activated in this region for account:210987654321. Your account administrator can activate STS in this region using the IAM Console.",
    );
    const credentials = await chainedProvider({ roleArn: REPORTS_ROLE_ARN });

    await expectSourceError(expect, credentials(), {
      source: "podIdentity",
      status: 403,
      retryable: false,
      says: [`${HOP_TWO}STS AssumeRole failed with RegionDisabledException (HTTP 403): STS is not activated`],
      fix: "STS is not activated in this region: activate it in IAM account settings, or set AWS_REGION to another region.",
    });
    expect(calls()).toBe(1);
  });

  it("a refusal the package has no advice for: the fix points at the role, its trust policy and hop 1", async () => {
    const calls = stsRefusing(403, "OptInRequired", "You are not subscribed to this service.");
    const credentials = await chainedProvider({ roleArn: REPORTS_ROLE_ARN });

    await expectSourceError(expect, credentials(), {
      source: "podIdentity",
      status: 403,
      retryable: false,
      says: [`${HOP_TWO}STS AssumeRole failed with OptInRequired (HTTP 403): You are not subscribed to this service.`],
      fix: `check ${REPORTS_ROLE_ARN}, its trust policy, and the credentials of hop 1 (podIdentity).`,
    });
    expect(calls()).toBe(1);
  });
});

describe("the deadline passing in hop 1", () => {
  it("names hop 1 once: the deadline's own error is not marked again", async () => {
    mswServer.use(http.get(`${AGENT}/v1/credentials`, () => new Promise<never>(() => {})));
    let stsCalls = 0;
    mswServer.use(
      http.post(`${STS}/`, () => {
        stsCalls += 1;
        return new HttpResponse(null, { status: 500 });
      }),
    );
    const credentials = fromPodProviderChain({
      env: podIdentityEnv({
        POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: "1000",
      }),
      region: "us-east-1",
      logger: testLogger(),
      assumeRole: { roleArn: REPORTS_ROLE_ARN },
    });

    const error = await expectSourceError(expect, credentials(), {
      source: "podIdentity",
      says: [/^\[podIdentity\] hop 1: No credentials within the 1000 ms resolution deadline\./],
    });
    expect(error.message.match(/hop 1/g)).toHaveLength(1);
    expect(stsCalls).toBe(0);
  });
});
