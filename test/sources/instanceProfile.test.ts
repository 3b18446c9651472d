import { afterEach, describe, expect, it } from "vitest";
import { fromNodeInstanceProfile, fromPodProviderChain } from "../../src/index.js";
import { resetImdsTokenStates } from "../../src/sources/instanceProfile/imdsSessionTokens.js";
import { fakeImds } from "../../src/testing/index.js";
import { secretCredentials, serveWithMsw } from "../support/fakes.js";
import { rejectionOf, testLogger } from "../support/leakCheck.js";

const IMDS = "http://169.254.169.254";

const imds = async (options: Parameters<typeof fakeImds>[0] = {}) => {
  const node = fakeImds({ roleName: "eks-node-role", credentials: secretCredentials("NODE"), ...options });
  await serveWithMsw(IMDS, node);
  return node;
};

afterEach(() => resetImdsTokenStates());

describe("instanceProfile (the node's role)", () => {
  it("is refused by default, even when the metadata service would answer", async () => {
    const node = await imds();
    const error = await rejectionOf(fromPodProviderChain({ env: {}, logger: testLogger() })());
    expect(error.name).toBe("NoPodCredentialsError");
    expect(node.requests).toHaveLength(0);
  });

  it("is used last with POD_CREDENTIALS_ALLOW_NODE=true, over IMDSv2, with a warning at every resolution", async () => {
    const node = await imds();
    const logger = testLogger();
    const provider = fromPodProviderChain({ env: { POD_CREDENTIALS_ALLOW_NODE: "true" }, logger });

    const credentials = await provider();
    await provider({ forceRefresh: true });

    expect(credentials.accessKeyId).toBe(node.credentials.accessKeyId);
    expect(node.requests[0]).toMatchObject({ method: "PUT", path: "/latest/api/token" });
    expect(node.requests.slice(1).every((request) => request.headers["x-aws-ec2-metadata-token"] !== undefined)).toBe(
      true,
    );
    expect(logger.at("warn")).toEqual([
      expect.stringContaining("every pod on this node shares these credentials"),
      expect.stringContaining("every pod on this node shares these credentials"),
    ]);
    expect(provider.describe()).toMatchObject({ source: "instanceProfile", roleName: "eks-node-role" });
  });

  it("is allowed by the allowNodeCredentials option", async () => {
    await imds();
    await expect(
      fromPodProviderChain({ env: {}, allowNodeCredentials: true, logger: testLogger() })(),
    ).resolves.toBeDefined();
  });

  it("reuses its IMDSv2 session token across refreshes instead of asking for one each time", async () => {
    const node = await imds();
    const provider = fromNodeInstanceProfile({ env: {}, logger: testLogger() });
    await provider();
    await provider({ forceRefresh: true });
    expect(node.requests.filter((request) => request.method === "PUT")).toHaveLength(1);
  });

  it("behind a hop limit of 1, waits for the token request once per process, then uses IMDSv1 with a warning", async () => {
    const node = await imds({ hopLimitExceeded: true });
    const logger = testLogger();
    const provider = fromNodeInstanceProfile({ env: {}, timeoutMs: 200, logger });

    await provider();
    await provider({ forceRefresh: true });
    await fromNodeInstanceProfile({ env: {}, timeoutMs: 200, logger: testLogger() })();

    expect(node.requests.filter((request) => request.method === "PUT")).toHaveLength(1);
    expect(logger.at("warn")).toContainEqual(expect.stringContaining("using IMDSv1 for the rest of this process"));
  });

  it("behind a hop limit of 1 with AWS_EC2_METADATA_V1_DISABLED=true, fails and says to raise the hop limit", async () => {
    await imds({ hopLimitExceeded: true });
    const error = await rejectionOf(
      fromNodeInstanceProfile({
        env: { AWS_EC2_METADATA_V1_DISABLED: "true" },
        timeoutMs: 200,
        logger: testLogger(),
      })(),
    );
    expect(error).toMatchObject({ name: "CredentialSourceError", source: "instanceProfile" });
    expect(error.message).toContain("--http-put-response-hop-limit 2");
  });

  it("says so when the node has no instance profile", async () => {
    await imds({ noRole: true });
    const error = await rejectionOf(fromNodeInstanceProfile({ env: {}, logger: testLogger() })());
    expect(error.message).toContain("lists no instance-profile role");
  });
});
