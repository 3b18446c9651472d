import { setImmediate as nextTurn } from "node:timers/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fromNodeInstanceProfile, fromPodProviderChain } from "../../src/index.js";
import { resetImdsTokenStates } from "../../src/sources/instanceProfile.js";
import { fakeImds } from "../../src/testing/index.js";
import { secretCredentials, serveWithMsw } from "../support/fakes.js";
import { rejectionOf, testLogger } from "../support/leakCheck.js";
import { expectSourceError } from "../support/sourceErrors.js";
import { serveTrackingAbandoned } from "./abandonedRequests.js";

const IMDS = "http://169.254.169.254";
const TOKEN_PATH = "/latest/api/token";
const LISTING_PATH = "/latest/meta-data/iam/security-credentials/";
const LISTING_ONLY = /security-credentials\/$/;
const HOP_LIMIT_FIX =
  "raise the instance's metadata hop limit to 2 (aws ec2 modify-instance-metadata-options " +
  "--http-put-response-hop-limit 2) so that pods can use IMDSv2.";
const UNREACHABLE_FIX = "check that this runs on EC2 and that network policies let the pod reach 169.254.169.254.";
const requestLine = (request: { method: string; path: string }) => `${request.method} ${request.path}`;

const imds = async (options: Parameters<typeof fakeImds>[0] = {}) => {
  const node = fakeImds({ roleName: "eks-node-role", credentials: secretCredentials("NODE"), ...options });
  await serveWithMsw(IMDS, node);
  return node;
};

