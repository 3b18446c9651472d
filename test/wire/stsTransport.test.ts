// The transport of a provider's STS calls, read from its settings: which of the environment and the shared config
// file wins for each variable, the User-Agent sent, and the missing-region warning said once per provider.
import { afterEach, describe, expect, it, vi } from "vitest";
import { readSettings } from "../../src/base/settings.js";
import { stsTransportFor } from "../../src/wire/sts.js";
import { temporaryFile } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The endpoint URL of one call of a fresh provider that reads process.env with `values` and this config file. */
const endpointWith = async (values: Record<string, string>, config: string) => {
  vi.stubEnv("AWS_CONFIG_FILE", await temporaryFile("config", config));
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", await temporaryFile("credentials", ""));
  for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
  const transport = await stsTransportFor(readSettings())("GetCallerIdentity", { logger: testLogger() });
  return transport.endpoint.url;
};

describe("the environment's flag wins over the profile's when it is true or false", () => {
  it.each([
    [
      "AWS_USE_FIPS_ENDPOINT=true over use_fips_endpoint = false",
      "true",
      "false",
      "https://sts-fips.us-east-2.amazonaws.com",
    ],
    [
      "AWS_USE_FIPS_ENDPOINT=false over use_fips_endpoint = true",
      "false",
      "true",
      "https://sts.us-east-2.amazonaws.com",
    ],
    [
      "AWS_USE_FIPS_ENDPOINT=yes is skipped for use_fips_endpoint = true",
      "yes",
      "true",
      "https://sts-fips.us-east-2.amazonaws.com",
    ],
  ])("%s", async (_, variable, inFile, url) => {
    const config = `[default]\nregion = us-east-2\nuse_fips_endpoint = ${inFile}\n`;
    expect(await endpointWith({ AWS_USE_FIPS_ENDPOINT: variable }, config)).toBe(url);
  });

  it("AWS_REGION wins over the profile's region", async () => {
    expect(await endpointWith({ AWS_REGION: "eu-west-1" }, "[default]\nregion = us-east-2\n")).toBe(
      "https://sts.eu-west-1.amazonaws.com",
    );
  });
});

describe("the User-Agent", () => {
  it("has exactly the SDK's sections, and no app/ section without AWS_SDK_UA_APP_ID", async () => {
    const settings = readSettings({ env: { AWS_REGION: "eu-west-1" } });

    const { headers } = await stsTransportFor(settings)("GetCallerIdentity", { logger: testLogger() });

    expect(headers?.["user-agent"]).toBe(
      `pod-credentials/0.1.0 ua/2.1 os/${process.platform} lang/js md/nodejs#${process.versions.node} api/sts`,
    );
    expect(headers).not.toHaveProperty("x-amzn-trace-id");
  });
});

describe("the missing-region warning", () => {
  it("is said at the first call without a region, even after calls that had one", async () => {
    const transport = stsTransportFor(readSettings({ env: {} }));
    const logger = testLogger();
    const withRegion = { logger, identityProperties: { callerClientConfig: { region: "eu-west-1" } } };

    await transport("GetCallerIdentity", withRegion);
    expect(logger.at("warn")).toEqual([]);
    await transport("GetCallerIdentity", { logger });
    await transport("GetCallerIdentity", { logger });

    expect(logger.at("warn")).toHaveLength(1);
    expect(logger.at("warn")[0]).toContain("no region for STS");
  });
});
