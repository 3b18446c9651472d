// Role chaining's AssumeRole goes where IRSA's call goes: the shared config file's region and endpoint when the
// provider reads process.env, with the same User-Agent. The transport: stsTransportFor in src/wire/sts.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";

const REPORTS_ROLE_ARN = "arn:aws:iam::210987654321:role/reports-writer";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date", "performance"] });
  vi.setSystemTime(new Date("2026-11-27T12:00:00Z"));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("hop 2 follows the shared config file, as hop 1 does", () => {
  it.each([
    ["the profile's region", "[default]\nregion = eu-central-1\n", "sts.eu-central-1.amazonaws.com", "eu-central-1"],
    [
      "the profile's endpoint_url",
      "[default]\nregion = eu-west-1\nendpoint_url = https://profile.example.com\n",
      "profile.example.com",
      "eu-west-1",
    ],
    [
      "the profile's use_fips_endpoint",
      "[default]\nregion = us-east-2\nuse_fips_endpoint = true\n",
      "sts-fips.us-east-2.amazonaws.com",
      "us-east-2",
    ],
  ])("%s", async (_, config, host, region) => {
    const sts = fakeSts({ trust: { [REPORTS_ROLE_ARN]: [ORDERS_ROLE_ARN] } });
    await serveWithMsw(`https://${host}`, sts);
    vi.stubEnv("AWS_WEB_IDENTITY_TOKEN_FILE", await temporaryFile("token", secretToken({ expiresInSeconds: 86_400 })));
    vi.stubEnv("AWS_ROLE_ARN", ORDERS_ROLE_ARN);
    vi.stubEnv("POD_CREDENTIALS_ASSUME_ROLE_ARN", REPORTS_ROLE_ARN);
    vi.stubEnv("AWS_SDK_UA_APP_ID", "orders-api");
    vi.stubEnv("AWS_CONFIG_FILE", await temporaryFile("config", config));
    const logger = testLogger();
    const credentials = fromPodProviderChain({ logger });

    const served = await credentials();

    expect(sts.calls.map((call) => [call.action, call.host])).toEqual([
      ["AssumeRoleWithWebIdentity", host],
      ["AssumeRole", host],
    ]);
    expect(sts.calls[1]).toMatchObject({ signature: "verified", region });
    expect(served.accessKeyId).toBe(sts.issued[1]?.accessKeyId);
    const [hop1, hop2] = sts.requests.map((request) => request.headers["user-agent"]);
    expect(hop1).toMatch(/ api\/sts app\/orders-api$/);
    expect(hop2).toBe(hop1);
    expect(logger.at("warn")).toEqual([]);
  });
});
