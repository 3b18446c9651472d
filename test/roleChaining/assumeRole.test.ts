// Role chaining (assumeRole): the pinned source's credentials (hop 1) sign STS AssumeRole for the target role (hop 2).
// Against the faithful fake STS, which verifies SigV4 signatures against the credentials the fakes handed out,
// applies trust policies and the 1-hour cap on chained sessions, and answers with STS's own error codes.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fromPodProviderChain, type PodProviderChainOptions } from "../../src/index.js";
import { type FakeStsOptions, fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { recordOutput, testLogger } from "../support/leakCheck.js";
import { startStsAnswering } from "../support/loopback.js";
import { observedProvider } from "../support/observedProvider.js";
import { expectSourceError } from "../support/sourceErrors.js";

const STS = "https://sts.us-east-1.amazonaws.com";
const AGENT = "http://169.254.170.23";
const REPORTS_ROLE_ARN = "arn:aws:iam::210987654321:role/reports-writer";
const START = new Date("2026-11-27T12:00:00Z");
const MINUTE = 60_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date", "performance"] });
  vi.setSystemTime(START);
});
afterEach(() => vi.useRealTimers());

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** The fake STS at the regional endpoint; by default the target role trusts the pod's role. */
const stsAtPod = async (options: FakeStsOptions = {}) => {
  const sts = fakeSts({ trust: { [REPORTS_ROLE_ARN]: [ORDERS_ROLE_ARN] }, ...options });
  await serveWithMsw(STS, sts);
  const calls = (action: string) => sts.calls.filter((call) => call.action === action);
  return { sts, calls };
};

const irsaEnv = async () => ({
  AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", secretToken({ expiresInSeconds: 86_400 })),
  AWS_ROLE_ARN: ORDERS_ROLE_ARN,
});

