// The fakes are only useful if the real AWS SDK reads them as it reads the real servers: each fake is exercised here
// by the SDK's own credential providers, over a loopback server.
import { fromHttp, fromInstanceMetadata, fromWebToken } from "@aws-sdk/credential-providers";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createFakeJwt,
  fakeImds,
  fakePodIdentityAgent,
  fakeSts,
  type LoopbackServer,
  startLoopbackServer,
} from "../../src/testing/index.js";

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("the AWS SDK against the fakes", () => {
  it("fromInstanceMetadata reads the fake IMDS credentials over IMDSv2", async () => {
    const imds = fakeImds({ roleName: "eks-node" });
    server = await startLoopbackServer(imds.handler);
    vi.stubEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url);
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "false");
    // Generous: every request here is answered, and a loaded machine can miss a short timeout.
    const credentials = await fromInstanceMetadata({ timeout: 2000 })();
    expect(credentials).toMatchObject({
      accessKeyId: imds.credentials.accessKeyId,
      secretAccessKey: imds.credentials.secretAccessKey,
      sessionToken: imds.credentials.sessionToken,
    });
    const gets = imds.requests.filter((request) => request.method === "GET");
    expect(gets.map((request) => request.path)).toEqual([
      "/latest/meta-data/iam/security-credentials/",
      "/latest/meta-data/iam/security-credentials/eks-node",
    ]);
    const issued = imds.issuedTokens.map((token) => token.token);
    for (const get of gets) expect(issued).toContain(get.headers["x-aws-ec2-metadata-token"]);
  });

  it("fromInstanceMetadata falls back to IMDSv1 after the token PUT times out beyond the hop limit", async () => {
    const imds = fakeImds({ roleName: "eks-node", hopLimitExceeded: true });
    server = await startLoopbackServer(imds.handler);
    vi.stubEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url);
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "false");
    // The PUT pays this once; the IMDSv1 GETs that follow must be answered within it, which a loaded machine can miss
    // at 100 ms. The test is about the fallback, not this number.
    const credentials = await fromInstanceMetadata({ timeout: 1000 })();
    expect(credentials.accessKeyId).toBe(imds.credentials.accessKeyId);
  });

  it("fromWebToken gets the credentials the fake STS issued and sends it the token", async () => {
    const token = createFakeJwt();
    const sts = fakeSts({ expectedToken: token });
    server = await startLoopbackServer(sts.handler);
    const roleArn = "arn:aws:iam::123456789012:role/orders-reader";
    const credentials = await fromWebToken({
      roleArn,
      webIdentityToken: token,
      roleSessionName: "orders-session",
      clientConfig: { endpoint: server.url, region: "eu-west-1" },
    })();
    const issued = sts.issued[0];
    expect(credentials).toMatchObject({
      accessKeyId: issued?.accessKeyId,
      secretAccessKey: issued?.secretAccessKey,
      sessionToken: issued?.sessionToken,
      expiration: issued?.expiration,
    });
    expect(sts.calls[0]).toMatchObject({
      action: "AssumeRoleWithWebIdentity",
      roleArn,
      roleSessionName: "orders-session",
      webIdentityToken: token,
    });
  });

  it("fromWebToken surfaces the fake STS error codes as the SDK's exceptions", async () => {
    const sts = fakeSts().setMode("InvalidIdentityToken");
    server = await startLoopbackServer(sts.handler);
    const error: unknown = await fromWebToken({
      roleArn: "arn:aws:iam::123456789012:role/orders-reader",
      webIdentityToken: createFakeJwt(),
      clientConfig: { endpoint: server.url, region: "us-east-1", maxAttempts: 1 },
    })().catch((caught: unknown) => caught);
    expect((error as Error).name).toBe("InvalidIdentityTokenException");
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(400);
  });

  it("fromHttp reads the fake Pod Identity agent's credentials", async () => {
    const token = createFakeJwt();
    const agent = fakePodIdentityAgent({ expectedToken: token });
    server = await startLoopbackServer(agent.handler);
    const credentials = await fromHttp({
      awsContainerCredentialsFullUri: `${server.url}/v1/credentials`,
      awsContainerAuthorizationToken: token,
      maxRetries: 0,
    })();
    expect(credentials).toMatchObject({
      accessKeyId: agent.credentials.accessKeyId,
      secretAccessKey: agent.credentials.secretAccessKey,
      sessionToken: agent.credentials.sessionToken,
    });
  });
});
