// Verification (POD_CREDENTIALS_VERIFY_IDENTITY) when STS refuses GetCallerIdentity with a code the package has no
// particular advice for: the credentials are not used, the error names the source, STS's code and status, and the fix
// points at STS's answer. STS is played by an msw handler answering with STS's own error document.
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

describe("verification refused by STS for a reason the package does not know", () => {
  it("fails the resolution after one call, with STS's code and a fix pointing at its answer", async () => {
    await serveWithMsw(AGENT, fakePodIdentityAgent({ credentials: secretCredentials("PODID") }));
    const actions: (string | null)[] = [];
    mswServer.use(
      http.post(`${STS}/`, async ({ request }) => {
        actions.push(new URLSearchParams(await request.text()).get("Action"));
        return new HttpResponse(
          '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
            "<Code>OptInRequired</Code><Message>You are not subscribed to this service.</Message></Error>" +
            "<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>",
          { status: 403, headers: { "content-type": "text/xml" } },
        );
      }),
    );
    const logger = testLogger();
    const credentials = fromPodProviderChain({
      env: podIdentityEnv({
        POD_CREDENTIALS_VERIFY_IDENTITY: "true",
      }),
      region: "us-east-1",
      logger,
    });

    await expectSourceError(expect, credentials(), {
      source: "podIdentity",
      status: 403,
      retryable: false,
      says: [
        "[podIdentity] Verifying the credentials failed: STS GetCallerIdentity failed with OptInRequired (HTTP 403): " +
          "You are not subscribed to this service.",
      ],
      fix: "verification (POD_CREDENTIALS_VERIFY_IDENTITY) needs STS GetCallerIdentity to answer: check STS's answer above.",
    });
    expect(actions).toEqual(["GetCallerIdentity"]);
    expect(credentials.describe()).toBeUndefined();
  });
});
