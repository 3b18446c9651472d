// What hop 2 accepts from STS: a session (assumed-role ARN) of exactly the role it asked for, nothing else; and what
// it says when STS does not accept hop 1's credentials.
import { afterEach, describe, expect, it } from "vitest";
import { fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import { secretCredentials, secretToken, serveWithMsw } from "../support/fakes.js";
import { rejectionOf } from "../support/leakCheck.js";
import { startStsAnswering } from "../support/loopback.js";
import { observedProvider } from "../support/observedProvider.js";
import { expectSourceError } from "../support/sourceErrors.js";

const STS = "https://sts.us-east-1.amazonaws.com";
const AGENT = "http://169.254.170.23";
const REPORTS_ROLE_ARN = "arn:aws:iam::210987654321:role/reports-writer";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const agentEnv = async () => {
  await serveWithMsw(AGENT, fakePodIdentityAgent({ credentials: secretCredentials("PODID") }));
  return {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}/v1/credentials`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken({ expiresInSeconds: 86_400 }),
    POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN,
  };
};

/** A provider chaining to reports-writer through an endpoint that answers every AssumeRole for `assumedRoleArn`. */
const chainingThrough = async (assumedRoleArn: string) => {
  const impostor = await startStsAnswering("AssumeRole", {
    credentials: secretCredentials("OTHER"),
    assumedRoleArn,
    expiration: new Date(Date.now() + 60 * 60_000).toISOString(),
  });
  closers.push(impostor.close);
  return observedProvider({ ...(await agentEnv()), AWS_ENDPOINT_URL_STS: impostor.url }).credentials;
};

describe("hop 2 accepts only a session of the role it asked for", () => {
  it.each([
    ["a well-formed session of another role", "arn:aws:sts::210987654321:assumed-role/payments-admin/orders-api"],
    ["the role's own ARN, not a session of it", REPORTS_ROLE_ARN],
    ["a session name STS never issues (one character)", "arn:aws:sts::210987654321:assumed-role/reports-writer/s"],
  ])("refuses %s", async (_, assumedRoleArn) => {
    const credentials = await chainingThrough(assumedRoleArn);

    await expectSourceError(expect, credentials(), {
      source: "podIdentity",
      target: REPORTS_ROLE_ARN,
      says: [
        `[podIdentity] hop 2 (AssumeRole ${REPORTS_ROLE_ARN}): STS answered with credentials for ${assumedRoleArn}, ` +
          "not for that role; they were not used.",
      ],
    });
  });

  it("accepts a session of that role, with the role's account", async () => {
    const credentials = await chainingThrough("arn:aws:sts::210987654321:assumed-role/reports-writer/orders-api");

    expect(await credentials()).toMatchObject({ accountId: "210987654321" });
    expect(credentials.describe()?.hops?.[1]).toMatchObject({ accountId: "210987654321" });
  });
});

describe("STS refusing hop 1's credentials", () => {
  it("keys STS does not know (InvalidClientTokenId): the fix says whatever issued them is not AWS", async () => {
    await serveWithMsw(STS, fakeSts());
    const keys = secretCredentials("UNKNOWN");
    const { credentials } = observedProvider(
      {
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        AWS_SESSION_TOKEN: keys.sessionToken,
        POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN,
      },
      { sources: ["env"] },
    );

    await expectSourceError(expect, credentials(), {
      source: "env",
      status: 403,
      says: [
        `[env] hop 2 (AssumeRole ${REPORTS_ROLE_ARN}): STS AssumeRole failed with InvalidClientTokenId (HTTP 403)`,
      ],
      fix:
        "STS does not accept the credentials of hop 1 (env): whatever issued them is not AWS; " +
        "check this node's clock (NTP) and the endpoint that issued them.",
    });
  });
});

describe("an error of hop 1 is marked as hop 1's, once", () => {
  it("no source configured: the chain's own error (no source prefix) starts with hop 1", async () => {
    const error = await rejectionOf(
      observedProvider({ POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN }).credentials(),
    );

    expect(error.name).toBe("NoPodCredentialsError");
    expect(error.message).toMatch(/^hop 1: No pod-scoped AWS credentials are configured for this pod /);
  });
});
