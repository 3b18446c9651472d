import { writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type CredentialEvent, fromPodProviderChain } from "../../src/index.js";
import { fakeImds, fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { recordOutput, rejectionOf, testLogger } from "../support/leakCheck.js";
import { expectSourceError } from "../support/sourceErrors.js";

const MINUTE = 60_000;
const START = new Date("2026-11-27T12:00:00Z");
const AGENT = "http://169.254.170.23";

/**
 * Only Date and performance are faked: both clocks (wall and monotonic) move together when a test says so, while real
 * timers keep msw and retries working.
 */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date", "performance"] });
  vi.setSystemTime(START);
});
afterEach(() => vi.useRealTimers());

/** Moves both clocks on to `ms` after the start (time passes; it never goes back). */
const atMs = (ms: number) => {
  expect(START.getTime() + ms).toBeGreaterThanOrEqual(Date.now());
  vi.advanceTimersByTime(START.getTime() + ms - Date.now());
};
const at = (minutes: number) => atMs(minutes * MINUTE);

const agentChain = async (lifetimeMs = 60 * MINUTE, options: Parameters<typeof fromPodProviderChain>[0] = {}) => {
  const agent = fakePodIdentityAgent({ credentials: secretCredentials("REFRESH"), lifetimeMs });
  await serveWithMsw(AGENT, agent);
  const logger = testLogger();
  const events: CredentialEvent[] = [];
  const provider = fromPodProviderChain({
    env: {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken({ expiresInSeconds: 86_400 }),
    },
    logger,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { agent, provider, logger, events };
};

/** The agent chain, called once at the start and again `minutes` later. */
const calledAgainAt = async (minutes: number) => {
  const chain = await agentChain();
  await chain.provider();
  at(minutes);
  await chain.provider();
  return chain;
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("refresh ahead of expiry", () => {
  it("serves cached one-hour credentials without a request until the refresh window opens", async () => {
    const { agent } = await calledAgainAt(54.9);
    expect(agent.requests).toHaveLength(1);
  });

  it("once past the planned refresh time, answers at once from the cache and refreshes in the background", async () => {
    const { agent, provider } = await agentChain();
    const first = await provider();
    at(57.6);
    const served = await provider();
    expect(served).toBe(first);
    await vi.waitFor(() => expect(agent.requests).toHaveLength(2));
    await settle();
    expect((await provider()).expiration?.getTime()).toBe(START.getTime() + 57.6 * MINUTE + 60 * MINUTE);
  });

  it("after a host suspend (the wall clock jumps, the monotonic clock and timers do not), the very next call refreshes", async () => {
    const { agent, provider } = await agentChain();
    const first = await provider();
    // Only the wall clock moves: what a suspended host sees when it wakes up.
    vi.setSystemTime(START.getTime() + 57.6 * MINUTE);
    expect(await provider()).toBe(first);
    await vi.waitFor(() => expect(agent.requests).toHaveLength(2));
  });

  it("after a suspend past the credentials' usable time, the next call waits for new ones, never the expired", async () => {
    const { agent, provider } = await agentChain();
    const first = await provider();
    vi.setSystemTime(START.getTime() + 61 * MINUTE);
    const served = await provider();
    expect(served).not.toBe(first);
    expect(agent.requests).toHaveLength(2);
    expect(served.expiration?.getTime()).toBe(START.getTime() + 121 * MINUTE);
  });

  it("does not refresh short-lived credentials before half their lifetime (kiam serves 5 to 15 minutes)", async () => {
    const { agent, provider } = await agentChain(5 * MINUTE);
    await provider();
    for (const minute of [0.5, 1, 2, 2.49]) {
      at(minute);
      await provider();
    }
    expect(agent.requests).toHaveLength(1);
    at(3.8);
    await provider();
    await vi.waitFor(() => expect(agent.requests).toHaveLength(2));
  });

  it("reports the next planned refresh and the refresh count in describe()", async () => {
    const { provider } = await agentChain();
    await provider();
    const before = provider.describe();
    recordOutput(before);
    expect(before?.refreshCount).toBe(0);
    const planned = before?.nextRefreshAt?.getTime() ?? 0;
    expect(planned).toBeGreaterThanOrEqual(START.getTime() + 55 * MINUTE);
    expect(planned).toBeLessThanOrEqual(START.getTime() + 57.5 * MINUTE);
    at(58);
    await provider();
    await vi.waitFor(() => expect(provider.describe()?.refreshCount).toBe(1));
  });
});

describe("the pinned source", () => {
  it("refreshes from the source that answered first, and reports its failure instead of moving to the node's role", async () => {
    const node = fakeImds({ credentials: secretCredentials("NODE") });
    await serveWithMsw("http://169.254.169.254", node);
    const { agent, provider } = await agentChain(60 * MINUTE, { allowNodeCredentials: true });
    await provider();
    agent.setMode("upstreamError", { status: 500, message: "EKS Auth unavailable" });
    at(59.5);
    await expectSourceError(expect, provider(), { source: "podIdentity" });
    expect(node.requests).toHaveLength(0);
  });
});

describe("single flight", () => {
  it.each([
    ["a cold start", 0],
    ["a refresh-ahead", 58],
    ["expiry", 61],
  ])("10,000 concurrent calls during %s make one upstream request", async (_situation, minute) => {
    const { agent, provider } = await agentChain();
    if (minute > 0) {
      await provider();
      at(minute);
    }
    const before = agent.requests.length;
    const results = await Promise.all(Array.from({ length: 10_000 }, () => provider()));
    await vi.waitFor(() => expect(agent.requests.length).toBe(before + 1));
    await settle();
    expect(agent.requests.length).toBe(before + 1);
    expect(results.every((credentials) => (credentials.expiration?.getTime() ?? 0) > Date.now())).toBe(true);
  });

  it("makes one request for 100 concurrent forced refreshes", async () => {
    const { agent, provider } = await agentChain();
    await provider();
    await Promise.all(Array.from({ length: 100 }, () => provider({ forceRefresh: true })));
    expect(agent.requests).toHaveLength(2);
  });
});

describe("when a refresh fails", () => {
  it("keeps serving the cached credentials, logs the source's reason and the time left at warn, and backs off", async () => {
    const { agent, provider, logger, events } = await agentChain();
    const cached = await provider();
    agent.setMode("upstreamError", { status: 500, message: "EKS Auth unavailable" });
    at(58);
    for (let call = 0; call < 20; call++) expect(await provider()).toBe(cached);
    await settle();
    expect(await provider()).toBe(cached);
    expect(agent.requests).toHaveLength(2);
    expect(logger.at("warn")).toEqual([
      expect.stringMatching(
        /refreshing podIdentity credentials failed \(CredentialSourceError: .*HTTP 500: EKS Auth unavailable.*\); serving the cached credentials for another 60 s; next attempt in 1 s/,
      ),
    ]);
    expect(events.map((event) => event.type)).toEqual(["resolved", "refreshFailed", "servedStale"]);
  });

  it("retries with exponential backoff rather than at every call", async () => {
    const { agent, provider } = await agentChain();
    await provider();
    agent.setMode("upstreamError", { status: 500 });
    at(58);
    const attempts: number[] = [];
    for (let second = 0; second < 40; second++) {
      atMs(58 * MINUTE + second * 1000 + 1);
      await provider().catch(() => {});
      await settle();
      attempts.push(agent.requests.length - 1);
    }
    // Attempts at 0 s, then after 1, 2, 4, 8, 16 s of backoff, and the credentials stop being usable at 60 s.
    expect(attempts.at(-1)).toBeLessThanOrEqual(6);
  });

  it("past the safety margin, makes callers wait for the refresh and gives them its error, never expired credentials", async () => {
    const { agent, provider, events, logger } = await agentChain();
    await provider();
    agent.setMode("upstreamError", { status: 500, message: "EKS Auth unavailable" });
    at(59.5);
    const error = await rejectionOf(provider());
    expect(error.message).toContain("EKS Auth unavailable");
    expect(events.map((event) => event.type)).toContain("expired");
    expect(logger.at("warn")).toEqual([
      expect.stringMatching(
        /the cached podIdentity credentials \(expiring 2026-11-27T13:00:00.000Z\) can no longer be served and no refresh has succeeded; calls now wait for a refresh/,
      ),
    ]);
    expect(logger.at("error")).toEqual([
      expect.stringMatching(
        /CredentialSourceError: \[podIdentity\] The credentials endpoint \S+ answered HTTP 500: EKS Auth unavailable/,
      ),
    ]);
    recordOutput(events);
  });

  it("recovers when the source answers again", async () => {
    const { agent, provider } = await agentChain();
    await provider();
    agent.setMode("upstreamError", { status: 500, times: 1 });
    at(58);
    await provider();
    await settle();
    atMs(58 * MINUTE + 1500);
    await provider();
    await vi.waitFor(() => expect(provider.describe()?.refreshCount).toBe(1));
  });
});

describe("failures are cached briefly", () => {
  it("gives calls within the backoff the same error at once, with no network traffic, then tries again", async () => {
    const { agent, provider } = await agentChain();
    agent.setMode("upstreamError", { status: 403, message: "no association" });
    const first = await rejectionOf(provider());
    const again = await rejectionOf(provider());
    expect(again).toBe(first);
    expect(agent.requests).toHaveLength(1);
    atMs(1001);
    await rejectionOf(provider());
    expect(agent.requests).toHaveLength(2);
    atMs(1001 + 1500);
    await rejectionOf(provider());
    expect(agent.requests).toHaveLength(2);
  });
});

describe("credentials that arrive already expired", () => {
  it("are an error, not a result", async () => {
    const agent = fakePodIdentityAgent({
      credentials: secretCredentials("OLD"),
      expiration: new Date(START.getTime() - MINUTE),
    });
    await serveWithMsw(AGENT, agent);
    const error = await rejectionOf(
      fromPodProviderChain({
        env: {
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}/v1/credentials`,
          AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken(),
        },
        logger: testLogger(),
      })(),
    );
    expect(error.message).toContain("arrived already expired");
  });
});

describe("token rotation", () => {
  it("a time-based refresh reads the token file as it is now, and STS receives the new token", async () => {
    const token = secretToken();
    const tokenFile = await temporaryFile("token", token);
    const sts = fakeSts({ credentials: secretCredentials("IRSA"), durationSeconds: 3600 });
    await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);
    const provider = fromPodProviderChain({
      env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN },
      region: "us-east-1",
      logger: testLogger(),
    });
    await provider();
    const rotated = secretToken();
    await writeFile(tokenFile, rotated);
    at(58);
    await provider();
    await vi.waitFor(() => expect(sts.calls).toHaveLength(2));
    expect(sts.calls.map((call) => call.webIdentityToken)).toEqual([token, rotated]);
  });
});

describe("events", () => {
  it("carry source, role and expiration but no secrets", async () => {
    const { events } = await calledAgainAt(58);
    await vi.waitFor(() => expect(events.map((event) => event.type)).toEqual(["resolved", "refreshed"]));
    recordOutput(events);
    expect(events[1]).toMatchObject({
      type: "refreshed",
      source: "podIdentity",
      accountId: "123456789012",
      refreshCount: 1,
    });
    expect(JSON.stringify(events)).not.toMatch(/secret|token/i);
  });

  it("an onEvent handler that throws is logged and does not break the provider", async () => {
    const agent = fakePodIdentityAgent({ credentials: secretCredentials("EVENTS") });
    await serveWithMsw(AGENT, agent);
    const logger = testLogger();
    const provider = fromPodProviderChain({
      env: {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}/v1/credentials`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken(),
      },
      logger,
      onEvent: () => {
        throw new Error("metrics exporter down");
      },
    });
    await expect(provider()).resolves.toBeDefined();
    expect(logger.at("warn")).toContainEqual(
      expect.stringContaining("onEvent handler threw on a resolved event: metrics exporter down"),
    );
  });
});

describe("refresh options", () => {
  it.each([
    [{ refreshJitter: 0.1 }, "option refreshJitter"],
    [{ expiryMarginMs: 5 * MINUTE }, "option expiryMarginMs"],
    [{ failureBackoffMs: 0 }, "option failureBackoffMs"],
    [{ failureBackoffMs: 5000, maxFailureBackoffMs: 1000 }, "option maxFailureBackoffMs"],
  ])("rejects %j at creation", (options, setting) => {
    expect(() => fromPodProviderChain({ env: {}, logger: testLogger(), ...options })).toThrow(setting);
  });
});
