// verifyIdentity: one signed STS GetCallerIdentity per new set of credentials, before they are used; the answer must
// name the declared role, and never a session of the EC2 instance unless the node's role was asked for. Every source,
// on and off, against the faithful fakes at the pod's addresses (msw).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { resetImdsTokenStates } from "../../src/sources/instanceProfile.js";
import { fakeImds, fakeKube2iam, fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import {
  nodeCredentialsDocument,
  ORDERS_ROLE_ARN,
  podIdentityEnv,
  secretCredentials,
  secretToken,
  serveWithMsw,
  temporaryFile,
} from "../support/fakes.js";
import { recordOutput, testLogger } from "../support/leakCheck.js";
import { startTestServer } from "../support/loopback.js";
import { observedProvider } from "../support/observedProvider.js";
import { expectSourceError } from "../support/sourceErrors.js";

const STS = "https://sts.us-east-1.amazonaws.com";
const AGENT = "http://169.254.170.23";
const IMDS = "http://169.254.169.254";
const START = new Date("2026-11-27T12:00:00Z");
const MINUTE = 60_000;
const PAYMENTS_ROLE_ARN = "arn:aws:iam::123456789012:role/payments-admin";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date", "performance"] });
  vi.setSystemTime(START);
  resetImdsTokenStates();
});
afterEach(() => vi.useRealTimers());

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** The fake STS at the regional endpoint, and how many GetCallerIdentity calls it saw. */
const stsAtPod = async () => {
  const sts = fakeSts();
  await serveWithMsw(STS, sts);
  const callerIdentityCalls = () => sts.calls.filter((call) => call.action === "GetCallerIdentity");
  return { sts, callerIdentityCalls };
};

const provider = observedProvider;

