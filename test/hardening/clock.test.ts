// Issue 12, "Wall clock": NTP steps the wall clock by hours (a node booted with a wrong clock, a VM resumed). Backoffs
// and windows are durations and run on the monotonic clock; only expirations, which the server gives as wall-clock
// times, are compared with the wall clock. Date and performance are faked: `vi.setSystemTime` steps the wall clock
// alone (as NTP does), `vi.advanceTimersByTime` moves both clocks (as time passing does). Timers stay real, so msw and
// the retry delays work.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type CredentialEvent, fromNodeInstanceProfile, fromPodProviderChain } from "../../src/index.js";
import { resetImdsTokenStates } from "../../src/sources/instanceProfile.js";
import { fakeImds, fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { rejectionOf, testLogger } from "../support/leakCheck.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const START = Date.parse("2026-11-27T12:00:00Z");
const AGENT = "http://169.254.170.23";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date", "performance"] });
  vi.setSystemTime(START);
});
afterEach(() => {
  resetImdsTokenStates();
  vi.useRealTimers();
});

/** NTP steps the wall clock; the monotonic clock does not move. */
const stepWallClock = (ms: number) => vi.setSystemTime(Date.now() + ms);

const podIdentity = async (lifetimeMs = HOUR) => {
  const agent = fakePodIdentityAgent({ credentials: secretCredentials("CLOCK"), lifetimeMs });
  await serveWithMsw(AGENT, agent);
  const env = {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}/v1/credentials`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken({ expiresInSeconds: 86_400 }),
  };
  return { agent, env };
};

/** A test logger whose "not ready … retrying" debug lines run `onRetry` (after the retry loop checked its window). */
const loggerOnRetry = (onRetry: () => void) => {
  const logger = testLogger();
  const debug = logger.debug;
  logger.debug = (...content: unknown[]) => {
    debug(...content);
    if (typeof content[0] === "string" && content[0].includes(": not ready (")) onRetry();
  };
  return logger;
};

describe("the failure backoff runs on the monotonic clock", () => {
  it("makes a request once the backoff has passed, though the wall clock was stepped back 3 hours", async () => {
    const { agent, env } = await podIdentity();
    agent.setMode("upstreamError", { status: 403, message: "AccessDeniedException: no association", times: 1 });
    const provider = fromPodProviderChain({ env, logger: testLogger() });
    expect((await rejectionOf(provider())).message).toContain("HTTP 403");

    stepWallClock(-3 * HOUR);
    vi.advanceTimersByTime(SECOND); // the first backoff, to the millisecond

    const credentials = await provider();
    expect(credentials.accessKeyId).toBe(agent.credentials.accessKeyId);
    expect(agent.requests).toHaveLength(2);
  });

  it("keeps a failure for the whole backoff, though the wall clock was stepped forward 3 hours", async () => {
    const { agent, env } = await podIdentity();
    agent.setMode("upstreamError", { status: 403, message: "AccessDeniedException: no association", times: 1 });
    const provider = fromPodProviderChain({ env, logger: testLogger() });
    const failure = await rejectionOf(provider());

    stepWallClock(3 * HOUR);
    vi.advanceTimersByTime(SECOND - 1);
    expect(await rejectionOf(provider())).toBe(failure);
    expect(agent.requests).toHaveLength(1);

    vi.advanceTimersByTime(1);
    expect((await provider()).accessKeyId).toBe(agent.credentials.accessKeyId);
    expect(agent.requests).toHaveLength(2);
  });

  it("tells people the retry time as wall-clock time, as of the failure", async () => {
    const { agent, env } = await podIdentity();
    agent.setMode("upstreamError", { status: 403, message: "AccessDeniedException: no association", times: 1 });
    const events: CredentialEvent[] = [];
    stepWallClock(-3 * HOUR);
    const provider = fromPodProviderChain({ env, logger: testLogger(), onEvent: (event) => events.push(event) });
    await rejectionOf(provider());
    const failed = events.find((event) => event.type === "refreshFailed");
    expect(failed?.type === "refreshFailed" ? failed.retryAt.getTime() : undefined).toBe(START - 3 * HOUR + SECOND);
  });
});

describe("the start-up window runs on the monotonic clock", () => {
  it("keeps retrying a rate-limited agent though the wall clock jumps 3 hours ahead of the window", async () => {
    const { agent, env } = await podIdentity();
    agent.setMode("throttled", { times: 2 });
    let stepped = false;
    const logger = loggerOnRetry(() => {
      if (!stepped) stepWallClock(3 * HOUR);
      stepped = true;
    });
    const credentials = await fromPodProviderChain({ env, startupTimeoutMs: 5 * SECOND, logger })();
    expect(credentials.accessKeyId).toBe(agent.credentials.accessKeyId);
    expect(agent.requests).toHaveLength(3);
  });

  it("closes the window when the monotonic clock passes it, though the wall clock went back 3 hours", async () => {
    const { agent, env } = await podIdentity();
    agent.setMode("throttled");
    let stepped = false;
    const logger = loggerOnRetry(() => {
      if (!stepped) stepWallClock(-3 * HOUR);
      stepped = true;
      vi.advanceTimersByTime(600);
    });
    const provider = fromPodProviderChain({ env, startupTimeoutMs: SECOND, resolutionTimeoutMs: 2 * SECOND, logger });
    const error = await rejectionOf(provider());
    // The agent's own answer once the 1 s window is over (at 0, 600 and 1200 ms), not the resolution deadline.
    expect(error.message).toContain("HTTP 429");
    expect(agent.requests).toHaveLength(3);
  });
});

describe("the resolution deadline runs on the monotonic clock", () => {
  it("keeps retrying STS within the deadline though the wall clock jumps 3 hours ahead of it", async () => {
    const token = secretToken({ expiresInSeconds: 86_400 });
    const tokenFile = await temporaryFile("token", token);
    const issued = secretCredentials("IRSA");
    const sts = fakeSts({ credentials: issued, expectedToken: token });
    await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);
    sts.setMode("Throttling", { times: 2 });
    let stepped = false;
    const logger = loggerOnRetry(() => {
      if (!stepped) stepWallClock(3 * HOUR);
      stepped = true;
    });
    const env = { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN };
    const credentials = await fromPodProviderChain({ env, region: "us-east-1", logger })();
    expect(credentials.accessKeyId).toBe(issued.accessKeyId);
    expect(sts.calls).toHaveLength(3);
  });
});

describe("refresh timing follows the wall clock, relative to the expiration the server gave", () => {
  it("starts a refresh when the wall clock steps forward past the planned refresh time", async () => {
    const { agent, env } = await podIdentity();
    const provider = fromPodProviderChain({ env, logger: testLogger() });
    const first = await provider();
    stepWallClock(57.6 * MINUTE);
    expect(await provider()).toBe(first);
    await vi.waitFor(() => expect(agent.requests).toHaveLength(2));
  });

  it("does not refresh when only the monotonic clock has moved past the planned refresh time", async () => {
    const { agent, env } = await podIdentity();
    const provider = fromPodProviderChain({ env, logger: testLogger() });
    const first = await provider();
    stepWallClock(-HOUR);
    vi.advanceTimersByTime(57.6 * MINUTE);
    expect(await provider()).toBe(first);
    expect(agent.requests).toHaveLength(1);
  });
});

describe("the IMDSv2 session token's lifetime runs on the monotonic clock", () => {
  it.each([
    ["keeps", 6 * HOUR - 61 * SECOND, 0, 1],
    ["keeps", 0, 7 * HOUR, 1],
    ["renews", 6 * HOUR - 59 * SECOND, -HOUR, 2],
  ])(
    "%s its token %i ms after it was issued with the wall clock stepped by %i ms",
    async (_, elapsedMs, stepMs, puts) => {
      // IMDS counts the token's lifetime on its own clock, which this node's NTP step does not move.
      const node = fakeImds({
        roleName: "eks-node-role",
        credentials: secretCredentials("NODE"),
        lifetimeMs: 24 * HOUR,
        now: () => new Date(START + performance.now()),
      });
      await serveWithMsw("http://169.254.169.254", node);
      const provider = fromNodeInstanceProfile({ env: {}, logger: testLogger() });
      await provider();
      vi.advanceTimersByTime(elapsedMs);
      stepWallClock(stepMs);
      expect((await provider({ forceRefresh: true })).accessKeyId).toBe(node.credentials.accessKeyId);
      expect(node.requests.filter((request) => request.method === "PUT")).toHaveLength(puts);
    },
  );
});