const agentEnv = () => ({
  AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}/v1/credentials`,
  AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken({ expiresInSeconds: 86_400 }),
});

const provider = observedProvider;

describe("a chained role", () => {
  it("IRSA, then AssumeRole signed with IRSA's credentials: returns the target role's credentials", async () => {
    const { sts, calls } = await stsAtPod();
    const { credentials, logger, events } = provider(await irsaEnv(), {
      assumeRole: {
        roleArn: REPORTS_ROLE_ARN,
        roleSessionName: "orders-api",
        externalId: "orders-7f3a",
        sourceIdentity: "orders-api",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
        }),
        tags: { team: "orders", env: "prod" },
        transitiveTagKeys: ["team"],
      },
    });

    const served = await credentials();

    expect(sts.calls.map((call) => call.action)).toEqual(["AssumeRoleWithWebIdentity", "AssumeRole"]);
    const [irsa, chained] = sts.issued;
    expect(served).toMatchObject({ accessKeyId: chained?.accessKeyId, accountId: "210987654321" });
    expect(served.expiration).toEqual(chained?.expiration);
    expect(chained).toMatchObject({ chained: true, roleArn: REPORTS_ROLE_ARN, roleSessionName: "orders-api" });
    expect(calls("AssumeRole")[0]).toMatchObject({
      signature: "verified",
      signedWith: irsa?.accessKeyId,
      callerArn: irsa?.assumedRoleArn,
      roleArn: REPORTS_ROLE_ARN,
      externalId: "orders-7f3a",
      sourceIdentity: "orders-api",
      tags: [
        { key: "team", value: "orders" },
        { key: "env", value: "prod" },
      ],
      transitiveTagKeys: ["team"],
      durationSeconds: undefined,
    });
    expect(JSON.parse(calls("AssumeRole")[0]?.policy ?? "")).toMatchObject({ Version: "2012-10-17" });

    const description = credentials.describe();
    recordOutput(description);
    expect(description).toMatchObject({
      source: "webIdentity",
      roleArn: REPORTS_ROLE_ARN,
      roleName: "reports-writer",
      accountId: "210987654321",
      expiration: chained?.expiration,
      hops: [
        {
          hop: 1,
          via: "webIdentity",
          roleArn: ORDERS_ROLE_ARN,
          accountId: "123456789012",
          expiration: irsa?.expiration,
        },
        {
          hop: 2,
          via: "assumeRole",
          configuredBy: "option assumeRole.roleArn",
          roleArn: REPORTS_ROLE_ARN,
          assumedRoleArn: "arn:aws:sts::210987654321:assumed-role/reports-writer/orders-api",
          expiration: chained?.expiration,
        },
      ],
    });
    expect(logger.at("info")).toEqual([
      `pod-credentials: using the role ${REPORTS_ROLE_ARN} in account 210987654321, assumed with webIdentity ` +
        `credentials for role ${ORDERS_ROLE_ARN} in account 123456789012, expiring 2026-11-27T13:00:00.000Z ` +
        "(configured by AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, then option assumeRole.roleArn)",
    ]);
    expect(events).toMatchObject([{ type: "resolved", source: "webIdentity", roleArn: REPORTS_ROLE_ARN }]);
  });

  it("Pod Identity, then AssumeRole, configured by the environment alone", async () => {
    const { calls, sts } = await stsAtPod({
      trust: { [REPORTS_ROLE_ARN]: { principals: [ORDERS_ROLE_ARN], externalId: "x-42" } },
    });
    await serveWithMsw(AGENT, fakePodIdentityAgent({ credentials: secretCredentials("PODID") }));
    const { credentials } = provider({
      ...agentEnv(),
      POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN,
      POD_CREDENTIALS_ASSUME_ROLE_EXTERNAL_ID: "x-42",
      POD_CREDENTIALS_ASSUME_ROLE_DURATION_SECONDS: "900",
      POD_CREDENTIALS_ASSUME_ROLE_SESSION_NAME: "orders-batch",
    });

    const served = await credentials();

    expect(calls("AssumeRole")).toHaveLength(1);
    expect(calls("AssumeRole")[0]).toMatchObject({
      externalId: "x-42",
      durationSeconds: 900,
      roleSessionName: "orders-batch",
    });
    expect(served.expiration).toEqual(new Date(START.getTime() + 15 * MINUTE));
    expect(sts.issued[0]?.callerArn).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/orders-reader\/eks-cluster-orders-/,
    );
    expect(credentials.describe()?.hops?.[1]?.configuredBy).toBe("POD_CREDENTIALS_ASSUME_ROLE_ARN");
  });

  it("with verification on: GetCallerIdentity checks hop 1's credentials, then AssumeRole", async () => {
    const { sts } = await stsAtPod();
    const { credentials, logger } = provider(await irsaEnv(), {
      verifyIdentity: true,
      assumeRole: { roleArn: REPORTS_ROLE_ARN },
    });

    await credentials();

    expect(sts.calls.map((call) => [call.action, call.signedWith])).toEqual([
      ["AssumeRoleWithWebIdentity", undefined],
      ["GetCallerIdentity", sts.issued[0]?.accessKeyId],
      ["AssumeRole", sts.issued[0]?.accessKeyId],
    ]);
    expect(logger.at("info")[0]).toContain(
      `credentials for role ${ORDERS_ROLE_ARN} in account 123456789012 (verified), expiring`,
    );
  });
});

describe("every error names the hop that failed", () => {
  it("hop 2 denied: the target role does not trust the pod's role", async () => {
    await stsAtPod({ trust: {} });
    await serveWithMsw(AGENT, fakePodIdentityAgent({ credentials: secretCredentials("PODID") }));
    const { credentials, logger } = provider({ ...agentEnv(), POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN });

    const error = await expectSourceError(expect, credentials(), {
      source: "podIdentity",
      target: REPORTS_ROLE_ARN,
      status: 403,
      retryable: false,
      says: [
        /^\[podIdentity\] hop 2 \(AssumeRole arn:aws:iam::210987654321:role\/reports-writer\): STS AssumeRole failed with AccessDenied \(HTTP 403\): User: arn:aws:sts::123456789012:assumed-role\/orders-reader\/eks-cluster-orders-[\w-]+ is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role\/reports-writer Fix: /,
      ],
      fix:
        `the trust policy of ${REPORTS_ROLE_ARN} must allow the role of the podIdentity credentials to call sts:AssumeRole, ` +
        `and that role's own policy must allow sts:AssumeRole on ${REPORTS_ROLE_ARN}.`,
    });
    expect(logger.at("error")).toEqual([`pod-credentials: CredentialSourceError: ${error.message}`]);
    expect(credentials.describe()).toBeUndefined();
  });

  it("hop 2 denied for a wrong external ID: the fix names the condition", async () => {
    await stsAtPod({ trust: { [REPORTS_ROLE_ARN]: { principals: [ORDERS_ROLE_ARN], externalId: "right" } } });
    await expectSourceError(
      expect,
      provider(await irsaEnv(), { assumeRole: { roleArn: REPORTS_ROLE_ARN, externalId: "wrong" } }).credentials(),
      {
        source: "webIdentity",
        status: 403,
        fix:
          `the trust policy of ${REPORTS_ROLE_ARN} must allow ${ORDERS_ROLE_ARN} to call sts:AssumeRole (with the matching ` +
          `sts:ExternalId condition), and that role's own policy must allow sts:AssumeRole on ${REPORTS_ROLE_ARN}.`,
      },
    );
  });

  it("hop 1 failing is hop 1's error, marked as such; no AssumeRole is attempted", async () => {
    const { sts } = await stsAtPod({ expectedRoleArn: "arn:aws:iam::123456789012:role/someone-else" });
    await expectSourceError(
      expect,
      provider(await irsaEnv(), { assumeRole: { roleArn: REPORTS_ROLE_ARN } }).credentials(),
      {
        source: "webIdentity",
        status: 403,
        says: [
          `[webIdentity] hop 1: STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN} failed with AccessDenied (HTTP 403)`,
        ],
      },
    );
    expect(sts.calls.map((call) => call.action)).toEqual(["AssumeRoleWithWebIdentity"]);
  });

  it("an expired source: STS finds hop 1's credentials expired (this node's clock is behind)", async () => {
    await stsAtPod({ now: () => new Date(Date.now() + 20 * MINUTE) });
    await serveWithMsw(
      AGENT,
      fakePodIdentityAgent({
        credentials: secretCredentials("PODID"),
        expiration: new Date(START.getTime() + 10 * MINUTE),
      }),
    );
    await expectSourceError(
      expect,
      provider({ ...agentEnv(), POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN }).credentials(),
      {
        source: "podIdentity",
        status: 403,
        says: [
          `[podIdentity] hop 2 (AssumeRole ${REPORTS_ROLE_ARN}): STS AssumeRole failed with ExpiredToken (HTTP 403): The security token included in the request is expired`,
        ],
        fix: "STS does not accept the credentials of hop 1 (podIdentity): they had expired when STS checked them; check this node's clock (NTP) and the endpoint that issued them.",
      },
    );
  });

  it("hop 1's credentials arriving already expired are refused before any AssumeRole", async () => {
    const { sts } = await stsAtPod();
    await serveWithMsw(
      AGENT,
      fakePodIdentityAgent({ credentials: secretCredentials("PODID"), expiration: new Date(START.getTime() - MINUTE) }),
    );
    await expectSourceError(
      expect,
      provider({ ...agentEnv(), POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN }).credentials(),
      { source: "podIdentity", says: ["[podIdentity] hop 1: The credentials arrived already expired"] },
    );
    expect(sts.calls).toHaveLength(0);
  });

  it("an STS that answers with another role's session is refused", async () => {
    await serveWithMsw(AGENT, fakePodIdentityAgent({ credentials: secretCredentials("PODID") }));
    const impostor = await startStsAnswering("AssumeRole", {
      credentials: secretCredentials("OTHER"),
      assumedRoleArn: "arn:aws:sts::210987654321:assumed-role/payments-admin/s",
      expiration: "2026-11-27T13:00:00Z",
    });
    closers.push(impostor.close);
    await expectSourceError(
      expect,
      provider({
        ...agentEnv(),
        POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN,
        AWS_ENDPOINT_URL_STS: impostor.url,
      }).credentials(),
      {
        source: "podIdentity",
        message:
          `[podIdentity] hop 2 (AssumeRole ${REPORTS_ROLE_ARN}): STS answered with credentials for ` +
          "arn:aws:sts::210987654321:assumed-role/payments-admin/s, not for that role; they were not used. Fix: check what " +
          "answers at the STS endpoint (AWS_ENDPOINT_URL_STS, proxies): real STS names the role it was asked for.",
      },
    );
  });
});