/** Each source set up as a pod has it: the environment, and the ARN STS says its credentials belong to. */
const SOURCES = {
  webIdentity: async () => {
    const token = secretToken({ expiresInSeconds: 86_400 });
    return {
      env: { AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", token), AWS_ROLE_ARN: ORDERS_ROLE_ARN },
      role: /^arn:aws:sts::123456789012:assumed-role\/orders-reader\/pod-credentials-/,
    };
  },
  podIdentity: async () => {
    await serveWithMsw(AGENT, fakePodIdentityAgent({ credentials: secretCredentials("PODID") }));
    return {
      env: podIdentityEnv(),
      role: /^arn:aws:sts::123456789012:assumed-role\/orders-reader\/eks-cluster-orders-/,
    };
  },
  kube2iam: async () => {
    const node = fakeImds({ credentials: secretCredentials("NODE"), roleName: "eks-node-role" });
    await serveWithMsw(IMDS, fakeKube2iam({ podRole: "orders-reader", upstream: node.handler }));
    return {
      env: { POD_CREDENTIALS_ROLE: "orders-reader" },
      role: /^arn:aws:sts::123456789012:assumed-role\/orders-reader\/[0-9a-f]+-orders-reader$/,
    };
  },
  instanceProfile: async () => {
    await serveWithMsw(IMDS, fakeImds({ credentials: secretCredentials("NODE"), roleName: "eks-node-role" }));
    return {
      env: { POD_CREDENTIALS_ALLOW_NODE: "true" },
      role: /^arn:aws:sts::123456789012:assumed-role\/eks-node-role\/i-[0-9a-f]{17}$/,
    };
  },
} as const;

describe("verification on, for each source", () => {
  it.each(Object.keys(SOURCES) as (keyof typeof SOURCES)[])(
    "%s: one GetCallerIdentity, signed with the source's credentials; describe() and the info line say verified",
    async (source) => {
      const { sts, callerIdentityCalls } = await stsAtPod();
      const { env, role } = await SOURCES[source]();
      const { credentials, logger, events } = provider({ ...env, POD_CREDENTIALS_VERIFY_IDENTITY: "true" });

      const served = await credentials();
      await credentials();

      expect(callerIdentityCalls()).toHaveLength(1);
      const [call] = callerIdentityCalls();
      expect(call).toMatchObject({ signature: "verified", signedWith: served.accessKeyId, region: "us-east-1" });
      const description = credentials.describe();
      recordOutput(description);
      expect(description?.source).toBe(source);
      expect(description?.verification?.callerArn).toMatch(role);
      expect(description?.verification?.accountId).toBe("123456789012");
      expect(logger.at("info")).toHaveLength(1);
      expect(logger.at("info")[0]).toMatch(
        new RegExp(`^pod-credentials: using ${source} credentials .*\\(verified\\), expiring `),
      );
      expect(events.map((event) => event.type)).toEqual(["resolved"]);
      expect(events[0]?.verification?.callerArn).toBe(description?.verification?.callerArn);
      expect(
        sts.calls.every((each) => each.action === "GetCallerIdentity" || each.action === "AssumeRoleWithWebIdentity"),
      ).toBe(true);
    },
  );

  it("Pod Identity, which declares no role, learns its role's name from STS", async () => {
    await stsAtPod();
    const { env } = await SOURCES.podIdentity();
    const { credentials, logger } = provider({ ...env, POD_CREDENTIALS_VERIFY_IDENTITY: "true" });

    await credentials();

    expect(credentials.describe()).toMatchObject({
      roleName: "orders-reader",
      roleArn: undefined,
      accountId: "123456789012",
    });
    expect(credentials.describe()?.verification?.declaredRoles).toEqual([]);
    expect(logger.at("info")[0]).toContain(
      "using podIdentity credentials for role orders-reader in account 123456789012 (verified)",
    );
  });

  it("compares with every declared role: the source's own and POD_CREDENTIALS_EXPECTED_ROLE", async () => {
    await stsAtPod();
    const { env } = await SOURCES.webIdentity();
    const { credentials } = provider({
      ...env,
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
      POD_CREDENTIALS_EXPECTED_ROLE: "orders-reader",
    });

    await credentials();

    expect(credentials.describe()?.verification?.declaredRoles).toEqual([
      { role: ORDERS_ROLE_ARN, from: "AWS_ROLE_ARN" },
      { role: "orders-reader", from: "POD_CREDENTIALS_EXPECTED_ROLE" },
    ]);
  });
});

describe("verification off (the default)", () => {
  it.each(Object.keys(SOURCES) as (keyof typeof SOURCES)[])("%s: no GetCallerIdentity", async (source) => {
    const { callerIdentityCalls } = await stsAtPod();
    const { env } = await SOURCES[source]();
    const { credentials, logger } = provider({ ...env, POD_CREDENTIALS_VERIFY_IDENTITY: "false" });

    await credentials();

    expect(callerIdentityCalls()).toHaveLength(0);
    expect(credentials.describe()?.verification).toBeUndefined();
    expect(logger.at("info")[0]).not.toContain("(verified)");
  });
});

describe("credentials that are not the declared role's are refused", () => {
  it("Pod Identity: the association's role is not POD_CREDENTIALS_EXPECTED_ROLE", async () => {
    await stsAtPod();
    await serveWithMsw(
      AGENT,
      fakePodIdentityAgent({
        credentials: secretCredentials("PODID"),
        roleArn: "arn:aws:iam::123456789012:role/payments-admin",
      }),
    );
    const { credentials } = provider({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken({ expiresInSeconds: 86_400 }),
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
      POD_CREDENTIALS_EXPECTED_ROLE: ORDERS_ROLE_ARN,
    });

    await expectSourceError(expect, credentials(), {
      source: "podIdentity",
      target: ORDERS_ROLE_ARN,
      retryable: false,
      says: [
        /^\[podIdentity\] STS GetCallerIdentity says these credentials belong to arn:aws:sts::123456789012:assumed-role\/payments-admin\/eks-cluster-orders-[\w-]+, not to the role arn:aws:iam::123456789012:role\/orders-reader declared by POD_CREDENTIALS_EXPECTED_ROLE; they were not used\./,
      ],
      fix: "check the role of the pod identity association of this pod's service account (aws eks list-pod-identity-associations), or correct POD_CREDENTIALS_EXPECTED_ROLE.",
    });
  });

  it("IRSA: credentials for another role than AWS_ROLE_ARN (an STS, or something posing as one, that swaps roles)", async () => {
    const sts = fakeSts();
    // Every AssumeRoleWithWebIdentity is answered for payments-admin, whatever role was asked.
    const swapping = async (request: Request) => {
      const body = await request.text();
      const swapped = body.replace(encodeURIComponent(ORDERS_ROLE_ARN), encodeURIComponent(PAYMENTS_ROLE_ARN));
      return sts.handler(new Request(request.url, { method: request.method, headers: request.headers, body: swapped }));
    };
    await serveWithMsw(STS, { handler: swapping });
    const { env } = await SOURCES.webIdentity();
    const { credentials } = provider({ ...env, POD_CREDENTIALS_VERIFY_IDENTITY: "true" });

    // Whichever check sees it first refuses it: IRSA's own comparison of STS's answer (once the direct STS client
    // has it), or the verification's GetCallerIdentity (the message pinned in the golden file for kube2iam).
    const error = await expectSourceError(expect, credentials(), { source: "webIdentity", target: ORDERS_ROLE_ARN });
    expect(error.message).toMatch(/assumed-role\/payments-admin\/pod-credentials-/);
    expect(error.message).toContain(ORDERS_ROLE_ARN);
    expect(sts.calls.filter((call) => call.action === "GetCallerIdentity").length).toBeLessThanOrEqual(1);
  });

  it("kube2iam: the role STS names is another account's, though the proxy offered the declared name", async () => {
    await stsAtPod();
    const node = fakeImds({ credentials: secretCredentials("NODE"), roleName: "eks-node-role" });
    await serveWithMsw(
      IMDS,
      fakeKube2iam({
        podRole: "orders-reader",
        baseRoleArn: "arn:aws:iam::999999999999:role/",
        upstream: node.handler,
      }),
    );
    const { credentials } = provider({
      POD_CREDENTIALS_ROLE: ORDERS_ROLE_ARN,
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
    });

    const error = await expectSourceError(expect, credentials(), { source: "kube2iam", target: ORDERS_ROLE_ARN });
    expect(error.message).toContain("belong to arn:aws:sts::999999999999:assumed-role/orders-reader/");
    expect(error.message).toContain(`not to the role ${ORDERS_ROLE_ARN} declared by POD_CREDENTIALS_ROLE`);
  });

  it("the node's credentials from an endpoint posing as the Pod Identity agent are NodeCredentialsRefusedError", async () => {
    const { callerIdentityCalls } = await stsAtPod();
    const document = nodeCredentialsDocument(new Date(Date.now() + 60 * MINUTE));
    const agent = await startTestServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(document);
    });
    closers.push(agent.close);
    const { credentials } = provider({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/v1/credentials`,
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
    });

    const error = await expectSourceError(expect, credentials(), {
      name: "NodeCredentialsRefusedError",
      source: "podIdentity",
      message:
        "[podIdentity] STS GetCallerIdentity says these credentials belong to arn:aws:sts::123456789012:assumed-role/eks-node-role/i-0123456789abcdef0, " +
        "a session of the EC2 instance i-0123456789abcdef0: the node's own role, not this pod's; they were not used. Fix: whatever " +
        "answers for podIdentity passes the node's credentials through: check that it is the real endpoint for this pod. Only the " +
        "instanceProfile source, with POD_CREDENTIALS_ALLOW_NODE=true, may use the node's role.",
    });
    expect(error.offeredRole).toBe("eks-node-role");
    expect(callerIdentityCalls()).toHaveLength(1);
    // Failures are kept for the backoff: no second GetCallerIdentity, the same refusal.
    await expectSourceError(expect, credentials(), { name: "NodeCredentialsRefusedError" });
    expect(callerIdentityCalls()).toHaveLength(1);
  });
});

describe("one GetCallerIdentity per new set of credentials, not per call", () => {
  it("a refresh that brings the same set (the agent caches its own) is not verified again", async () => {
    const { callerIdentityCalls } = await stsAtPod();
    const agent = fakePodIdentityAgent({ credentials: secretCredentials("PODID"), lifetimeMs: 60 * MINUTE });
    await serveWithMsw(AGENT, agent);
    const { credentials, events } = provider({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken({ expiresInSeconds: 86_400 }),
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
    });
    await credentials();

    vi.setSystemTime(START.getTime() + 58 * MINUTE);
    await credentials({ forceRefresh: true });

    expect(agent.requests).toHaveLength(2);
    expect(callerIdentityCalls()).toHaveLength(1);
    expect(events.map((event) => event.type)).toEqual(["resolved", "refreshed"]);
    expect(events[1]?.verification).toEqual(events[0]?.verification);
  });

  it("a refresh that brings a new set (IRSA) is verified again, once", async () => {
    const { sts, callerIdentityCalls } = await stsAtPod();
    const { env } = await SOURCES.webIdentity();
    const { credentials } = provider({ ...env, POD_CREDENTIALS_VERIFY_IDENTITY: "true" });
    const first = await credentials();

    vi.setSystemTime(START.getTime() + 58 * MINUTE);
    const second = await credentials({ forceRefresh: true });

    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(callerIdentityCalls().map((call) => call.signedWith)).toEqual([first.accessKeyId, second.accessKeyId]);
    expect(sts.calls.map((call) => call.action)).toEqual([
      "AssumeRoleWithWebIdentity",
      "GetCallerIdentity",
      "AssumeRoleWithWebIdentity",
      "GetCallerIdentity",
    ]);
  });

  it("1,000 concurrent first calls make one GetCallerIdentity", async () => {
    const { callerIdentityCalls } = await stsAtPod();
    const { env } = await SOURCES.podIdentity();
    const { credentials } = provider({ ...env, POD_CREDENTIALS_VERIFY_IDENTITY: "true" });

    const all = await Promise.all(Array.from({ length: 1000 }, () => credentials()));

    expect(new Set(all.map((each) => each.accessKeyId)).size).toBe(1);
    expect(callerIdentityCalls()).toHaveLength(1);
  });
});

describe("when STS cannot verify", () => {
  it("retries what STS says to retry, within the deadline", async () => {
    const { sts, callerIdentityCalls } = await stsAtPod();
    sts.setMode("InternalFailure", { times: 1 });
    const { env } = await SOURCES.podIdentity();
    const { credentials } = provider({ ...env, POD_CREDENTIALS_VERIFY_IDENTITY: "true" });

    await credentials();

    expect(callerIdentityCalls()).toHaveLength(2);
    expect(credentials.describe()?.verification).toBeDefined();
  });

  it("an STS that cannot be reached is the source's error, and the credentials are not used", async () => {
    const { env } = await SOURCES.podIdentity();
    const refusing = await startTestServer(() => {});
    await refusing.close();
    const { credentials } = provider({
      ...env,
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
      AWS_ENDPOINT_URL_STS: refusing.url,
    });

    await expectSourceError(expect, credentials(), {
      source: "podIdentity",
      retryable: false,
      says: [`[podIdentity] Verifying the credentials failed: Could not call STS GetCallerIdentity at ${refusing.url}`],
      fix: "check network access to STS (egress, HTTPS_PROXY, AWS_ENDPOINT_URL_STS) and AWS_REGION (or the region option).",
    });
  });
});

describe("an STS endpoint that cannot be built", () => {
  it("is the source's error, with the SDK's own reason and the variables to check", async () => {
    const { env } = await SOURCES.podIdentity();
    const { credentials } = provider({
      ...env,
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
      AWS_USE_FIPS_ENDPOINT: "true",
      AWS_ENDPOINT_URL_STS: "https://sts.internal.example",
    });

    await expectSourceError(expect, credentials(), {
      source: "podIdentity",
      says: [
        "[podIdentity] Verifying the credentials failed: Invalid Configuration: FIPS and custom endpoint are not supported",
      ],
      fix: "check AWS_REGION (or the region option), AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT and AWS_ENDPOINT_URL_STS; the AWS SDK refuses this combination too.",
    });
  });
});

describe("the settings", () => {
  it.each([
    [
      "yes",
      "POD_CREDENTIALS_VERIFY_IDENTITY: expected true or false. Fix: set POD_CREDENTIALS_VERIFY_IDENTITY to true or false.",
    ],
    [
      "1",
      "POD_CREDENTIALS_VERIFY_IDENTITY: expected true or false. Fix: set POD_CREDENTIALS_VERIFY_IDENTITY to true or false.",
    ],
  ])("refuses POD_CREDENTIALS_VERIFY_IDENTITY=%s at creation", (value, message) => {
    expect(() =>
      fromPodProviderChain({ env: { POD_CREDENTIALS_VERIFY_IDENTITY: value }, logger: testLogger() }),
    ).toThrow(
      expect.objectContaining({
        name: "InvalidConfigurationError",
        setting: "POD_CREDENTIALS_VERIFY_IDENTITY",
        message,
      }),
    );
  });

  it("refuses anything but a boolean in the option: only true opts in", () => {
    const options = { env: {}, logger: testLogger(), verifyIdentity: "true" as unknown as boolean };
    expect(() => fromPodProviderChain(options)).toThrow(
      expect.objectContaining({
        name: "InvalidConfigurationError",
        message: "option verifyIdentity: expected true or false. Fix: pass verifyIdentity as true or false.",
      }),
    );
  });

  it("is off when the variable is empty or false", async () => {
    const { callerIdentityCalls } = await stsAtPod();
    for (const value of ["", "false", "FALSE"]) {
      const { env } = await SOURCES.podIdentity();
      await provider({ ...env, POD_CREDENTIALS_VERIFY_IDENTITY: value }).credentials();
    }
    expect(callerIdentityCalls()).toHaveLength(0);
  });

  it("refuses a declared role that is no role reference, when verification is on", () => {
    expect(() =>
      fromPodProviderChain({
        env: { POD_CREDENTIALS_VERIFY_IDENTITY: "true", POD_CREDENTIALS_EXPECTED_ROLE: "orders reader" },
        logger: testLogger(),
      }),
    ).toThrow(
      expect.objectContaining({
        name: "InvalidConfigurationError",
        message:
          'POD_CREDENTIALS_EXPECTED_ROLE: is not a role name, path or ARN ("orders reader"). Fix: declare the role as a name ' +
          "(orders-reader), a path and name (team/orders-reader) or a role ARN.",
      }),
    );
  });
});
