import { describe, expect, it } from "vitest";
import { describeEnvironment, lastFour } from "../../src/doctor/doctorReport.js";
import { tokenClaims } from "../../src/doctor/examinePod.js";
import { scrubSecrets } from "../../src/doctor/runDoctor.js";
import { createFakeJwt } from "../../src/testing/index.js";

describe("what the doctor shows of the environment", () => {
  it("lists AWS and POD_CREDENTIALS variables by name, values only where they are no secret", () => {
    expect(
      describeEnvironment({
        PATH: "/usr/bin",
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLE",
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "eyJhbGciOi",
        AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://user:pw@169.254.170.23/v1/credentials?token=abc",
        AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/orders-reader",
        AWS_SOMETHING_NEW: "who knows",
        AWS_REGION: "",
        POD_CREDENTIALS_ROLE: "orders-reader",
      }),
    ).toEqual([
      { name: "AWS_ACCESS_KEY_ID", value: "…MPLE" },
      { name: "AWS_CONTAINER_AUTHORIZATION_TOKEN", value: null },
      { name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: "http://169.254.170.23/v1/credentials" },
      { name: "AWS_ROLE_ARN", value: "arn:aws:iam::123456789012:role/orders-reader" },
      { name: "AWS_SECRET_ACCESS_KEY", value: null },
      { name: "AWS_SESSION_TOKEN", value: null },
      { name: "AWS_SOMETHING_NEW", value: null },
      { name: "POD_CREDENTIALS_ROLE", value: "orders-reader" },
    ]);
  });

  it("shows the ECS relative URI without its query or fragment, and sorts by name whatever the input order", () => {
    expect(
      describeEnvironment({
        POD_CREDENTIALS_SOURCES: "podIdentity",
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/abc?token=secret#frag",
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: " /var/run/token ",
      }),
    ).toEqual([
      { name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", value: "/var/run/token" },
      { name: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", value: "/v2/credentials/abc" },
      { name: "POD_CREDENTIALS_SOURCES", value: "podIdentity" },
    ]);
  });

  it("shows a URL variable that does not parse as an invalid URL, not as it is", () => {
    expect(describeEnvironment({ AWS_ENDPOINT_URL_STS: "http://[sts" })).toEqual([
      { name: "AWS_ENDPOINT_URL_STS", value: "(an invalid URL)" },
    ]);
  });

  it("shows at most the last four characters of an access key id", () => {
    expect(lastFour("ASIAEXAMPLE123456789")).toBe("…6789");
    expect(lastFour("ABCD")).toBe("…");
  });

  it("redacts secrets anywhere in the report as a last line of defence", () => {
    const secret = "super-secret-value";
    expect(scrubSecrets({ a: [`x ${secret} y`], b: { c: secret, d: 3, e: null } }, [secret])).toEqual({
      a: ["x [redacted] y"],
      b: { c: "[redacted]", d: 3, e: null },
    });
  });

  it("reads a service-account token's claims, never its signature", () => {
    const now = Date.now();
    const claims = tokenClaims(createFakeJwt(), now);
    expect(claims).toMatchObject({
      audience: ["sts.amazonaws.com"],
      subject: expect.stringMatching(/^system:serviceaccount:/),
      expired: false,
    });
    expect(tokenClaims("not a jwt")).toBeUndefined();
  });
});
