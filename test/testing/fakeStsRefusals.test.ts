// The fake STS's refusals for requests real STS refuses too, which a test of an STS client may rely on: another path
// or method, an action without a Version, a role ARN that is not one, a session outside STS's length bounds, a token
// the fake cannot read (its subject falls back to the default service account). Each through loopback and msw.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeJwt, type FakeSts, fakeSts } from "../../src/testing/index.js";
import { ADAPTERS, assumeWithWebIdentity, call, field, form, NOW, type Served, serve } from "./serveFake.js";

describe.each(ADAPTERS)("fakeSts refusals through %s", (adapter) => {
  const token = createFakeJwt({ now: NOW });
  let sts: FakeSts;
  let served: Served;
  const assume = (fields: Record<string, string>) => assumeWithWebIdentity(served.baseUrl, token, fields);

  beforeEach(async () => {
    sts = fakeSts({ now: () => NOW });
    served = await serve(adapter, sts.handler, "https://sts.us-east-1.amazonaws.com");
  });
  afterEach(() => served.close());

  it.each([
    ["POST", "/v1/assume"],
    ["PUT", "/"],
  ])("answers %s %s with 404 UnknownOperationException, and records the call", async (method, path) => {
    const response = await call(
      `${served.baseUrl}${path}`,
      form({ Action: "AssumeRoleWithWebIdentity", Version: "2011-06-15" }, method),
    );

    expect(response.status).toBe(404);
    expect(field(response.body, "Code")).toBe("UnknownOperationException");
    expect(field(response.body, "Message")).toBe(`No operation at ${method} ${path}`);
    expect(sts.calls).toHaveLength(1);
    expect(sts.issued).toEqual([]);
  });

  it("names the API version it assumed for an unknown action sent without a Version", async () => {
    const response = await call(served.baseUrl, form({ Action: "GetSessionToken" }));

    expect(response.status).toBe(400);
    expect(field(response.body, "Code")).toBe("InvalidAction");
    expect(field(response.body, "Message")).toBe("Could not find operation GetSessionToken for version 2011-06-15");
  });

  it("answers ValidationError to a role ARN that is not an IAM role's", async () => {
    const response = await assume({ RoleArn: "arn:aws:iam::123456789012:user/dev" });

    expect(response.status).toBe(400);
    expect(field(response.body, "Code")).toBe("ValidationError");
    expect(field(response.body, "Message")).toBe("arn:aws:iam::123456789012:user/dev is invalid");
  });

  it.each([
    ["899", "have value greater than or equal to 900"],
    ["43201", "have value less than or equal to 43200"],
  ])("answers ValidationError to DurationSeconds=%s (the constraint: %s)", async (seconds, rule) => {
    const response = await assume({ DurationSeconds: seconds });

    expect(response.status).toBe(400);
    expect(field(response.body, "Message")).toBe(
      `1 validation error detected: Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must ${rule}`,
    );
  });

  it("issues credentials for a token it cannot read as a JWT, as for the default service account", async () => {
    const response = await assume({ WebIdentityToken: "not-a-jwt" });

    expect(response.status).toBe(200);
    expect(field(response.body, "SubjectFromWebIdentityToken")).toBe("system:serviceaccount:default:orders");
  });
});