afterEach(() => {
  resetImdsTokenStates();
  vi.useRealTimers();
});

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
    expect(provider.describe()).toMatchObject({
      source: "instanceProfile",
      roleName: "eks-node-role",
      configuredBy: "node credentials allowed; metadata endpoint from the default endpoint",
    });
  });

  it("names the endpoint's setting in describe() when AWS_EC2_METADATA_SERVICE_ENDPOINT chooses it", async () => {
    const node = fakeImds({ credentials: secretCredentials("NODE") });
    await serveWithMsw("http://169.254.169.123", node);
    const provider = fromNodeInstanceProfile({
      env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://169.254.169.123/" },
      logger: testLogger(),
    });
    await provider();
    expect(provider.describe()?.configuredBy).toBe(
      "node credentials allowed; metadata endpoint from AWS_EC2_METADATA_SERVICE_ENDPOINT",
    );
    expect(node.requests).toHaveLength(3);
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
    expect(node.requests.map(requestLine)).toEqual([
      `PUT ${TOKEN_PATH}`,
      `GET ${LISTING_PATH}`,
      `GET ${LISTING_PATH}eks-node-role`,
      `GET ${LISTING_PATH}`,
      `GET ${LISTING_PATH}eks-node-role`,
    ]);
    const [issued] = node.issuedTokens;
    expect(issued?.ttlSeconds).toBe(21_600);
    expect(node.requests.slice(1).map((request) => request.headers["x-aws-ec2-metadata-token"])).toEqual(
      Array(4).fill(issued?.token),
    );
  });

  it.each([
    ["keeps", 6 * 3_600_000 - 61_000, 1],
    ["renews", 6 * 3_600_000 - 60_000, 2],
    ["renews", 6 * 3_600_000 - 59_000, 2],
  ])(
    "%s its session token when a refresh comes %i ms after it was issued (renewal a minute before expiry)",
    async (_, elapsedMs, puts) => {
      vi.useFakeTimers({ toFake: ["Date", "performance"] });
      const node = await imds();
      const provider = fromNodeInstanceProfile({ env: {}, logger: testLogger() });
      await provider();
      vi.advanceTimersByTime(elapsedMs);
      const credentials = await provider({ forceRefresh: true });
      expect(credentials.accessKeyId).toBe(node.credentials.accessKeyId);
      expect(node.requests.filter((request) => request.method === "PUT")).toHaveLength(puts);
      expect(node.requests.filter((request) => request.headers["x-aws-ec2-metadata-token"] === undefined)).toHaveLength(
        puts,
      );
    },
  );

  it("accepts a session token answered with a trailing newline, and sends it without one", async () => {
    const node = fakeImds({ credentials: secretCredentials("NODE") });
    await serveWithMsw(IMDS, {
      handler: async (request) => {
        const response = await node.handler(request);
        if (request.method !== "PUT") return response;
        return new Response(`${await response.text()}\r\n`, { status: response.status, headers: response.headers });
      },
    });
    const credentials = await fromNodeInstanceProfile({ env: {}, logger: testLogger() })();
    expect(credentials.accessKeyId).toBe(node.credentials.accessKeyId);
    expect(node.requests.slice(1).map((request) => request.headers["x-aws-ec2-metadata-token"])).toEqual([
      node.issuedTokens[0]?.token,
      node.issuedTokens[0]?.token,
    ]);
  });

  it.each([
    ["an empty body", ""],
    ["only a line end", "\r\n"],
  ])("fails on a token request answered 200 with %s, naming it", async (_, body) => {
    const node = await imds();
    node.injectFault({ kind: "status", status: 200, body }, { path: TOKEN_PATH });
    const error = await expectSourceError(expect, fromNodeInstanceProfile({ env: {}, logger: testLogger() })(), {
      source: "instanceProfile",
      status: 200,
    });
    expect(error.message).toContain(`The IMDSv2 token request to ${IMDS}${TOKEN_PATH} failed with HTTP 200.`);
    expect(node.requests.map(requestLine)).toEqual([`PUT ${TOKEN_PATH}`]);
  });

  it("fails when the token request's connection drops, rather than taking it for a hop limit", async () => {
    const node = await imds();
    node.injectFault({ kind: "reset" }, { path: TOKEN_PATH });
    const logger = testLogger();
    const error = await expectSourceError(expect, fromNodeInstanceProfile({ env: {}, logger })(), {
      source: "instanceProfile",
      target: `${IMDS}${TOKEN_PATH}`,
      fix: UNREACHABLE_FIX,
      says: [
        new RegExp(
          `^\\[instanceProfile\\] The instance metadata service gave no usable answer: connection to ${IMDS}${TOKEN_PATH} ` +
            `failed: .+\\. Fix: ${UNREACHABLE_FIX}$`,
        ),
      ],
    });
    expect(error.cause).toMatchObject({ name: "HttpRequestError", kind: "connection" });
    expect(node.requests.map(requestLine)).toEqual([`PUT ${TOKEN_PATH}`]);
    expect(logger.at("warn")).toEqual([]);
  });

  it("fails when the role listing request's connection drops, naming the URL", async () => {
    const node = await imds();
    node.injectFault({ kind: "reset" }, { path: LISTING_ONLY });
    const error = await expectSourceError(expect, fromNodeInstanceProfile({ env: {}, logger: testLogger() })(), {
      source: "instanceProfile",
      target: `${IMDS}${LISTING_PATH}`,
      fix: UNREACHABLE_FIX,
      says: [`The instance metadata service gave no usable answer: connection to ${IMDS}${LISTING_PATH} failed: `],
    });
    expect(error.cause).toMatchObject({ name: "HttpRequestError" });
  });

  it("behind a hop limit of 1, waits for the token request once per process, then uses IMDSv1 with a warning", async () => {
    const node = await imds({ hopLimitExceeded: true });
    const logger = testLogger();
    const provider = fromNodeInstanceProfile({ env: {}, timeoutMs: 200, logger });

    await provider();
    await provider({ forceRefresh: true });
    await fromNodeInstanceProfile({ env: {}, timeoutMs: 200, logger: testLogger() })();

    expect(node.requests.filter((request) => request.method === "PUT")).toHaveLength(1);
    expect(logger.at("warn")).toContainEqual(
      `pod-credentials: the IMDSv2 token request to ${IMDS}${TOKEN_PATH} got no answer within 200 ms (a metadata hop ` +
        `limit of 1 blocks IMDSv2 from pods); using IMDSv1 for the rest of this process. To use IMDSv2, ${HOP_LIMIT_FIX}`,
    );
  });

  it("behind a hop limit of 1 with AWS_EC2_METADATA_V1_DISABLED=true, fails and says to raise the hop limit", async () => {
    await imds({ hopLimitExceeded: true });
    const error = await expectSourceError(
      expect,
      fromNodeInstanceProfile({
        env: { AWS_EC2_METADATA_V1_DISABLED: "true" },
        timeoutMs: 200,
        logger: testLogger(),
      })(),
      { source: "instanceProfile", target: IMDS, fix: HOP_LIMIT_FIX },
    );
    expect(error.message).toBe(
      `[instanceProfile] IMDSv2 is out of reach: the IMDSv2 token request to ${IMDS}${TOKEN_PATH} got no answer ` +
        "within 200 ms (a metadata hop limit of 1 blocks IMDSv2 from pods), and AWS_EC2_METADATA_V1_DISABLED forbids " +
        `IMDSv1. Fix: ${HOP_LIMIT_FIX}`,
    );
  });

  it("asks for one new session token only when IMDS keeps refusing the listing with 401, then names the status", async () => {
    const node = await imds();
    node.injectFault({ kind: "status", status: 401 }, { path: LISTING_ONLY });
    const error = await expectSourceError(expect, fromNodeInstanceProfile({ env: {}, logger: testLogger() })(), {
      source: "instanceProfile",
      status: 401,
    });
    expect(error.message).toContain(
      `The instance metadata service at ${IMDS} lists no instance-profile role (HTTP 401).`,
    );
    expect(node.requests.map(requestLine)).toEqual([
      `PUT ${TOKEN_PATH}`,
      `GET ${LISTING_PATH}`,
      `PUT ${TOKEN_PATH}`,
      `GET ${LISTING_PATH}`,
    ]);
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
      expect(node.requests.map(requestLine)).toEqual([
        `PUT ${TOKEN_PATH}`,
        `GET ${LISTING_PATH}`,
        `GET ${LISTING_PATH}eks-node-role`,
      ]);
      expect(node.requests.slice(1).every((request) => request.headers["x-aws-ec2-metadata-token"] === undefined)).toBe(
        true,
      );
    },
  );

  it("fails on a token request answered with another error status, naming it", async () => {
    const node = await imds();
    node.injectFault({ kind: "status", status: 500, body: "internal error" }, { path: TOKEN_PATH });
    const error = await expectSourceError(expect, fromNodeInstanceProfile({ env: {}, logger: testLogger() })(), {
      source: "instanceProfile",
      status: 500,
    });
    expect(error.message).toBe(
      `[instanceProfile] The IMDSv2 token request to ${IMDS}${TOKEN_PATH} failed with HTTP 500. Fix: check ` +
        "AWS_EC2_METADATA_SERVICE_ENDPOINT points at the instance metadata service.",
    );
    expect(node.requests).toHaveLength(1);
  });

  it("says IMDSv2 is required but out of reach when IMDSv1 is answered 401 after the token request was refused", async () => {
    const node = await imds({ v1Allowed: false });
    node.injectFault({ kind: "status", status: 403 }, { path: TOKEN_PATH });
    const error = await expectSourceError(expect, fromNodeInstanceProfile({ env: {}, logger: testLogger() })(), {
      source: "instanceProfile",
      target: `${IMDS}${LISTING_PATH}`,
      status: 401,
      fix: HOP_LIMIT_FIX,
    });
    expect(error.message).toBe(
      `[instanceProfile] IMDSv2 is out of reach (the IMDSv2 token request to ${IMDS}${TOKEN_PATH} was answered with ` +
        `HTTP 403), and the instance requires IMDSv2: its IMDSv1 answer was HTTP 401. Fix: ${HOP_LIMIT_FIX}`,
    );
    expect(node.requests.map(requestLine)).toEqual([`PUT ${TOKEN_PATH}`, `GET ${LISTING_PATH}`]);
  });

  it.each([
    ["its message", "rate exceeded", "rate exceeded"],
    ["no message", "", "(no message)"],
  ])("names the status and %s when IMDS refuses the role's credentials", async (_, body, shown) => {
    const node = await imds();
    node.injectFault({ kind: "status", status: 503, body }, { path: `${LISTING_PATH}eks-node-role` });
    const error = await expectSourceError(expect, fromNodeInstanceProfile({ env: {}, logger: testLogger() })(), {
      status: 503,
    });
    expect(error.message).toBe(
      `[instanceProfile] The instance metadata service answered HTTP 503 for the role's credentials: ${shown} Fix: ` +
        "check the node's instance profile.",
    );
  });

  it("says so when the node has no instance profile", async () => {
    await imds({ noRole: true });
    const fix = "attach an instance profile with a role to the node, or configure a pod-scoped identity instead.";
    await expectSourceError(expect, fromNodeInstanceProfile({ env: {}, logger: testLogger() })(), {
      source: "instanceProfile",
      target: `${IMDS}${LISTING_PATH}`,
      status: 404,
      fix,
      message: `[instanceProfile] The instance metadata service at ${IMDS} lists no instance-profile role (HTTP 404). Fix: ${fix}`,
    });
  });

  it.each([
    ["several roles on LF lines", "eks-node-role\nother-role"],
    ["several roles on CRLF lines, with spaces", "  eks-node-role  \r\nother-role\r\n"],
    ["blank lines before the role", "\r\n\r\neks-node-role\r\n"],
  ])("takes the first role of a listing with %s", async (_, body) => {
    const node = await imds();
    node.injectFault({ kind: "status", status: 200, body }, { path: LISTING_ONLY });
    const provider = fromNodeInstanceProfile({ env: {}, logger: testLogger() });
    const credentials = await provider();
    expect(credentials.accessKeyId).toBe(node.credentials.accessKeyId);
    expect(node.requests.map(requestLine)).toEqual([
      `PUT ${TOKEN_PATH}`,
      `GET ${LISTING_PATH}`,
      `GET ${LISTING_PATH}eks-node-role`,
    ]);
    expect(provider.describe()?.roleName).toBe("eks-node-role");
  });

  it("abandons the listing request still in flight when the resolution deadline passes, closing its connection", async () => {
    const node = fakeImds({ credentials: secretCredentials("NODE"), hopLimitExceeded: true });
    node.injectFault({ kind: "hang" }, { path: LISTING_ONLY });
    const server = await serveTrackingAbandoned(node.handler);
    try {
      // Fake timers: the token request's 100 ms timeout, the listing's own timeout (due at 200 ms) and the 150 ms
      // deadline fire only when told.
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      const settled = rejectionOf(
        fromNodeInstanceProfile({
          env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url },
          timeoutMs: 100,
          resolutionTimeoutMs: 150,
          logger: testLogger(),
        })(),
      );
      while (node.requests.length < 1) await nextTurn();
      await vi.advanceTimersByTimeAsync(100);
      while (node.requests.length < 2) await nextTurn();
      await vi.advanceTimersByTimeAsync(50);
      const error = await settled;
      expect(error.message).toContain("150 ms");
      await server.untilAbandoned(LISTING_PATH);
      expect(node.requests.map(requestLine)).toEqual([`PUT ${TOKEN_PATH}`, `GET ${LISTING_PATH}`]);
    } finally {
      vi.useRealTimers();
      await server.close();
    }
  }, 5000);

  it("names the role's credentials URL when the credentials document does not parse, and the endpoint to check", async () => {
    const node = await imds();
    node.injectFault({ kind: "malformed" }, { path: `${LISTING_PATH}eks-node-role` });
    const url = `${IMDS}${LISTING_PATH}eks-node-role`;
    const error = await expectSourceError(expect, fromNodeInstanceProfile({ env: {}, logger: testLogger() })(), {
      source: "instanceProfile",
      target: url,
      fix:
        `the endpoint at ${url} is not a credentials endpoint: check AWS_EC2_METADATA_SERVICE_ENDPOINT (when it is ` +
        "not set, the endpoint is http://169.254.169.254).",
    });
    expect(error.message).toMatch(/^\[instanceProfile\] /);
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
