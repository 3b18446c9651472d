// AssumeRole on the fake STS, called by the AWS SDK's own STS client (fromTemporaryCredentials, which signs with the
// caller's credentials): trust policies, the 1-hour cap on role chaining, the recorded fields, STS's XML.
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createFakeJwt,
  type FakeImds,
  type FakeSts,
  fakeImds,
  fakeSts,
  type LoopbackServer,
  registerFakeCredentials,
  startLoopbackServer,
} from "../../src/testing/index.js";
import { assumeWithWebIdentity, call, field } from "./serveFake.js";
import { signedCall } from "./signedCall.js";

const POD_ROLE = "arn:aws:iam::123456789012:role/orders-reader";
const TARGET = "arn:aws:iam::210987654321:role/reports-writer";
const NODE_ARN = "arn:aws:sts::123456789012:assumed-role/eks-node-role/i-0123456789abcdef0";
const CHAINING = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.";

let sts: FakeSts;
let server: LoopbackServer;
beforeEach(async () => {
  sts = fakeSts();
  server = await startLoopbackServer(sts.handler);
});
afterEach(() => server.close());

/** The pod's IRSA session, from AssumeRoleWithWebIdentity on the fake. */
const podSession = async (): Promise<AwsCredentialIdentity> => {
  const answer = await assumeWithWebIdentity(server.url, createFakeJwt(), {
    RoleArn: POD_ROLE,
    RoleSessionName: "orders-pod",
  });
  expect(answer.status).toBe(200);
  const issued = sts.issued.at(-1);
  if (issued === undefined) throw new Error("nothing issued");
  // A copy: the SDK marks the credentials it is given ($source), and what the fake records is frozen.
  return {
    accessKeyId: issued.accessKeyId,
    secretAccessKey: issued.secretAccessKey,
    sessionToken: issued.sessionToken,
  };
};

