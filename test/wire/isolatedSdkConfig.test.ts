// isolatedSdkConfig: the settings a role profile's STS client gets explicitly when the provider has its own `env`, so
// that the SDK reads neither process.env nor ~/.aws. Each rule below is the SDK's own for the variable (its
// `loadConfig` selectors): the region's order of precedence, flags that count only as `true` or `false`, the
// endpoint variables and the switch that ignores them, and the two comma-separated lists.
import { describe, expect, it } from "vitest";
import { isolatedSdkConfig } from "../../src/wire/sdkConfig.js";

const configOf = async (
  env: Record<string, string>,
  options: { region?: string; caller?: { region?: unknown } } = {},
) => {
  const warnings: string[] = [];
  const { clientConfig } = await isolatedSdkConfig(env, {
    region: options.region,
    caller: options.caller,
    warnRegion: (message) => warnings.push(message),
  });
  return { clientConfig, warnings };
};

describe("the region of a role profile's STS client", () => {
  it.each([
    ["the region option first", { region: "eu-central-1", caller: { region: "eu-west-1" } }, "eu-central-1"],
    ["then the calling client's region", { caller: { region: "eu-west-1" } }, "eu-west-1"],
    ["the calling client's region as its async provider", { caller: { region: async () => "eu-west-3" } }, "eu-west-3"],
    ["an empty region of the calling client is skipped", { caller: { region: "" } }, "ap-south-1"],
    ["a region provider giving no string is skipped", { caller: { region: async () => undefined } }, "ap-south-1"],
  ])("%s", async (_, options, expected) => {
    const { clientConfig, warnings } = await configOf({ AWS_REGION: "ap-south-1" }, options);

    expect(await clientConfig.region()).toBe(expected);
    expect(warnings).toEqual([]);
  });
});

describe("the endpoint and the flags", () => {
  it("takes AWS_ENDPOINT_URL_STS over AWS_ENDPOINT_URL", async () => {
    const { clientConfig } = await configOf({
      AWS_ENDPOINT_URL_STS: "https://sts.internal.example",
      AWS_ENDPOINT_URL: "https://aws.internal.example",
    });
    expect(clientConfig).toMatchObject({ endpoint: "https://sts.internal.example" });
  });

  it("ignores both when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true", async () => {
    const { clientConfig } = await configOf({
      AWS_ENDPOINT_URL_STS: "https://sts.internal.example",
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true",
    });
    expect(clientConfig).not.toHaveProperty("endpoint");
    expect(clientConfig).toMatchObject({ ignoreConfiguredEndpointUrls: true });
  });

  it.each([
    ["true", true],
    ["false", false],
    ["TRUE", false],
    ["1", false],
    ["yes", false],
  ])("AWS_USE_FIPS_ENDPOINT=%s is %s (only the words true and false count)", async (value, expected) => {
    const { clientConfig } = await configOf({
      AWS_USE_FIPS_ENDPOINT: value,
      AWS_USE_DUALSTACK_ENDPOINT: value,
      AWS_DISABLE_CLOCK_SKEW_CORRECTION: value,
    });
    expect(clientConfig).toMatchObject({
      useFipsEndpoint: expected,
      useDualstackEndpoint: expected,
      disableClockSkewCorrection: expected,
    });
  });

  it("AWS_RETRY_MODE, or standard", async () => {
    expect((await configOf({ AWS_RETRY_MODE: "adaptive" })).clientConfig.retryMode).toBe("adaptive");
    expect((await configOf({ AWS_RETRY_MODE: "" })).clientConfig.retryMode).toBe("standard");
  });
});

describe("the comma-separated lists", () => {
  it("AWS_AUTH_SCHEME_PREFERENCE: the schemes in order, spaces around them dropped; unset is none", async () => {
    const given = await configOf({ AWS_AUTH_SCHEME_PREFERENCE: "sigv4a, sigv4 ,httpBearerAuth" });
    expect(given.clientConfig.authSchemePreference).toEqual(["sigv4a", "sigv4", "httpBearerAuth"]);
    expect((await configOf({})).clientConfig.authSchemePreference).toEqual([]);
  });

  it("AWS_SIGV4A_SIGNING_REGION_SET: the regions, spaces dropped; unset or empty is none", async () => {
    const given = await configOf({ AWS_SIGV4A_SIGNING_REGION_SET: "us-east-1, eu-* " });
    expect(await given.clientConfig.sigv4aSigningRegionSet()).toEqual(["us-east-1", "eu-*"]);
    expect(await (await configOf({})).clientConfig.sigv4aSigningRegionSet()).toBeUndefined();
    const empty = await configOf({ AWS_SIGV4A_SIGNING_REGION_SET: "" });
    expect(await empty.clientConfig.sigv4aSigningRegionSet()).toBeUndefined();
  });
});

describe("the User-Agent sections", () => {
  it("AWS_EXECUTION_ENV adds exec-env; AWS_SDK_UA_APP_ID is the app id unless the calling client has one", async () => {
    const { clientConfig } = await configOf({ AWS_EXECUTION_ENV: "AWS_ECS_EC2", AWS_SDK_UA_APP_ID: "orders" });
    expect(await clientConfig.defaultUserAgentProvider()).toContainEqual(["exec-env/AWS_ECS_EC2"]);
    expect(await (clientConfig.userAgentAppId as () => Promise<string>)()).toBe("orders");

    const plain = await configOf({});
    expect((await plain.clientConfig.defaultUserAgentProvider()).flat().join(" ")).not.toContain("exec-env");
  });
});
