import { describe, expect, it } from "vitest";
import { arnMatchesRole, verifyCallerIdentity } from "../../src/doctor/runDoctor.js";
import { fakeSts } from "../../src/testing/index.js";
import { NODE_IDENTITY, secretCredentials } from "../support/fakes.js";
import { recordOutput } from "../support/leakCheck.js";
import { serve, unusedLoopbackUrl } from "./servers.js";

/** Verifies fresh test credentials in us-east-1 with the STS at `endpoint`; the report goes to the leak check. */
const verifyAt = async (endpoint: string, options: { env?: Record<string, string>; expectedRole?: string } = {}) => {
  const report = await verifyCallerIdentity(secretCredentials("VERIFY"), {
    region: "us-east-1",
    env: { AWS_ENDPOINT_URL_STS: endpoint, ...options.env },
    expectedRole: options.expectedRole,
  });
  recordOutput(report);
  return report;
};

/** An STS that answers GetCallerIdentity with this GetCallerIdentityResult content. */
const stsAnswering = (result: string): Promise<string> =>
  serve(
    async () =>
      new Response(
        `<GetCallerIdentityResponse><GetCallerIdentityResult>${result}</GetCallerIdentityResult></GetCallerIdentityResponse>`,
      ),
  );

describe("verifying credentials with STS GetCallerIdentity", () => {
  it("signs the call with the credentials for the region, at AWS_ENDPOINT_URL_STS, and reports the ARN", async () => {
    const sts = fakeSts({ callerIdentity: NODE_IDENTITY });
    const credentials = secretCredentials("VERIFY");
    const report = await verifyCallerIdentity(credentials, {
      region: "eu-west-1",
      env: { AWS_ENDPOINT_URL_STS: await serve(sts) },
      expectedRole: "arn:aws:iam::123456789012:role/orders-reader",
    });
    recordOutput(report);
    expect(report).toMatchObject({
      status: "ok",
      region: "eu-west-1",
      arn: NODE_IDENTITY.arn,
      account: "123456789012",
      matchesChainRole: false,
    });
    expect(sts.calls[0]).toMatchObject({
      action: "GetCallerIdentity",
      region: "eu-west-1",
      signedWith: credentials.accessKeyId,
    });
    expect(sts.requests[0]?.headers["x-amz-security-token"]).toBe(credentials.sessionToken);
  });

  it("reports STS's refusal with its code and a fix", async () => {
    const report = await verifyAt(await serve(fakeSts()));
    expect(report).toMatchObject({ status: "failed", arn: null, error: { name: "VerificationError", status: 403 } });
    expect(report.error?.message).toContain(
      "failed with InvalidClientTokenId (HTTP 403): The security token included in the request is invalid.",
    );
  });

  it("reports an AWS_ENDPOINT_URL_STS that is not a URL without calling anything", async () => {
    const report = await verifyAt("sts.internal");
    expect(report).toMatchObject({
      status: "failed",
      endpoint: "(an invalid URL)",
      error: {
        name: "VerificationError",
        message:
          "AWS_ENDPOINT_URL_STS is not a URL. Fix: set it to an https URL such as https://sts.us-east-1.amazonaws.com.",
        fix: "set it to an https URL such as https://sts.us-east-1.amazonaws.com.",
        status: null,
      },
    });
  });

  it("reports an STS endpoint that does not answer, with the network to check", async () => {
    const endpoint = await unusedLoopbackUrl();
    const report = await verifyAt(endpoint);
    expect(report.status).toBe("failed");
    expect(report.error?.message).toMatch(
      new RegExp(
        `^Could not call STS GetCallerIdentity at ${endpoint}/: .*ECONNREFUSED.*\\. Fix: check network access`,
      ),
    );
  });

  it("quotes the status and the body of an error answer that is not STS XML", async () => {
    const url = await serve(async () => new Response("upstream\nproxy broke", { status: 502 }));
    const report = await verifyAt(url);
    expect(report.error).toMatchObject({ status: 502 });
    expect(report.error?.message).toBe(
      `STS GetCallerIdentity at ${url}/ answered HTTP 502 without an STS error document: upstream proxy broke Fix: ` +
        "the credentials the chain returned are not accepted by STS: check the source's role and the clock of this node.",
    );
  });

  it("reads the identity from STS's XML, unescaping entities", async () => {
    const url = await stsAnswering(
      "<Arn>arn:aws:sts::123456789012:assumed-role/a&amp;b/s&lt;1&gt;</Arn><Account>123456789012</Account>" +
        "<UserId>AROAEXAMPLE:s</UserId>",
    );
    const report = await verifyAt(url, { expectedRole: "a&b" });
    expect(report).toMatchObject({
      status: "ok",
      arn: "arn:aws:sts::123456789012:assumed-role/a&b/s<1>",
      account: "123456789012",
      userId: "AROAEXAMPLE:s",
      matchesChainRole: true,
    });
  });

  it("refuses an answer that lacks a field real STS always sends", async () => {
    const url = await stsAnswering(
      "<Arn>arn:aws:sts::123456789012:assumed-role/a/s</Arn><Account>123456789012</Account>",
    );
    const report = await verifyAt(url);
    expect(report).toMatchObject({ status: "failed", arn: null });
    expect(report.error?.message).toMatch(/^STS GetCallerIdentity answered without UserId\. Fix:/);
  });

  it.each([
    ["eu-central-1", {}, "https://sts.eu-central-1.amazonaws.com/"],
    ["cn-north-1", {}, "https://sts.cn-north-1.amazonaws.com.cn/"],
    ["us-gov-west-1", { AWS_USE_FIPS_ENDPOINT: "true" }, "https://sts.us-gov-west-1.amazonaws.com/"],
    ["us-east-1", { AWS_USE_FIPS_ENDPOINT: "true" }, "https://sts-fips.us-east-1.amazonaws.com/"],
    ["us-east-1", { AWS_ENDPOINT_URL_STS: " http://127.0.0.1:9/ " }, "http://127.0.0.1:9/"],
  ])("follows the partition and flags of the region: %s with %o calls %s", async (region, env, endpoint) => {
    const report = await verifyCallerIdentity(undefined, { region, env });
    expect(report).toMatchObject({ status: "skipped", endpoint });
  });

  it("reports a configuration the SDK refuses too, without calling anything", async () => {
    const report = await verifyAt("http://127.0.0.1:9", { env: { AWS_USE_FIPS_ENDPOINT: "true" } });
    expect(report).toMatchObject({ status: "failed", endpoint: "(none)" });
    expect(report.error?.message).toBe(
      "Invalid Configuration: FIPS and custom endpoint are not supported. Fix: check AWS_REGION (or --region), AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT and AWS_ENDPOINT_URL_STS.",
    );
  });

  it("compares the assumed role with the chain's role by name, paths aside", () => {
    const arn = "arn:aws:sts::123456789012:assumed-role/orders-reader/session";
    expect(arnMatchesRole(arn, "arn:aws:iam::123456789012:role/team/orders-reader")).toBe(true);
    expect(arnMatchesRole(arn, "orders-reader")).toBe(true);
    expect(arnMatchesRole(arn, "other")).toBe(false);
    expect(arnMatchesRole("arn:aws:iam::123456789012:user/dev", "orders-reader")).toBeNull();
    expect(arnMatchesRole(arn, null)).toBeNull();
  });
});