describe("answers that mean 'try again'", () => {
  it("retries a throttled AssumeRole with backoff, within the deadline, without asking hop 1 again", async () => {
    const { sts, calls } = await stsAtPod();
    sts.setMode("Throttling", { times: 1 });
    const agent = fakePodIdentityAgent({ credentials: secretCredentials("PODID") });
    await serveWithMsw(AGENT, agent);
    const { credentials, logger } = provider({ ...agentEnv(), POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN });

    const served = await credentials();

    expect(served.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
    expect(calls("AssumeRole")).toHaveLength(2);
    expect(agent.requests).toHaveLength(1);
    expect(logger.at("debug").filter((line) => line.includes("not ready"))).toEqual([
      expect.stringMatching(
        /^pod-credentials: hop 2 \(AssumeRole arn:aws:iam::210987654321:role\/reports-writer\): not ready \(\[podIdentity\] hop 2 .* failed with Throttling \(HTTP 400\): Rate exceeded Fix: STS is busy; .*\); retrying in \d+ ms$/,
      ),
    ]);
  });
});

describe("STS's 1-hour cap on chained sessions", () => {
  it.each([
    [
      { assumeRole: { roleArn: REPORTS_ROLE_ARN, durationSeconds: 7200 } },
      {},
      "option assumeRole.durationSeconds",
      "pass assumeRole.durationSeconds as a number from 900 to 3600, or leave it out (STS's default is 3600).",
    ],
    [
      {},
      { POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN, POD_CREDENTIALS_ASSUME_ROLE_DURATION_SECONDS: "43200" },
      "POD_CREDENTIALS_ASSUME_ROLE_DURATION_SECONDS",
      "set POD_CREDENTIALS_ASSUME_ROLE_DURATION_SECONDS to a number from 900 to 3600, or unset it (STS's default is 3600).",
    ],
  ] as const)("refuses more than 3600 seconds when the provider is created (%#)", (options, env, setting, fix) => {
    expect(() => fromPodProviderChain({ env, logger: testLogger(), ...options })).toThrow(
      expect.objectContaining({
        name: "InvalidConfigurationError",
        setting,
        message:
          `${setting}: STS limits a role assumed with role-session credentials (role chaining: IRSA, Pod Identity, ` +
          "kube2iam, kiam and the node all hand out such credentials) to 1 hour: expected 900 to 3600 seconds. " +
          `Fix: ${fix}`,
      }),
    );
  });

  it("asks for 3600 seconds when told, and the fake STS (which enforces the cap) grants them", async () => {
    const { calls } = await stsAtPod();
    const served = await provider(await irsaEnv(), {
      assumeRole: { roleArn: REPORTS_ROLE_ARN, durationSeconds: 3600 },
    }).credentials();
    expect(calls("AssumeRole")[0]?.durationSeconds).toBe(3600);
    expect(served.expiration).toEqual(new Date(START.getTime() + 60 * MINUTE));
  });
});

describe("refresh of both hops", () => {
  it("refreshes ahead of hop 2's expiry when it is the earlier: a new hop 1 set, then a new AssumeRole signed with it", async () => {
    const { sts, calls } = await stsAtPod();
    const { credentials, events } = provider(await irsaEnv(), {
      assumeRole: { roleArn: REPORTS_ROLE_ARN, durationSeconds: 900 },
      refreshJitter: 0.2,
    });
    const first = await credentials();
    expect(first.expiration).toEqual(new Date(START.getTime() + 15 * MINUTE)); // hop 1 (IRSA) lives an hour

    vi.setSystemTime(START.getTime() + 9.9 * MINUTE);
    await credentials();
    expect(sts.calls).toHaveLength(2);

    vi.setSystemTime(START.getTime() + 11.5 * MINUTE);
    expect(await credentials()).toBe(first); // served from the cache while the refresh runs in the background
    await vi.waitFor(() => expect(events.map((event) => event.type)).toEqual(["resolved", "refreshed"]));
    expect(sts.calls.map((call) => call.action)).toEqual([
      "AssumeRoleWithWebIdentity",
      "AssumeRole",
      "AssumeRoleWithWebIdentity",
      "AssumeRole",
    ]);
    expect(calls("AssumeRole")[1]?.signedWith).toBe(sts.issued[2]?.accessKeyId);
    const second = await credentials();
    expect(second.accessKeyId).toBe(sts.issued[3]?.accessKeyId);
    expect(credentials.describe()?.refreshCount).toBe(1);
  });

  it("refreshes ahead of hop 1's expiry when it is the earlier (kiam-like 15-minute source credentials)", async () => {
    const { calls } = await stsAtPod();
    const agent = fakePodIdentityAgent({ credentials: secretCredentials("PODID"), lifetimeMs: 15 * MINUTE });
    await serveWithMsw(AGENT, agent);
    const { credentials, events } = provider(
      { ...agentEnv(), POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN },
      { refreshJitter: 0.2 },
    );
    await credentials();
    expect(credentials.describe()?.expiration).toEqual(new Date(START.getTime() + 60 * MINUTE));
    // Hop 1 lives 15 minutes: the refresh window is 5 minutes before its expiry, spread over its first fifth.
    expect(credentials.describe()?.nextRefreshAt?.getTime()).toBeGreaterThanOrEqual(START.getTime() + 10 * MINUTE);
    expect(credentials.describe()?.nextRefreshAt?.getTime()).toBeLessThanOrEqual(START.getTime() + 11 * MINUTE);

    vi.setSystemTime(START.getTime() + 9.9 * MINUTE);
    await credentials();
    expect([agent.requests.length, calls("AssumeRole").length]).toEqual([1, 1]);

    vi.setSystemTime(START.getTime() + 11.5 * MINUTE);
    await credentials();
    await vi.waitFor(() => expect(events.map((event) => event.type)).toEqual(["resolved", "refreshed"]));
    expect([agent.requests.length, calls("AssumeRole").length]).toEqual([2, 2]);
  });

  it("long-term keys as hop 1 (no session token, no expiration): refreshed ahead of hop 2's expiry alone", async () => {
    // The fake STS knows only the sessions the fakes handed out: an endpoint that grants any AssumeRole stands in.
    const keys = secretCredentials("LONGTERM");
    const sts = await startStsAnswering("AssumeRole", {
      credentials: secretCredentials("CHAINED"),
      assumedRoleArn: "arn:aws:sts::210987654321:assumed-role/reports-writer/ci",
      expiration: new Date(START.getTime() + 15 * MINUTE).toISOString(),
    });
    closers.push(sts.close);
    const { credentials } = provider(
      {
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN,
        AWS_ENDPOINT_URL_STS: sts.url,
      },
      { sources: ["env"], refreshJitter: 0.2 },
    );

    const served = await credentials();

    expect(served.expiration).toEqual(new Date(START.getTime() + 15 * MINUTE));
    expect(credentials.describe()?.hops?.map((hop) => hop.expiration)).toEqual([undefined, served.expiration]);
    // Hop 2 lives 15 minutes: the refresh window is 5 minutes before its expiry, spread over its first fifth.
    expect(credentials.describe()?.nextRefreshAt?.getTime()).toBeGreaterThanOrEqual(START.getTime() + 10 * MINUTE);
    expect(credentials.describe()?.nextRefreshAt?.getTime()).toBeLessThanOrEqual(START.getTime() + 11 * MINUTE);
  });

  it("1,000 concurrent calls make one call per hop", async () => {
    const { sts } = await stsAtPod();
    const { credentials } = provider(await irsaEnv(), { assumeRole: { roleArn: REPORTS_ROLE_ARN } });

    const all = await Promise.all(Array.from({ length: 1000 }, () => credentials()));

    expect(new Set(all.map((each) => each.accessKeyId))).toEqual(new Set([sts.issued[1]?.accessKeyId]));
    expect(sts.calls.map((call) => call.action)).toEqual(["AssumeRoleWithWebIdentity", "AssumeRole"]);
  });
});

describe("the settings", () => {
  const refused = (options: PodProviderChainOptions, env: Record<string, string> = {}) => {
    try {
      fromPodProviderChain({ env, logger: testLogger(), ...options });
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error("expected creation to fail");
  };

  it("refuses a target that is not a role ARN", () => {
    expect(refused({}, { POD_CREDENTIALS_ASSUME_ROLE_ARN: "reports-writer" })).toBe(
      'POD_CREDENTIALS_ASSUME_ROLE_ARN: is not a role ARN ("reports-writer"). Fix: set it to a full ARN such as arn:aws:iam::210987654321:role/reports-writer.',
    );
  });

  it("refuses a target that is no role reference at all, quoting it safely", () => {
    expect(refused({}, { POD_CREDENTIALS_ASSUME_ROLE_ARN: "reports writer\u0007" })).toBe(
      'POD_CREDENTIALS_ASSUME_ROLE_ARN: is not a role ARN ("reports writer"). Fix: set it to a full ARN such as arn:aws:iam::210987654321:role/reports-writer.',
    );
  });

  it("refuses chaining parameters without a role to assume", () => {
    expect(refused({}, { POD_CREDENTIALS_ASSUME_ROLE_EXTERNAL_ID: "x-42" })).toBe(
      "POD_CREDENTIALS_ASSUME_ROLE_EXTERNAL_ID: is set, but no role to assume is. Fix: set POD_CREDENTIALS_ASSUME_ROLE_ARN (or assumeRole.roleArn) too, or remove it.",
    );
  });

  it("refuses a field assumeRole does not have (a typo is not ignored)", () => {
    expect(refused({ assumeRole: { roleArn: REPORTS_ROLE_ARN, roleARN: "x" } as never })).toBe(
      "option assumeRole.roleARN: is not a field of assumeRole. Fix: use roleArn, externalId, durationSeconds, policy, tags, transitiveTagKeys, sourceIdentity, roleSessionName.",
    );
  });

  it("refuses a session policy that is not JSON, and transitive keys that are not tags", () => {
    expect(refused({ assumeRole: { roleArn: REPORTS_ROLE_ARN, policy: "s3:GetObject" } })).toMatch(
      /^option assumeRole.policy: is not a JSON policy document\./,
    );
    expect(
      refused({ assumeRole: { roleArn: REPORTS_ROLE_ARN, tags: { team: "orders" }, transitiveTagKeys: ["env"] } }),
    ).toBe(
      "option assumeRole.transitiveTagKeys: expected a list of keys of assumeRole.tags. Fix: list only keys that assumeRole.tags sets.",
    );
  });

  it("lets an option's field win over its variable", async () => {
    const { calls } = await stsAtPod();
    await provider(
      {
        ...(await irsaEnv()),
        POD_CREDENTIALS_ASSUME_ROLE_ARN: "arn:aws:iam::210987654321:role/other",
        POD_CREDENTIALS_ASSUME_ROLE_SESSION_NAME: "from-env",
      },
      { assumeRole: { roleArn: REPORTS_ROLE_ARN } },
    ).credentials();
    expect(calls("AssumeRole")[0]).toMatchObject({ roleArn: REPORTS_ROLE_ARN, roleSessionName: "from-env" });
  });
});
