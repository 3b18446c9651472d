// IRSA's STS call where the operator's set-up or STS's answer is unusual: an AWS_ENDPOINT_URL_STS that is not a URL
// (refused before any call, with the variable to fix), and an STS error document without a <Message> (the code and
// status still reach the operator). STS is played by msw handlers answering with STS's own error documents.
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { ORDERS_ROLE_ARN, secretToken, temporaryFile } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";
import { mswServer } from "../support/mswServer.js";
import { expectSourceError } from "../support/sourceErrors.js";

const STS = "https://sts.us-east-1.amazonaws.com";

const irsaEnv = async (extra: Record<string, string> = {}) => ({
  AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", secretToken({ expiresInSeconds: 86_400 })),
  AWS_ROLE_ARN: ORDERS_ROLE_ARN,
  AWS_REGION: "us-east-1",
  ...extra,
});

/** Counts the calls STS receives, answering each with `answer`. */
const stsAnswering = (answer: () => Response): (() => number) => {
  let calls = 0;
  mswServer.use(
    http.post(`${STS}/`, () => {
      calls += 1;
      return answer();
    }),
  );
  return () => calls;
};

describe("IRSA with an AWS_ENDPOINT_URL_STS that is not a URL", () => {
  it("is refused before any call, final, naming neither the text nor the token, with the variable to set", async () => {
    const calls = stsAnswering(() => new HttpResponse(null, { status: 500 }));
    const credentials = fromPodProviderChain({
      env: await irsaEnv({ AWS_ENDPOINT_URL_STS: "sts internal" }),
      logger: testLogger(),
    });

    await expectSourceError(expect, credentials(), {
      source: "webIdentity",
      target: ORDERS_ROLE_ARN,
      retryable: false,
      message:
        `[webIdentity] Cannot call STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN}: The STS endpoint (an invalid ` +
        "URL) is not a URL. Fix: set AWS_ENDPOINT_URL_STS (or AWS_ENDPOINT_URL) to an https URL such as " +
        "https://sts.us-east-1.amazonaws.com.",
    });
    expect(calls()).toBe(0);
  });
});

describe("IRSA and an STS error document without a Message", () => {
  it("says the code and the status, one call, and the fix for that code", async () => {
    const calls = stsAnswering(
      () =>
        new HttpResponse(
          '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
            "<Code>AccessDenied</Code></Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>",
          { status: 403, headers: { "content-type": "text/xml" } },
        ),
    );
    const credentials = fromPodProviderChain({ env: await irsaEnv(), logger: testLogger() });

    await expectSourceError(expect, credentials(), {
      source: "webIdentity",
      status: 403,
      retryable: false,
      says: [`[webIdentity] STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN} failed with AccessDenied (HTTP 403):`],
      fix:
        `the trust policy of ${ORDERS_ROLE_ARN} does not let this service account assume it: check its Condition on ` +
        "<oidc-provider>:sub (system:serviceaccount:<namespace>:<service-account>) and <oidc-provider>:aud.",
    });
    expect(calls()).toBe(1);
  });
});
