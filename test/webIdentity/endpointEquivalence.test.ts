// IRSA's STS calls go where the SDK's would: each case runs the SDK's own `fromWebToken` with the values in
// process.env (the SDK resolves them, its config file included), and then pod-credentials, once with the values in
// process.env and once with them in the `env` option; all three must call the same host. The pure endpoint table
// against the SDK's rule set: test/wire/stsEndpoint.test.ts.
import { fromWebToken } from "@aws-sdk/credential-provider-web-identity";
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
  "sts.cn-north-1.amazonaws.com.cn",
  "sts.cn-north-1.api.amazonwebservices.com.cn",
  "sts.us-gov-west-1.amazonaws.com",
  "sts.eu-central-1.amazonaws.com",
  "sts.custom.example.com",
  "all-services.example.com",
  "profile.example.com",
];

afterEach(() => vi.unstubAllEnvs());

type Outcome = { hosts: string[] } | { error: string };

/** Serves every host and returns the fake, a token file and the IRSA variables. */
const setUp = async () => {
  const token = secretToken();
  const sts = fakeSts({ credentials: secretCredentials("IRSA"), expectedToken: token });
  for (const host of HOSTS) await serveWithMsw(`https://${host}`, sts);
  const identity = { AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", token), AWS_ROLE_ARN: ORDERS_ROLE_ARN };
  return { sts, token, identity };
};

const outcome = async (sts: ReturnType<typeof fakeSts>, run: () => Promise<unknown>): Promise<Outcome> => {
  try {
    await run();
    return { hosts: sts.calls.map((call) => call.host) };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    vi.unstubAllEnvs();
  }
};

const stub = (values: Environment) => {
  for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
};

/** Where the SDK's own web-identity provider sends the call, with `values` in process.env. */
const sdkCall = async (values: Environment, region?: string): Promise<Outcome> => {
  const { sts, token } = await setUp();
  stub(values);
  const provider = fromWebToken({
    roleArn: ORDERS_ROLE_ARN,
    webIdentityToken: token,
    roleSessionName: "equivalence",
    ...(region && { clientConfig: { region } }),
  });
  return outcome(sts, () => provider());
};

/** Where pod-credentials sends it: from process.env, or (isolated) from the `env` option. */
const ourCall = async (values: Environment, isolated: boolean, region?: string): Promise<Outcome> => {
  const { sts, identity } = await setUp();
  if (!isolated) stub({ ...identity, ...values });
  const options = {
    ...(isolated && { env: { ...identity, ...values } }),
    ...(region && { region }),
    logger: testLogger(),
  };
  return outcome(sts, () => fromPodProviderChain(options)());
};

describe("the STS host IRSA calls is the one the SDK's fromWebToken calls", () => {
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
    ["China (amazonaws.com.cn)", { AWS_REGION: "cn-north-1" }],
    ["China, dual-stack", { AWS_REGION: "cn-north-1", AWS_USE_DUALSTACK_ENDPOINT: "true" }],
    ["GovCloud with FIPS", { AWS_REGION: "us-gov-west-1", AWS_USE_FIPS_ENDPOINT: "true" }],
    [
      "AWS_STS_REGIONAL_ENDPOINTS=legacy in us-east-1",
      { AWS_REGION: "us-east-1", AWS_STS_REGIONAL_ENDPOINTS: "legacy" },
    ],
    ["AWS_STS_REGIONAL_ENDPOINTS=legacy elsewhere", { AWS_REGION: "eu-west-1", AWS_STS_REGIONAL_ENDPOINTS: "legacy" }],
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
    const sdk = await sdkCall(values, region);
    expect(sdk).toEqual({ hosts: [expect.any(String)] });
    expect(await ourCall(values, false, region)).toEqual(sdk);
    expect(await ourCall(values, true, region)).toEqual(sdk);
  });

  it("a custom endpoint with FIPS fails, as in the SDK, with the SDK's reason", async () => {
    const values = {
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_STS: "https://sts.custom.example.com",
      AWS_USE_FIPS_ENDPOINT: "true",
    };
    const sdk = await sdkCall(values);
    expect(sdk).toEqual({ error: "Invalid Configuration: FIPS and custom endpoint are not supported" });
    for (const isolated of [false, true]) {
      const ours = await ourCall(values, isolated);
      expect(ours).toHaveProperty("error", expect.stringContaining((sdk as { error: string }).error));
    }
  });
});

describe("the shared config file, as the SDK reads it (without the env option only)", () => {
  const withConfig = async (text: string, more: Environment = {}) => ({
    AWS_CONFIG_FILE: await temporaryFile("config", text),
    ...more,
  });

  it.each<[string, string, Environment]>([
    ["the profile's region", "[default]\nregion = eu-central-1\n", {}],
    ["AWS_REGION over the profile's region", "[default]\nregion = eu-central-1\n", { AWS_REGION: "eu-west-1" }],
    [
      "AWS_PROFILE's region",
      "[default]\nregion = eu-central-1\n[profile team]\nregion = ap-south-1\n",
      { AWS_PROFILE: "team" },
    ],
    ["the profile's use_fips_endpoint", "[default]\nregion = us-east-1\nuse_fips_endpoint = true\n", {}],
    ["the profile's use_dualstack_endpoint", "[default]\nregion = cn-north-1\nuse_dualstack_endpoint = true\n", {}],
    ["the profile's endpoint_url", "[default]\nregion = eu-west-1\nendpoint_url = https://profile.example.com\n", {}],
    [
      "the services section's sts endpoint_url",
      "[default]\nregion = eu-west-1\nservices = mine\nendpoint_url = https://all-services.example.com\n[services mine]\nsts =\n  endpoint_url = https://sts.custom.example.com\n",
      {},
    ],
    [
      "AWS_ENDPOINT_URL over the profile's services section",
      "[default]\nregion = eu-west-1\nservices = mine\n[services mine]\nsts =\n  endpoint_url = https://sts.custom.example.com\n",
      { AWS_ENDPOINT_URL: "https://all-services.example.com" },
    ],
  ])("%s", async (_, text, more) => {
    const values = await withConfig(text, more);
    const sdk = await sdkCall(values);
    expect(sdk).toEqual({ hosts: [expect.any(String)] });
    expect(await ourCall(values, false)).toEqual(sdk);
  });

  it("is not read with the env option: the environment given is all there is", async () => {
    const values = await withConfig("[default]\nregion = eu-central-1\n");
    expect(await ourCall(values, true)).toEqual({ hosts: ["sts.us-east-1.amazonaws.com"] });
  });
});
