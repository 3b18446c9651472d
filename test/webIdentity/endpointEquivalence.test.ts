// With the env option, the library resolves the SDK's STS settings itself. It must pick the host the SDK picks from
// the same values: each case runs once with the values in `env`, once with them in process.env (no env option, the
// SDK resolves them), and both must call the same host with the same request.
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Environment, fromPodProviderChain } from "../../src/index.js";
import { fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";

/** Every STS host the cases can reach, each served by one fake that records the host it was called at. */
const HOSTS = [
  "sts.eu-west-1.amazonaws.com",
  "sts-fips.us-east-1.amazonaws.com",
  "sts.us-east-1.amazonaws.com",
  "sts.us-east-1.api.aws",
  "sts-fips.us-east-1.api.aws",
  "sts.ap-south-1.amazonaws.com",
  "sts.custom.example.com",
  "all-services.example.com",
];

afterEach(() => vi.unstubAllEnvs());

/** The host STS was called at, and the User-Agent without the SDK's version, for one resolution. */
const resolveWith = async (values: Environment, isolated: boolean, region?: string) => {
  const token = secretToken();
  const sts = fakeSts({ credentials: secretCredentials("IRSA"), expectedToken: token });
  for (const host of HOSTS) await serveWithMsw(`https://${host}`, sts);
  const identity = { AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", token), AWS_ROLE_ARN: ORDERS_ROLE_ARN };
  if (!isolated) for (const [name, value] of Object.entries({ ...identity, ...values })) vi.stubEnv(name, value);
  const options = {
    ...(isolated && { env: { ...identity, ...values } }),
    ...(region && { region }),
    logger: testLogger(),
  };
  try {
    await fromPodProviderChain(options)();
  } catch (error) {
    vi.unstubAllEnvs();
    return { error: (error as Error).message };
  }
  vi.unstubAllEnvs();
  return { hosts: sts.calls.map((call) => call.host), action: sts.calls[0]?.action };
};

describe("the STS host chosen from env is the one the SDK chooses from process.env", () => {
  it.each<[string, Environment, string?]>([
    ["AWS_REGION", { AWS_REGION: "eu-west-1" }],
    ["the region option over AWS_REGION", { AWS_REGION: "eu-west-1" }, "ap-south-1"],
    ["AWS_USE_FIPS_ENDPOINT", { AWS_REGION: "us-east-1", AWS_USE_FIPS_ENDPOINT: "true" }],
    ["AWS_USE_FIPS_ENDPOINT=false", { AWS_REGION: "us-east-1", AWS_USE_FIPS_ENDPOINT: "false" }],
    ["AWS_USE_DUALSTACK_ENDPOINT", { AWS_REGION: "us-east-1", AWS_USE_DUALSTACK_ENDPOINT: "true" }],
    [
      "FIPS and dual-stack together",
      { AWS_REGION: "us-east-1", AWS_USE_FIPS_ENDPOINT: "true", AWS_USE_DUALSTACK_ENDPOINT: "true" },
    ],
    [
      "AWS_STS_REGIONAL_ENDPOINTS=legacy (regional all the same)",
      { AWS_REGION: "us-east-1", AWS_STS_REGIONAL_ENDPOINTS: "legacy" },
    ],
    [
      "AWS_STS_REGIONAL_ENDPOINTS=legacy outside us-east-1",
      { AWS_REGION: "eu-west-1", AWS_STS_REGIONAL_ENDPOINTS: "legacy" },
    ],
    [
      "AWS_ENDPOINT_URL_STS over AWS_ENDPOINT_URL",
      {
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL_STS: "https://sts.custom.example.com",
        AWS_ENDPOINT_URL: "https://all-services.example.com",
      },
    ],
    ["AWS_ENDPOINT_URL alone", { AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: "https://all-services.example.com" }],
    [
      "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
      {
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL_STS: "https://sts.custom.example.com",
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true",
      },
    ],
    ["a FIPS region name", { AWS_REGION: "fips-us-east-1" }],
    [
      "AWS_USE_FIPS_ENDPOINT that is not a boolean (ignored)",
      { AWS_REGION: "us-east-1", AWS_USE_FIPS_ENDPOINT: "yes" },
    ],
    [
      "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS that is not a boolean (ignored)",
      {
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL_STS: "https://sts.custom.example.com",
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "1",
      },
    ],
  ])("%s", async (_, values, region) => {
    const fromProcess = await resolveWith(values, false, region);
    const fromEnv = await resolveWith(values, true, region);
    expect(fromProcess.hosts).toHaveLength(1);
    expect(fromEnv).toEqual(fromProcess);
  });

  it.each<[string, Environment]>([
    [
      "a custom endpoint with FIPS",
      {
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL_STS: "https://sts.custom.example.com",
        AWS_USE_FIPS_ENDPOINT: "true",
      },
    ],
  ])("fails the same way for %s", async (_, values) => {
    const fromProcess = await resolveWith(values, false);
    const fromEnv = await resolveWith(values, true);
    expect(fromProcess.error).toBeDefined();
    expect(fromEnv.error).toBe(fromProcess.error);
  });
});
