import { afterEach, describe, expect, it } from "vitest";
import { fromNodeInstanceProfile, fromPodProviderChain } from "../../src/index.js";
import { resetImdsTokenStates } from "../../src/sources/instanceProfile/imdsSessionTokens.js";
import { fakeImds } from "../../src/testing/index.js";
import { secretCredentials, serveWithMsw } from "../support/fakes.js";
import { rejectionOf, testLogger } from "../support/leakCheck.js";

const IMDS = "http://169.254.169.254";
const TOKEN_PATH = "/latest/api/token";
const LISTING_PATH = "/latest/meta-data/iam/security-credentials/";

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

  it("asks for a new session token once when IMDS rejects the one it kept, and carries on", async () => {
    const node = await imds();
    const provider = fromNodeInstanceProfile({ env: {}, logger: testLogger() });
    await provider();
    node.expireTokens();
    const credentials = await provider({ forceRefresh: true });
    expect(credentials.accessKeyId).toBe(node.credentials.accessKeyId);
    expect(node.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `PUT ${TOKEN_PATH}`,
      `GET ${LISTING_PATH}`,
      `GET ${LISTING_PATH}eks-node-role`,
      `GET ${LISTING_PATH}`,
      `PUT ${TOKEN_PATH}`,
      `GET ${LISTING_PATH}`,
      `GET ${LISTING_PATH}eks-node-role`,
    ]);
  });

  it.each([403, 404, 405])(
    "takes a token request answered HTTP %i for IMDSv2 being unavailable, and uses IMDSv1 with a warning",
    async (status) => {
      const node = await imds();
      node.injectFault({ kind: "status", status }, { path: TOKEN_PATH });
      const logger = testLogger();
      const credentials = await fromNodeInstanceProfile({ env: {}, logger })();
      expect(credentials.accessKeyId).toBe(node.credentials.accessKeyId);
      expect(logger.at("warn")).toContainEqual(
        `pod-credentials: the IMDSv2 token request to ${IMDS}${TOKEN_PATH} was answered with HTTP ${status}; using ` +
          "IMDSv1 for the rest of this process. To use IMDSv2, raise the instance's metadata hop limit to 2 (aws ec2 " +
          "modify-instance-metadata-options --http-put-response-hop-limit 2) so that pods can use IMDSv2.",
      );
      expect(node.requests.slice(1).every((request) => request.headers["x-aws-ec2-metadata-token"] === undefined)).toBe(
        true,
      );
    },
  );

  it("fails on a token request answered with another error status, naming it", async () => {
    const node = await imds();
    node.injectFault({ kind: "status", status: 500, body: "internal error" }, { path: TOKEN_PATH });
    const error = await rejectionOf(fromNodeInstanceProfile({ env: {}, logger: testLogger() })());
    expect(error).toMatchObject({ name: "CredentialSourceError", source: "instanceProfile", status: 500 });
    expect(error.message).toBe(
      `[instanceProfile] The IMDSv2 token request to ${IMDS}${TOKEN_PATH} failed with HTTP 500. Fix: check ` +
        "AWS_EC2_METADATA_SERVICE_ENDPOINT points at the instance metadata service.",
    );
    expect(node.requests).toHaveLength(1);
  });

  it("says IMDSv2 is required but out of reach when IMDSv1 is answered 401 after the token request was refused", async () => {
    const node = await imds({ v1Allowed: false });
    node.injectFault({ kind: "status", status: 403 }, { path: TOKEN_PATH });
    const error = await rejectionOf(fromNodeInstanceProfile({ env: {}, logger: testLogger() })());
    expect(error).toMatchObject({ name: "CredentialSourceError", status: 401 });
    expect(error.message).toContain(
      `IMDSv2 is out of reach (the IMDSv2 token request to ${IMDS}${TOKEN_PATH} was answered with HTTP 403), and the ` +
        "instance requires IMDSv2: its IMDSv1 answer was HTTP 401.",
    );
    expect(error.message).toContain("--http-put-response-hop-limit 2");
  });

  it.each([
    ["its message", "rate exceeded", "rate exceeded"],
    ["no message", "", "(no message)"],
  ])("names the status and %s when IMDS refuses the role's credentials", async (_, body, shown) => {
    const node = await imds();
    node.injectFault({ kind: "status", status: 503, body }, { path: `${LISTING_PATH}eks-node-role` });
    const error = await rejectionOf(fromNodeInstanceProfile({ env: {}, logger: testLogger() })());
    expect(error).toMatchObject({ name: "CredentialSourceError", status: 503 });
    expect(error.message).toBe(
      `[instanceProfile] The instance metadata service answered HTTP 503 for the role's credentials: ${shown} Fix: ` +
        "check the node's instance profile.",
    );
  });

  it("says so when the node has no instance profile", async () => {
    await imds({ noRole: true });
    const error = await rejectionOf(fromNodeInstanceProfile({ env: {}, logger: testLogger() })());
    expect(error.message).toContain("lists no instance-profile role");
  });
});

describe("instanceProfile with AWS_EC2_METADATA_DISABLED", () => {
  it("is skipped, as the SDK skips IMDS, even when node credentials are allowed", async () => {
    const node = await imds();
    const error = await rejectionOf(
      fromPodProviderChain({
        env: { POD_CREDENTIALS_ALLOW_NODE: "true", AWS_EC2_METADATA_DISABLED: "true" },
        logger: testLogger(),
      })(),
    );
    expect(error.name).toBe("NoPodCredentialsError");
    expect(error.message).toContain(
      "instanceProfile: AWS_EC2_METADATA_DISABLED disables the instance metadata service",
    );
    expect(node.requests).toHaveLength(0);
  });

  it("is used when AWS_EC2_METADATA_DISABLED is false", async () => {
    await imds();
    await expect(
      fromPodProviderChain({
        env: { POD_CREDENTIALS_ALLOW_NODE: "true", AWS_EC2_METADATA_DISABLED: "false" },
        logger: testLogger(),
      })(),
    ).resolves.toBeDefined();
  });
});
