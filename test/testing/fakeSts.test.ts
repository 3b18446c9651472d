import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createFakeCredentials,
  createFakeJwt,
  type FakeSts,
  fakeSts,
  type StsErrorCode,
} from "../../src/testing/index.js";
import { ADAPTERS, assumeWithWebIdentity, call, field, form, NOW, ROLE_ARN, type Served, serve } from "./serveFake.js";
import { signedCall } from "./signedCall.js";

const IDENTITY = { Action: "GetCallerIdentity", Version: "2011-06-15" };
const DEVELOPER = { arn: "arn:aws:iam::123456789012:user/dev", account: "123456789012", userId: "AIDAFAKE" };

describe.each(ADAPTERS)("fakeSts through %s", (adapter) => {
  const token = createFakeJwt({ now: NOW });
  let sts: FakeSts;
  let served: Served;
  const assume = (fields: Record<string, string> = {}) => assumeWithWebIdentity(served.baseUrl, token, fields);

  beforeEach(async () => {
    sts = fakeSts({ expectedToken: token, now: () => NOW });
    served = await serve(adapter, sts.handler, "https://sts.us-east-1.amazonaws.com");
  });
  afterEach(() => served.close());

  it("answers AssumeRoleWithWebIdentity with STS's XML and records what it received", async () => {
    const response = await assume();
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/xml");
    const issued = sts.issued[0];
    expect(issued).toBeDefined();
    expect(response.body).toMatch(
      /^<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/,
    );
    expect(field(response.body, "AccessKeyId")).toBe(issued?.accessKeyId);
    expect(field(response.body, "SecretAccessKey")).toBe(issued?.secretAccessKey);
    expect(field(response.body, "SessionToken")).toBe(issued?.sessionToken);
    expect(field(response.body, "Expiration")).toBe("2030-01-01T01:00:00Z");
    expect(field(response.body, "Arn")).toBe("arn:aws:sts::123456789012:assumed-role/orders-reader/orders-session");
    expect(field(response.body, "AssumedRoleId")).toMatch(/^AROA[0-9A-F]{17}:orders-session$/);
    expect(field(response.body, "SubjectFromWebIdentityToken")).toBe("system:serviceaccount:default:orders");
    expect(field(response.body, "Audience")).toBe("sts.amazonaws.com");
    expect(field(response.body, "RequestId")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers["x-amzn-requestid"]).toBe(field(response.body, "RequestId"));
    expect(response.body.endsWith("</AssumeRoleWithWebIdentityResponse>\n")).toBe(true);
    expect(issued?.accessKeyId).toMatch(/^ASIASTS[A-Z2-7]{13}$/);
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]).toMatchObject({
      action: "AssumeRoleWithWebIdentity",
      roleArn: ROLE_ARN,
      roleSessionName: "orders-session",
      webIdentityToken: token,
      version: "2011-06-15",
      region: undefined,
      host: new URL(served.baseUrl).host,
    });
  });

  it("answers InvalidIdentityToken to a token it does not expect", async () => {
    const response = await assume({ WebIdentityToken: createFakeJwt({ now: NOW }) });
    expect(response.status).toBe(400);
    expect(response.body).toContain("<Type>Sender</Type>");
    expect(field(response.body, "Code")).toBe("InvalidIdentityToken");
    expect(response.body).toMatch(
      /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\n {2}<Error>/,
    );
    expect(field(response.body, "RequestId")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers["x-amzn-requestid"]).toBe(field(response.body, "RequestId"));
    expect(response.body.endsWith("</ErrorResponse>\n")).toBe(true);
    expect(sts.issued).toEqual([]);
  });

  it("answers ExpiredTokenException to a JWT whose exp has passed", async () => {
    const expired = createFakeJwt({ now: NOW, expiresInSeconds: -10 });
    sts.configure({ expectedToken: undefined });
    const response = await assume({ WebIdentityToken: expired });
    expect(response.status).toBe(400);
    expect(field(response.body, "Code")).toBe("ExpiredTokenException");
  });

  it("answers AccessDenied (403) for a role it does not allow", async () => {
    sts.configure({ expectedRoleArn: "arn:aws:iam::123456789012:role/other" });
    const response = await assume();
    expect(response.status).toBe(403);
    expect(field(response.body, "Code")).toBe("AccessDenied");
  });

  it("answers ValidationError to a missing token and to a bad session name", async () => {
    const missing = await call(
      served.baseUrl,
      form({ Action: "AssumeRoleWithWebIdentity", Version: "2011-06-15", RoleArn: ROLE_ARN, RoleSessionName: "s1" }),
    );
    expect(missing.status).toBe(400);
    expect(field(missing.body, "Code")).toBe("ValidationError");
    expect(field(missing.body, "Message")).toContain("'webIdentityToken'");
    const badSession = await assume({ RoleSessionName: "has space" });
    expect(field(badSession.body, "Code")).toBe("ValidationError");
  });

  it.each<[StsErrorCode, number, string]>([
    ["InvalidIdentityToken", 400, "Sender"],
    ["AccessDenied", 403, "Sender"],
    ["ExpiredTokenException", 400, "Sender"],
    ["Throttling", 400, "Sender"],
    ["IDPCommunicationError", 400, "Sender"],
    ["IDPRejectedClaim", 403, "Sender"],
    ["InternalFailure", 500, "Receiver"],
  ])("answers %s with status %i in that mode", async (code, status, type) => {
    sts.setMode(code, { message: "told to fail" });
    const response = await assume();
    expect(response.status).toBe(status);
    expect(field(response.body, "Type")).toBe(type);
    expect(field(response.body, "Code")).toBe(code);
    expect(field(response.body, "Message")).toBe("told to fail");
  });

  it("fails the first calls, then succeeds", async () => {
    sts.setMode("Throttling", { times: 2 });
    expect((await assume()).status).toBe(400);
    expect((await assume()).status).toBe(400);
    expect((await assume()).status).toBe(200);
    expect(sts.mode).toBe("ok");
    expect(sts.calls).toHaveLength(3);
    expect(sts.issued).toHaveLength(1);
  });

  it("answers GetCallerIdentity signed with credentials it issued, reading the region from the signature", async () => {
    await assume();
    const issued = sts.issued[0];
    if (issued === undefined) throw new Error("no credentials issued");
    sts.configure({ now: () => new Date() }); // the signature is made now; the issued credentials expire in 2030
    const { url, init } = await signedCall(served.baseUrl, IDENTITY, issued, { region: "eu-west-1" });
    const response = await call(url, init);
    expect(response.status).toBe(200);
    expect(field(response.body, "Arn")).toBe("arn:aws:sts::123456789012:assumed-role/orders-reader/orders-session");
    expect(field(response.body, "Account")).toBe("123456789012");
    expect(field(response.body, "UserId")).toBe(issued.assumedRoleId);
    expect(sts.calls[1]).toMatchObject({
      action: "GetCallerIdentity",
      region: "eu-west-1",
      signedWith: issued.accessKeyId,
      signature: "verified",
      callerArn: issued.assumedRoleArn,
    });
  });

  it("refuses GetCallerIdentity unsigned, or signed with a key no fake made, as real STS does", async () => {
    const unsigned = await call(served.baseUrl, form(IDENTITY));
    expect(unsigned.status).toBe(403);
    expect(field(unsigned.body, "Code")).toBe("MissingAuthenticationToken");
    const stranger = { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "s".repeat(40) };
    const { url, init } = await signedCall(served.baseUrl, IDENTITY, stranger);
    sts.configure({ now: () => new Date(), callerIdentity: DEVELOPER });
    const unknown = await call(url, init);
    expect(unknown.status).toBe(403);
    expect(field(unknown.body, "Code")).toBe("InvalidClientTokenId");
    expect(field(unknown.body, "Message")).toBe("The security token included in the request is invalid.");
    expect(sts.calls.map((received) => received.signature)).toEqual(["unsigned", "rejected"]);
  });

  it("answers callerIdentity for credentials that verify but that no fake has served", async () => {
    const made = createFakeCredentials("MADE");
    sts.configure({ now: () => new Date() });
    const { url, init } = await signedCall(served.baseUrl, IDENTITY, made);
    expect(field((await call(url, init)).body, "Code")).toBe("InvalidClientTokenId");
    sts.configure({ callerIdentity: DEVELOPER });
    expect(field((await call(url, init)).body, "Arn")).toBe(DEVELOPER.arn);
  });

  it("answers InvalidAction to an unknown action", async () => {
    const response = await call(served.baseUrl, form({ Action: "GetSessionToken", Version: "2011-06-15" }));
    expect(response.status).toBe(400);
    expect(field(response.body, "Code")).toBe("InvalidAction");
  });
});
