// IRSA checks the role STS names in its answer (AssumedRoleUser.Arn) against AWS_ROLE_ARN before using the
// credentials: an STS endpoint (or anything posing as one) that hands out another role's credentials is refused.
// Also: the session length asked of STS (durationSeconds / POD_CREDENTIALS_DURATION_SECONDS).
import { afterEach, describe, expect, it } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";
import { startStsAnswering } from "../support/loopback.js";
import { expectSourceError } from "../support/sourceErrors.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** An "STS" on loopback that answers every AssumeRoleWithWebIdentity with credentials for `assumedRoleArn`. */
const stsAnswering = async (assumedRoleArn: string) => {
  const server = await startStsAnswering("AssumeRoleWithWebIdentity", {
    credentials: secretCredentials("OTHER"),
    assumedRoleArn,
    expiration: "2099-01-01T00:00:00Z",
  });
  closers.push(server.close);
  return server;
};

const irsaEnv = async (roleArn: string, more: Record<string, string> = {}) => ({
  AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", secretToken()),
  AWS_ROLE_ARN: roleArn,
  AWS_REGION: "us-east-1",
  ...more,
});

/** An IRSA pod whose token the faithful fake STS (in us-east-1) expects, with `more` in its environment. */
const withFake = async (more: Record<string, string> = {}) => {
  const token = secretToken();
  const sts = fakeSts({ expectedToken: token });
  await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);
  const env = {
    AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", token),
    AWS_ROLE_ARN: ORDERS_ROLE_ARN,
    AWS_REGION: "us-east-1",
    ...more,
  };
  return { sts, env };
};

describe("IRSA: the role STS names must be the role asked for", () => {
  it.each([
    ["another role in the same account", "arn:aws:sts::123456789012:assumed-role/payments-admin/session"],
    ["the same role name in another account", "arn:aws:sts::999999999999:assumed-role/orders-reader/session"],
    ["the same role in another partition", "arn:aws-cn:sts::123456789012:assumed-role/orders-reader/session"],
    ["not an assumed-role ARN", "arn:aws:iam::123456789012:user/orders-reader"],
  ])("refuses credentials for %s, naming both ARNs", async (_, assumedRoleArn) => {
    const sts = await stsAnswering(assumedRoleArn);
    const env = await irsaEnv(ORDERS_ROLE_ARN, { AWS_ENDPOINT_URL_STS: sts.url });

    await expectSourceError(expect, fromPodProviderChain({ env, logger: testLogger() })(), {
      source: "webIdentity",
      retryable: false,
      message:
        `[webIdentity] STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN} (AWS_ROLE_ARN) answered with credentials ` +
        `for ${assumedRoleArn}, not for that role. Fix: check what answers at the STS endpoint (AWS_ENDPOINT_URL_STS, ` +
        "proxies): real STS names the role it was asked for; the credentials were not used.",
    });
    expect(sts.requests).toHaveLength(1);
  });

  it("accepts the role with a path: an assumed-role ARN has none, so account and name are compared", async () => {
    const sts = await stsAnswering("arn:aws:sts::123456789012:assumed-role/orders-reader/session");
    const env = await irsaEnv("arn:aws:iam::123456789012:role/team/orders/orders-reader", {
      AWS_ENDPOINT_URL_STS: sts.url,
    });

    const credentials = await fromPodProviderChain({ env, logger: testLogger() })();

    expect(credentials.accountId).toBe("123456789012");
  });

  it("passes the faithful fake STS, which names the role it was asked for", async () => {
    const { sts, env } = await withFake();

    const credentials = await fromPodProviderChain({ env, logger: testLogger() })();

    expect(credentials.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
  });
});

describe("IRSA: the session length", () => {
  it("is left to STS by default (no DurationSeconds sent)", async () => {
    const { sts, env } = await withFake();
    await fromPodProviderChain({ env, logger: testLogger() })();
    expect(sts.calls.map((call) => call.durationSeconds)).toEqual([undefined]);
  });

  it("is sent from POD_CREDENTIALS_DURATION_SECONDS, and the option wins over it", async () => {
    const { sts, env } = await withFake({ POD_CREDENTIALS_DURATION_SECONDS: "7200" });
    await fromPodProviderChain({ env, logger: testLogger() })();
    await fromPodProviderChain({ env, durationSeconds: 900, logger: testLogger() })();
    expect(sts.calls.map((call) => call.durationSeconds)).toEqual([7200, 900]);
  });

  it.each([
    [
      "POD_CREDENTIALS_DURATION_SECONDS",
      "899",
      "set POD_CREDENTIALS_DURATION_SECONDS to a number of seconds such as 3600.",
    ],
    [
      "POD_CREDENTIALS_DURATION_SECONDS",
      "1h",
      "set POD_CREDENTIALS_DURATION_SECONDS to a number of seconds such as 3600.",
    ],
    ["option durationSeconds", 43201, "pass durationSeconds as a number from 900 to 43200."],
  ])("%s = %s is refused when the provider is created", async (from, value, fix) => {
    const { env } = await withFake(typeof value === "string" ? { POD_CREDENTIALS_DURATION_SECONDS: value } : {});
    const create = () =>
      fromPodProviderChain({ env, logger: testLogger(), ...(typeof value === "number" && { durationSeconds: value }) });
    expect(create).toThrow(`${from}: expected a whole number of seconds from 900 to 43200. Fix: ${fix}`);
  });
});
