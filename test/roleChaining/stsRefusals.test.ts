// Hop 2 refused by STS for what the assumeRole option asks: a session policy that is JSON but not a policy
// (MalformedPolicyDocument; text that is not JSON is refused before any call), one too large once packed
// (PackedPolicyTooLarge), a parameter outside STS's constraints (ValidationError). The fake STS has no mode for them,
// so STS is played here by an msw handler answering with STS's own error documents (the awsQuery `<ErrorResponse>`,
// status 400, messages as STS sends them). Each is final: one call, no retry, and a fix that points at the
// assumeRole option, not at trust policies.
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { fakePodIdentityAgent } from "../../src/testing/index.js";
import { podIdentityEnv, secretCredentials, serveWithMsw } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";
import { mswServer } from "../support/mswServer.js";
import { expectSourceError } from "../support/sourceErrors.js";

const STS = "https://sts.us-east-1.amazonaws.com";
const AGENT = "http://169.254.170.23";
const REPORTS_ROLE_ARN = "arn:aws:iam::210987654321:role/reports-writer";
const OPTION_FIX =
  "check assumeRole (roleArn, roleSessionName, externalId, durationSeconds, policy, tags): STS's message says what it refuses.";

const stsError = (code: string, message: string) =>
  `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n` +
  `    <Code>${code}</Code>\n    <Message>${message}</Message>\n  </Error>\n` +
  "  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n</ErrorResponse>\n";

/** STS answering every call with one error document; returns the bodies of the calls it received. */
const stsRefusing = (code: string, message: string): string[] => {
  const bodies: string[] = [];
  mswServer.use(
    http.post(`${STS}/`, async ({ request }) => {
      bodies.push(await request.text());
      return new HttpResponse(stsError(code, message), { status: 400, headers: { "content-type": "text/xml" } });
    }),
  );
  return bodies;
};

const refusals: [string, string, string][] = [
  [
    "MalformedPolicyDocument",
    "Policy statement must contain actions.",
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] }),
  ],
  [
    "PackedPolicyTooLarge",
    "Packed policy consumes 112% of allotted space, please use smaller policy for AssumeRole.",
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }),
  ],
  [
    "ValidationError",
    "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048",
    JSON.stringify({ Version: "2012-10-17", Statement: [] }),
  ],
];

describe("hop 2 refused for what the assumeRole option asks", () => {
  it.each(refusals)(
    "%s: one call, final, and the fix points at the assumeRole option",
    async (code, message, policy) => {
      await serveWithMsw(AGENT, fakePodIdentityAgent({ credentials: secretCredentials("PODID") }));
      const bodies = stsRefusing(code, message);
      const logger = testLogger();
      const credentials = fromPodProviderChain({
        env: podIdentityEnv(),
        region: "us-east-1",
        logger,
        assumeRole: { roleArn: REPORTS_ROLE_ARN, policy },
      });

      const error = await expectSourceError(expect, credentials(), {
        source: "podIdentity",
        target: REPORTS_ROLE_ARN,
        status: 400,
        retryable: false,
        says: [`[podIdentity] hop 2 (AssumeRole ${REPORTS_ROLE_ARN}): `, code, message],
        fix: OPTION_FIX,
      });

      expect(bodies).toHaveLength(1);
      expect(new URLSearchParams(bodies[0]).get("Policy")).toBe(policy);
      expect(logger.at("error")).toEqual([`pod-credentials: CredentialSourceError: ${error.message}`]);
      expect(credentials.describe()).toBeUndefined();
    },
  );
});
