// The chain's own STS calls (identity verification) go where IRSA's go: the region and endpoint of the shared config
// file's profile when the provider reads process.env, the same User-Agent sections and trace header, and one
// missing-region warning per provider, whichever of its STS calls met it first. The transport: stsTransportFor in src/wire/sts.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Environment, fromPodProviderChain, type PodProviderChainOptions } from "../../src/index.js";
import { fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";

const AGENT = "http://169.254.170.23";
const START = new Date("2026-11-27T12:00:00Z");

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date", "performance"] });
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

/** One fake STS answering at every host the cases use. */
const stsAt = async (...hosts: string[]) => {
  const sts = fakeSts();
  for (const host of hosts) await serveWithMsw(`https://${host}`, sts);
  return sts;
};

const podIdentityEnv = async (): Promise<Environment> => {
  await serveWithMsw(AGENT, fakePodIdentityAgent({ credentials: secretCredentials("PODID") }));
  return {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}/v1/credentials`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken({ expiresInSeconds: 86_400 }),
    POD_CREDENTIALS_VERIFY_IDENTITY: "true",
  };
};

const irsaEnv = async (): Promise<Environment> => ({
  AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", secretToken({ expiresInSeconds: 86_400 })),
  AWS_ROLE_ARN: ORDERS_ROLE_ARN,
  POD_CREDENTIALS_VERIFY_IDENTITY: "true",
});

/** A provider that reads process.env (so the shared config file too), with `values` stubbed into it. */
const fromProcessEnv = (values: Environment, options: PodProviderChainOptions = {}) => {
  for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
  const logger = testLogger();
  return { credentials: fromPodProviderChain({ logger, ...options }), logger };
};

/** A provider over process.env for the pod (its variables, then `variables`) with this shared config file. */
const withConfigFile = async (pod: () => Promise<Environment>, config: string, variables: Environment = {}) =>
  fromProcessEnv({ ...(await pod()), ...variables, AWS_CONFIG_FILE: await temporaryFile("config", config) });

describe("verification's GetCallerIdentity follows the shared config file, as IRSA's call does", () => {
  it("the profile's region: the regional host, signed for that region, no warning", async () => {
    const sts = await stsAt("sts.eu-central-1.amazonaws.com");
    const { credentials, logger } = await withConfigFile(podIdentityEnv, "[default]\nregion = eu-central-1\n");

    await credentials();

    expect(sts.calls.map(({ action, host, region }) => ({ action, host, region }))).toEqual([
      { action: "GetCallerIdentity", host: "sts.eu-central-1.amazonaws.com", region: "eu-central-1" },
    ]);
    expect(credentials.describe()?.verification?.accountId).toBe("123456789012");
    expect(logger.at("warn")).toEqual([]);
  });

  it("AWS_PROFILE's services section's sts endpoint_url, for IRSA and verification alike", async () => {
    const sts = await stsAt("sts.custom.example.com");
    const config =
      "[default]\nregion = us-east-1\n[profile team]\nregion = ap-south-1\nservices = mine\n" +
      "[services mine]\nsts =\n  endpoint_url = https://sts.custom.example.com\n";
    const { credentials } = await withConfigFile(irsaEnv, config, { AWS_PROFILE: "team" });

    await credentials();

    expect(sts.calls.map(({ action, host, region }) => ({ action, host, region }))).toEqual([
      { action: "AssumeRoleWithWebIdentity", host: "sts.custom.example.com", region: undefined },
      { action: "GetCallerIdentity", host: "sts.custom.example.com", region: "ap-south-1" },
    ]);
  });

  // A variable over the file, as the SDK's loadConfig takes them: an empty variable is unset, and a flag that is
  // neither "true" nor "false" fails its selector, so the file's value counts.
  it.each([
    [
      "the environment's AWS_REGION over the profile's region",
      podIdentityEnv,
      { AWS_REGION: "eu-west-1" },
      "[default]\nregion = eu-central-1\n",
      ["sts.eu-west-1.amazonaws.com"],
    ],
    [
      "an empty AWS_ENDPOINT_URL_STS leaves the profile's endpoint_url in force",
      irsaEnv,
      { AWS_ENDPOINT_URL_STS: "" },
      "[default]\nregion = ap-south-1\nendpoint_url = https://sts.custom.example.com\n",
      ["sts.custom.example.com", "sts.custom.example.com"],
    ],
    [
      "AWS_USE_FIPS_ENDPOINT=yes gives way to the profile's use_fips_endpoint = true",
      podIdentityEnv,
      { AWS_USE_FIPS_ENDPOINT: "yes" },
      "[default]\nregion = us-east-2\nuse_fips_endpoint = true\n",
      ["sts-fips.us-east-2.amazonaws.com"],
    ],
  ])("%s", async (_, pod, env, config, hosts) => {
    const sts = await stsAt(...new Set(hosts));
    const { credentials } = await withConfigFile(pod, config, env);

    await credentials();

    expect(sts.calls.map((call) => call.host)).toEqual(hosts);
  });
});

describe("the headers of the chain's STS calls are IRSA's", () => {
  it("the same User-Agent sections (exec-env, app) and the Lambda trace header on both calls", async () => {
    const sts = await stsAt("sts.eu-west-1.amazonaws.com");
    const credentials = fromPodProviderChain({
      env: {
        ...(await irsaEnv()),
        AWS_REGION: "eu-west-1",
        AWS_EXECUTION_ENV: "AWS_ECS_EC2",
        AWS_SDK_UA_APP_ID: "orders-api",
        AWS_LAMBDA_FUNCTION_NAME: "orders",
        _X_AMZN_TRACE_ID: "Root=1-5759e988-bd862e3fe1be46a994272793",
      },
      logger: testLogger(),
    });

    await credentials();

    expect(sts.calls.map((call) => call.action)).toEqual(["AssumeRoleWithWebIdentity", "GetCallerIdentity"]);
    const [irsa, verification] = sts.requests.map((request) => request.headers);
    expect(irsa?.["user-agent"]).toMatch(
      /^pod-credentials\/\S+ ua\/2\.1 os\/\S+ lang\/js md\/nodejs#\S+ api\/sts exec-env\/AWS_ECS_EC2 app\/orders-api$/,
    );
    expect(verification?.["user-agent"]).toBe(irsa?.["user-agent"]);
    expect(irsa?.["x-amzn-trace-id"]).toBe("Root=1-5759e988-bd862e3fe1be46a994272793");
    expect(verification?.["x-amzn-trace-id"]).toBe(irsa?.["x-amzn-trace-id"]);
  });
});

describe("without a region anywhere", () => {
  it("IRSA and verification both call us-east-1; the warning is said once per provider, naming the config file", async () => {
    const sts = await stsAt("sts.us-east-1.amazonaws.com");
    const { credentials, logger } = await withConfigFile(irsaEnv, "[default]\noutput = json\n");

    await credentials();
    await credentials({ forceRefresh: true });

    expect(sts.calls.map((call) => `${call.action} ${call.host}`)).toEqual([
      "AssumeRoleWithWebIdentity sts.us-east-1.amazonaws.com",
      "GetCallerIdentity sts.us-east-1.amazonaws.com",
      "AssumeRoleWithWebIdentity sts.us-east-1.amazonaws.com",
      "GetCallerIdentity sts.us-east-1.amazonaws.com",
    ]);
    expect(logger.at("warn")).toEqual([
      "pod-credentials: no region for STS (no region option, none from the calling client, AWS_REGION not set nor " +
        "in the shared config file): using us-east-1, as the SDK does. Pass the region option or set AWS_REGION.",
    ]);
  });
});