/** An IAM user's long-term key, which is no role session: AssumeRole with it is not role chaining. */
const iamUser = (): AwsCredentialIdentity => {
  const user = { accessKeyId: "AKIAEXAMPLEUSER00001", secretAccessKey: "u".repeat(40), sessionToken: "" };
  registerFakeCredentials(user, {
    identity: { arn: "arn:aws:iam::123456789012:user/ci", account: "123456789012", userId: "AIDAEXAMPLEUSER00001" },
  });
  return { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
};

/** The node role's credentials, as the fake IMDS serves them. */
const nodeCredentials = async (imds: FakeImds): Promise<AwsCredentialIdentity> => {
  const url = "http://169.254.169.254/latest/meta-data/iam/security-credentials/eks-node-role";
  const served = (await (await imds.handler(new Request(url))).json()) as Record<string, string>;
  return {
    accessKeyId: served.AccessKeyId ?? "",
    secretAccessKey: served.SecretAccessKey ?? "",
    sessionToken: served.Token ?? "",
  };
};

/** The SDK's AssumeRole with `masterCredentials`, at the fake; resolves to the credentials or the SDK's error. */
const assumeWithSdk = (
  masterCredentials: AwsCredentialIdentity,
  params: Parameters<typeof fromTemporaryCredentials>[0]["params"],
): Promise<AwsCredentialIdentity | { name: string; message: string; status: number | undefined }> =>
  fromTemporaryCredentials({
    masterCredentials,
    params: { RoleSessionName: "reports", ...params },
    clientConfig: { endpoint: server.url, region: "us-east-1", maxAttempts: 1 },
  })().catch((error: Error & { $metadata?: { httpStatusCode?: number } }) => ({
    name: error.name,
    message: error.message,
    status: error.$metadata?.httpStatusCode,
  }));

describe("AssumeRole, called by the AWS SDK", () => {
  it("chains from the pod's session into another account, recording every field the SDK sent", async () => {
    const pod = await podSession();
    const chained = await assumeWithSdk(pod, {
      RoleArn: TARGET,
      DurationSeconds: 900,
      ExternalId: "orders-42",
      Policy: '{"Version":"2012-10-17","Statement":[]}',
      Tags: [
        { Key: "team", Value: "orders" },
        { Key: "env", Value: "prod" },
      ],
      TransitiveTagKeys: ["team"],
      SourceIdentity: "orders-service",
    });
    expect(chained).toMatchObject({
      accessKeyId: sts.issued[1]?.accessKeyId,
      sessionToken: sts.issued[1]?.sessionToken,
    });
    expect(sts.calls[1]).toMatchObject({
      action: "AssumeRole",
      roleArn: TARGET,
      roleSessionName: "reports",
      durationSeconds: 900,
      externalId: "orders-42",
      policy: '{"Version":"2012-10-17","Statement":[]}',
      tags: [
        { key: "team", value: "orders" },
        { key: "env", value: "prod" },
      ],
      transitiveTagKeys: ["team"],
      sourceIdentity: "orders-service",
      signature: "verified",
      signedWith: pod.accessKeyId,
      callerArn: "arn:aws:sts::123456789012:assumed-role/orders-reader/orders-pod",
    });
    expect(sts.issued[1]).toMatchObject({
      action: "AssumeRole",
      chained: true,
      callerArn: "arn:aws:sts::123456789012:assumed-role/orders-reader/orders-pod",
      sourceIdentity: "orders-service",
      assumedRoleArn: "arn:aws:sts::210987654321:assumed-role/reports-writer/reports",
    });
    // The chained credentials are known in turn: GetCallerIdentity names the target role.
    const { url, init } = await signedCall(
      server.url,
      { Action: "GetCallerIdentity", Version: "2011-06-15" },
      chained as AwsCredentialIdentity,
    );
    expect(field((await call(url, init)).body, "Arn")).toBe(
      "arn:aws:sts::210987654321:assumed-role/reports-writer/reports",
    );
  });

  it("caps a chained session at one hour with STS's ValidationError, and issues nothing", async () => {
    const pod = await podSession();
    expect(await assumeWithSdk(pod, { RoleArn: TARGET, DurationSeconds: 3600 })).toHaveProperty("accessKeyId");
    expect(await assumeWithSdk(pod, { RoleArn: TARGET, DurationSeconds: 3601 })).toEqual({
      name: "ValidationError",
      message: CHAINING,
      status: 400,
    });
    expect(sts.issued.map((issued) => issued.action)).toEqual(["AssumeRoleWithWebIdentity", "AssumeRole"]);
  });

  it("lets an IAM user's key (no role session) ask for up to 12 hours: not chained", async () => {
    const issued = await assumeWithSdk(iamUser(), { RoleArn: TARGET, DurationSeconds: 43_200 });
    expect(issued).toHaveProperty("accessKeyId");
    expect(sts.issued[0]).toMatchObject({ chained: false, callerArn: "arn:aws:iam::123456789012:user/ci" });
    expect(sts.issued[0]?.expiration.getTime()).toBe((issued as AwsCredentialIdentity).expiration?.getTime());
  });

  it.each([
    [
      899,
      "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    ],
    [
      43_201,
      "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
    ],
  ])("refuses DurationSeconds %i with ValidationError", async (seconds, message) => {
    expect(await assumeWithSdk(iamUser(), { RoleArn: TARGET, DurationSeconds: seconds })).toEqual({
      name: "ValidationError",
      message,
      status: 400,
    });
  });

  it("answers AccessDenied in real STS's words to a caller the role's trust policy does not name", async () => {
    sts.configure({ trust: { [TARGET]: [POD_ROLE] } });
    const node = await nodeCredentials(fakeImds());
    expect(await assumeWithSdk(node, { RoleArn: TARGET })).toEqual({
      name: "AccessDenied",
      message: `User: ${NODE_ARN} is not authorized to perform: sts:AssumeRole on resource: ${TARGET}`,
      status: 403,
    });
    expect(await assumeWithSdk(await podSession(), { RoleArn: TARGET })).toHaveProperty("accessKeyId");
    expect(((await assumeWithSdk(await podSession(), { RoleArn: POD_ROLE })) as { name: string }).name).toBe(
      "AccessDenied",
    );
  });

  it("checks the trust policy's ExternalId and account principals", async () => {
    sts.configure({ trust: { [TARGET]: { principals: ["arn:aws:iam::123456789012:root"], externalId: "orders-42" } } });
    const pod = await podSession();
    expect(((await assumeWithSdk(pod, { RoleArn: TARGET })) as { name: string }).name).toBe("AccessDenied");
    expect(((await assumeWithSdk(pod, { RoleArn: TARGET, ExternalId: "orders-41" })) as { name: string }).name).toBe(
      "AccessDenied",
    );
    expect(await assumeWithSdk(pod, { RoleArn: TARGET, ExternalId: "orders-42" })).toHaveProperty("accessKeyId");
  });

  it("refuses an expired caller with ExpiredToken, and an unknown one with InvalidClientTokenId", async () => {
    const expired = await nodeCredentials(fakeImds({ expiration: new Date(Date.now() - 1000) }));
    expect(await assumeWithSdk(expired, { RoleArn: TARGET })).toMatchObject({ name: "ExpiredToken", status: 403 });
    const stranger = { accessKeyId: "ASIASTRANGER00000000", secretAccessKey: "s".repeat(40), sessionToken: "t" };
    expect(await assumeWithSdk(stranger, { RoleArn: TARGET })).toMatchObject({
      name: "InvalidClientTokenId",
      status: 403,
    });
    expect(sts.issued).toEqual([]);
  });
});

describe("AssumeRole's answer as real STS writes it", () => {
  const assumeRole = async (fields: Record<string, string>, credentials: AwsCredentialIdentity) => {
    const { url, init } = await signedCall(
      server.url,
      { Action: "AssumeRole", Version: "2011-06-15", ...fields },
      credentials,
    );
    return call(url, init);
  };

  it("AssumeRoleResult: SourceIdentity, AssumedRoleUser, Credentials, PackedPolicySize when a policy or tags were sent", async () => {
    const user = iamUser();
    const answer = await assumeRole(
      {
        RoleArn: TARGET,
        RoleSessionName: "reports",
        SourceIdentity: "orders",
        "Tags.member.1.Key": "team",
        "Tags.member.1.Value": "orders",
      },
      user,
    );
    expect(answer.status).toBe(200);
    const issued = sts.issued[0];
    expect(answer.body.replace(/<RequestId>[^<]+/, "<RequestId>ID")).toBe(
      [
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
        "  <AssumeRoleResult>",
        "    <SourceIdentity>orders</SourceIdentity>",
        "    <AssumedRoleUser>",
        "      <Arn>arn:aws:sts::210987654321:assumed-role/reports-writer/reports</Arn>",
        `      <AssumedRoleId>${issued?.assumedRoleId}</AssumedRoleId>`,
        "    </AssumedRoleUser>",
        "    <Credentials>",
        `      <AccessKeyId>${issued?.accessKeyId}</AccessKeyId>`,
        `      <SecretAccessKey>${issued?.secretAccessKey}</SecretAccessKey>`,
        `      <SessionToken>${issued?.sessionToken}</SessionToken>`,
        `      <Expiration>${issued?.expiration.toISOString().slice(0, 19)}Z</Expiration>`,
        "    </Credentials>",
        "    <PackedPolicySize>1</PackedPolicySize>",
        "  </AssumeRoleResult>",
        "  <ResponseMetadata>",
        "    <RequestId>ID</RequestId>",
        "  </ResponseMetadata>",
        "</AssumeRoleResponse>",
        "",
      ].join("\n"),
    );
    const plain = await assumeRole({ RoleArn: TARGET, RoleSessionName: "reports" }, user);
    expect(plain.body).not.toContain("PackedPolicySize");
    expect(plain.body).not.toContain("SourceIdentity");
  });

  it("ValidationError for a missing RoleArn or RoleSessionName, MissingAuthenticationToken unsigned", async () => {
    const missing = await assumeRole({}, iamUser());
    expect(field(missing.body, "Message")).toBe(
      "2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
    );
    const unsigned = await call(server.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `Action=AssumeRole&Version=2011-06-15&RoleArn=${TARGET}&RoleSessionName=reports`,
    });
    expect([unsigned.status, field(unsigned.body, "Code")]).toEqual([403, "MissingAuthenticationToken"]);
    expect(sts.issued).toEqual([]);
  });
});
