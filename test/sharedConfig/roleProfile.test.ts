// A role profile (`role_arn` + `source_profile`) read through the sharedConfig source with an `env` option: the SDK's
// STS client that `fromIni` builds must behave as it would with those variables in `process.env`, while reading
// nothing from `process.env` itself. Each environment is run twice against the same fake STS (through msw, at every
// host the SDK may pick): once through the SDK's own `fromIni` with the variables in `process.env`, once through our
// provider with them in `env` and `process.env` clean. The two STS calls must go to the same host, be signed for the
// same region and carry the same User-Agent sections and trace header.
import { describe, expect, it, vi } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { type FakeSts, fakeSts, type RecordedRequest } from "../../src/testing/index.js";
import { ACCOUNT_ID, secretCredentials, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";

const TARGET_ROLE = "arn:aws:iam::210987654321:role/reports-writer";
const HOSTS = [
  "https://sts.amazonaws.com",
  "https://sts.us-east-1.amazonaws.com",
  "https://sts.eu-west-1.amazonaws.com",
  "https://sts-fips.us-east-2.amazonaws.com",
  "https://sts.eu-west-1.api.aws",
  "https://sts.custom.example",
];

const serveSts = async (): Promise<FakeSts> => {
  const sts = fakeSts({
    callerIdentity: {
      arn: `arn:aws:iam::${ACCOUNT_ID}:user/developer`,
      account: ACCOUNT_ID,
      userId: "AIDAFAKEDEVELOPER000",
    },
  });
  for (const host of HOSTS) await serveWithMsw(host, sts);
  return sts;
};

const roleProfileFile = async (): Promise<string> => {
  const base = secretCredentials("BASE");
  return temporaryFile(
    "config",
    `[profile dev]\nrole_arn = ${TARGET_ROLE}\nsource_profile = base\n\n` +
      `[profile base]\naws_access_key_id = ${base.accessKeyId}\naws_secret_access_key = ${base.secretAccessKey}\n` +
      `aws_session_token = ${base.sessionToken}\n`,
  );
};

/** What the comparison looks at in the one AssumeRole call. */
const seen = (sts: FakeSts) => {
  const calls = sts.calls.filter((call) => call.action === "AssumeRole");
  const requests = sts.requests.filter((request: RecordedRequest) => request.body.includes("Action=AssumeRole"));
  expect(calls).toHaveLength(1);
  const headers = requests[0]?.headers ?? {};
  const userAgent = headers["user-agent"] ?? "";
  return {
    host: calls[0]?.host,
    region: calls[0]?.region,
    signature: calls[0]?.signature,
    roleArn: calls[0]?.roleArn,
    execEnv: /exec-env\/\S+/.exec(userAgent)?.[0],
    appId: /app\/\S+/.exec(userAgent)?.[0],
    traceId: headers["x-amzn-trace-id"],
  };
};

const viaSdk = async (variables: Record<string, string>) => {
  const sts = await serveSts();
  const config = await roleProfileFile();
  for (const [name, value] of Object.entries({ ...variables, AWS_CONFIG_FILE: config })) vi.stubEnv(name, value);
  const { fromIni } = await import("@aws-sdk/credential-provider-ini");
  const credentials = await fromIni({ profile: "dev", filepath: `${config}.absent` })();
  vi.unstubAllEnvs();
  return { seen: seen(sts), credentials };
};

const viaOurs = async (variables: Record<string, string>) => {
  const sts = await serveSts();
  const config = await roleProfileFile();
  const logger = testLogger();
  const provider = fromPodProviderChain({
    env: {
      ...variables,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: `${config}.absent`,
      AWS_PROFILE: "dev",
    },
    sources: ["sharedConfig"],
    logger,
  });
  const credentials = await provider();
  return { seen: seen(sts), credentials, logger };
};

const TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793";
const CUSTOM = "https://sts.custom.example";

/** Each environment, with what the SDK does with it (so that two runs ignoring a variable alike cannot pass). */
const environments: [string, Record<string, string>, Record<string, string | undefined>][] = [
  ["AWS_REGION", { AWS_REGION: "eu-west-1" }, { host: "sts.eu-west-1.amazonaws.com", region: "eu-west-1" }],
  [
    "AWS_REGION with AWS_USE_FIPS_ENDPOINT=true",
    { AWS_REGION: "us-east-2", AWS_USE_FIPS_ENDPOINT: "true" },
    { host: "sts-fips.us-east-2.amazonaws.com", region: "us-east-2" },
  ],
  [
    "AWS_REGION with AWS_USE_DUALSTACK_ENDPOINT=true",
    { AWS_REGION: "eu-west-1", AWS_USE_DUALSTACK_ENDPOINT: "true" },
    { host: "sts.eu-west-1.api.aws" },
  ],
  ["AWS_ENDPOINT_URL_STS", { AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_STS: CUSTOM }, { host: "sts.custom.example" }],
  ["AWS_ENDPOINT_URL", { AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: CUSTOM }, { host: "sts.custom.example" }],
  [
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true over AWS_ENDPOINT_URL_STS",
    { AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_STS: CUSTOM, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" },
    { host: "sts.eu-west-1.amazonaws.com" },
  ],
  [
    "AWS_EXECUTION_ENV in the User-Agent",
    { AWS_REGION: "eu-west-1", AWS_EXECUTION_ENV: "AWS_ECS_EC2" },
    { execEnv: "exec-env/AWS_ECS_EC2" },
  ],
  [
    "AWS_SDK_UA_APP_ID in the User-Agent",
    { AWS_REGION: "eu-west-1", AWS_SDK_UA_APP_ID: "orders" },
    { appId: "app/orders" },
  ],
  [
    "a Lambda trace id as X-Amzn-Trace-Id",
    { AWS_REGION: "eu-west-1", AWS_LAMBDA_FUNCTION_NAME: "orders", _X_AMZN_TRACE_ID: TRACE },
    { traceId: TRACE },
  ],
  [
    "a trace id without AWS_LAMBDA_FUNCTION_NAME: no header",
    { AWS_REGION: "eu-west-1", _X_AMZN_TRACE_ID: TRACE },
    { traceId: undefined },
  ],
];

describe("a role profile's STS call, with the variables in env, is the SDK's with them in process.env", () => {
  it.each(environments)("%s", async (_, variables, expected) => {
    const sdk = await viaSdk(variables);
    const ours = await viaOurs(variables);

    expect(sdk.seen).toMatchObject(expected);
    expect(ours.seen).toEqual(sdk.seen);
    expect(ours.seen).toMatchObject({ signature: "verified", roleArn: TARGET_ROLE });
    expect(ours.credentials.accessKeyId).not.toBe(sdk.credentials.accessKeyId);
    expect(ours.logger.at("warn")).toEqual([]);
  });

  it("no region anywhere: us-east-1, as the SDK, with one warning through our logger", async () => {
    const ours = await viaOurs({});
    expect(ours.seen).toMatchObject({ host: "sts.us-east-1.amazonaws.com", region: "us-east-1" });
    expect(ours.logger.at("warn")).toEqual([
      expect.stringContaining("no region for STS (no region option, none from the calling client, AWS_REGION not set"),
    ]);
  });
});
