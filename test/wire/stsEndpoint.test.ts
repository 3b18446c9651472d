// The STS endpoint is the one the SDK's own STS client (@aws-sdk/nested-clients/sts, the client of the SDK's
// web-identity provider) resolves: its region clean-up (`fips-` regions) and its endpoint rule set, asked here in the
// test itself for a table of regions and flags. Environment variables end to end: test/webIdentity/endpointEquivalence.
import { STSClient } from "@aws-sdk/nested-clients/sts";
import { describe, expect, it } from "vitest";
import { isStsError, partitionOf, resolveStsEndpoint } from "../../src/wire/sts.js";

const REGIONS = [
  "us-east-1",
  "us-west-2",
  "eu-west-1",
  "eu-central-1",
  "ap-south-1",
  "ap-southeast-5",
  "me-central-1",
  "il-central-1",
  "mx-central-1",
  "ca-west-1",
  "sa-east-1",
  "af-south-1",
  "cn-north-1",
  "cn-northwest-1",
  "us-gov-west-1",
  "us-gov-east-1",
  "us-iso-east-1",
  "us-isob-east-1",
  "eu-isoe-west-1",
  "us-isof-south-1",
  "eusc-de-east-1",
  "aws-global",
  "aws-cn-global",
  "aws-us-gov-global",
  "fips-us-east-1",
  "us-east-1-fips",
  "fips-us-gov-west-1",
  "fips-aws-global",
  "aws-fips",
  "fips-dkr-us-east-1",
  "fips-prod-us-east-1",
  "mars-north-1",
  "local",
];

/** What the SDK's STS client resolves for `region` and the two flags: the URL and the signing region, or its error. */
const sdkEndpoint = async (region: string, useFipsEndpoint: boolean, useDualstackEndpoint: boolean) => {
  const client = new STSClient({ region, useFipsEndpoint, useDualstackEndpoint });
  try {
    const realRegion = await client.config.region();
    const endpoint = client.config.endpointProvider({
      Region: realRegion,
      UseFIPS: await client.config.useFipsEndpoint(),
      UseDualStack: await client.config.useDualstackEndpoint(),
      UseGlobalEndpoint: false,
    });
    const scheme = (endpoint.properties?.authSchemes as { signingRegion?: string }[] | undefined)?.[0];
    return { url: endpoint.url.href.replace(/\/$/, ""), region: scheme?.signingRegion ?? realRegion };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    client.destroy();
  }
};

const ourEndpoint = (region: string, fips: boolean, dualStack: boolean) => {
  const env = { AWS_USE_FIPS_ENDPOINT: String(fips), AWS_USE_DUALSTACK_ENDPOINT: String(dualStack) };
  try {
    return resolveStsEndpoint(region, env, "AssumeRoleWithWebIdentity");
  } catch (error) {
    expect(isStsError(error) && error.kind === "configuration").toBe(true);
    return { error: (error as Error).message };
  }
};

describe("the STS endpoint for a region is the SDK's", () => {
  const cases = REGIONS.flatMap((region) =>
    [false, true].flatMap((fips) => [false, true].map((dualStack) => [region, fips, dualStack] as const)),
  );
  it.each(cases)("%s, FIPS %s, dual-stack %s", async (region, fips, dualStack) => {
    expect(ourEndpoint(region, fips, dualStack)).toEqual(await sdkEndpoint(region, fips, dualStack));
  });

  it("refuses a region that is not a host label, with the SDK's message", async () => {
    for (const region of ["eu west 1", "eu-west-1.evil.example", "-eu"]) {
      expect(ourEndpoint(region, false, false)).toEqual(await sdkEndpoint(region, false, false));
      expect(ourEndpoint(region, false, false)).toHaveProperty("error");
    }
  });
});

describe("a configured endpoint", () => {
  it("AWS_ENDPOINT_URL_STS wins over AWS_ENDPOINT_URL, both over the region; surrounding spaces are ignored", () => {
    const env = { AWS_ENDPOINT_URL_STS: " https://sts.internal ", AWS_ENDPOINT_URL: "https://all.internal" };
    expect(resolveStsEndpoint("eu-west-1", env, "GetCallerIdentity")).toEqual({
      url: "https://sts.internal",
      region: "eu-west-1",
    });
    expect(resolveStsEndpoint("eu-west-1", { AWS_ENDPOINT_URL: "https://all.internal" }, "GetCallerIdentity").url).toBe(
      "https://all.internal",
    );
  });

  it("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores both; any other value does not", () => {
    const env = { AWS_ENDPOINT_URL_STS: "https://sts.internal" };
    const ignored = { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" };
    expect(resolveStsEndpoint("eu-west-1", ignored, "GetCallerIdentity").url).toBe(
      "https://sts.eu-west-1.amazonaws.com",
    );
    const notBoolean = { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "1" };
    expect(resolveStsEndpoint("eu-west-1", notBoolean, "GetCallerIdentity").url).toBe("https://sts.internal");
  });

  it.each([
    [{ AWS_USE_FIPS_ENDPOINT: "true" }, true, false],
    [{ AWS_USE_DUALSTACK_ENDPOINT: "true" }, false, true],
  ])("with %o is refused as the SDK refuses it", async (flags, fips, dualStack) => {
    const endpoint = "https://sts.internal";
    const client = new STSClient({ region: "us-east-1" });
    let sdkError = "";
    try {
      client.config.endpointProvider({
        Region: "us-east-1",
        UseFIPS: fips,
        UseDualStack: dualStack,
        Endpoint: endpoint,
      });
    } catch (error) {
      sdkError = (error as Error).message;
    }
    client.destroy();
    expect(sdkError).not.toBe("");
    expect(() => resolveStsEndpoint("us-east-1", { AWS_ENDPOINT_URL_STS: endpoint, ...flags }, "AssumeRole")).toThrow(
      sdkError,
    );
  });

  it("AWS_STS_REGIONAL_ENDPOINTS=legacy changes nothing: the SDK v3 web-identity provider is always regional", () => {
    const env = { AWS_STS_REGIONAL_ENDPOINTS: "legacy" };
    expect(resolveStsEndpoint("us-east-1", env, "AssumeRoleWithWebIdentity").url).toBe(
      "https://sts.us-east-1.amazonaws.com",
    );
    expect(resolveStsEndpoint("eu-west-1", env, "AssumeRoleWithWebIdentity").url).toBe(
      "https://sts.eu-west-1.amazonaws.com",
    );
  });

  it("flags that are not true or false count as unset, as for the SDK", () => {
    const env = { AWS_USE_FIPS_ENDPOINT: "yes", AWS_USE_DUALSTACK_ENDPOINT: "1" };
    expect(resolveStsEndpoint("us-east-1", env, "AssumeRole").url).toBe("https://sts.us-east-1.amazonaws.com");
  });
});

describe("partitionOf", () => {
  it.each([
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
    ["us-iso-east-1", "aws-iso"],
    ["aws-cn-global", "aws-cn"],
    ["eu-west-1", "aws"],
    ["unknown", "aws"],
  ])("%s is in %s", (region, partition) => {
    expect(partitionOf(region).name).toBe(partition);
  });
});
