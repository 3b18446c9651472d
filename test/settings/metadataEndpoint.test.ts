// Which metadata endpoint the sources and the doctor use, chosen as the AWS SDK chooses it.
import { describe, expect, it } from "vitest";
import { metadataEndpoint } from "../../src/base/settings.js";

describe("the metadata endpoint", () => {
  it("is the option first, then AWS_EC2_METADATA_SERVICE_ENDPOINT, without trailing slashes", () => {
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:8181//" };
    expect(metadataEndpoint("https://imds.internal/", env)).toEqual({
      value: "https://imds.internal",
      from: "option metadataEndpoint",
    });
    expect(metadataEndpoint(undefined, env)).toEqual({
      value: "http://127.0.0.1:8181",
      from: "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    });
  });

  it.each([
    [{}, "http://169.254.169.254", "the default endpoint"],
    [{ AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: " " }, "http://169.254.169.254", "the default endpoint"],
    [{ AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv4" }, "http://169.254.169.254", "the default endpoint"],
    [
      { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "ipv6" },
      "http://[fd00:ec2::254]",
      "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
    ],
  ])("follows AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: %j", (env, value, from) => {
    expect(metadataEndpoint(undefined, env)).toEqual({ value, from });
  });

  it("refuses an unknown endpoint mode, naming the variable", () => {
    expect(() => metadataEndpoint(undefined, { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "dual" })).toThrow(
      expect.objectContaining({
        name: "InvalidConfigurationError",
        message: 'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: unknown mode "dual". Fix: set it to IPv4 or IPv6.',
      }),
    );
  });

  it.each([["ftp://169.254.169.254"], ["169.254.169.254"]])(
    "refuses an endpoint that is not an http(s) URL: %s",
    (value) => {
      expect(() => metadataEndpoint(undefined, { AWS_EC2_METADATA_SERVICE_ENDPOINT: value })).toThrow(
        expect.objectContaining({
          name: "InvalidConfigurationError",
          message:
            "AWS_EC2_METADATA_SERVICE_ENDPOINT: is not an http(s) URL. Fix: set it to the metadata service's base URL, " +
            "such as http://169.254.169.254.",
        }),
      );
    },
  );
});
