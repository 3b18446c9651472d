import { describe, expect, it } from "vitest";
import { fromPodProviderChain, type PodProviderChainOptions } from "../../src/index.js";
import { fakePodIdentityAgent } from "../../src/testing/index.js";
import { secretCredentials, secretToken, serveWithMsw } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";
import { mswServer } from "../support/mswServer.js";

/** The chain in a Pod Identity pod whose agent hands out six-hour credentials, with a test logger. */
const agentChain = async (options: Omit<PodProviderChainOptions, "env" | "logger"> = {}) => {
  const agent = fakePodIdentityAgent({ credentials: secretCredentials("CACHE"), lifetimeMs: 6 * 3600_000 });
  await serveWithMsw("http://169.254.170.23", agent);
  const env = {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
    AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken(),
  };
  const logger = testLogger();
  return { agent, logger, provider: fromPodProviderChain({ env, logger, ...options }) };
};

describe("caching", () => {
  it("shares one resolution among concurrent first calls", async () => {
    const { agent, provider } = await agentChain();
    const results = await Promise.all(Array.from({ length: 100 }, () => provider()));
    expect(agent.requests).toHaveLength(1);
    expect(new Set(results).size).toBe(1);
  });

  it("answers later calls from the cache without any request while the credentials are fresh", async () => {
    const { agent, provider } = await agentChain();
    await provider();
    let requestsSeen = 0;
    mswServer.events.on("request:start", () => requestsSeen++);
    for (let call = 0; call < 50; call++) await provider();
    mswServer.events.removeAllListeners();
    expect(requestsSeen).toBe(0);
    expect(agent.requests).toHaveLength(1);
  });

  it("hands every fresh call the one settled promise, whatever identity properties an SDK client passes", async () => {
    const { agent, provider } = await agentChain();
    const first = provider();
    await first;
    const calls = [provider(), provider({}), provider({ callerClientConfig: {} } as never), provider()];
    expect(calls.every((call) => call === calls[0])).toBe(true);
    expect(await calls[0]).toBe(await first);
    expect(agent.requests).toHaveLength(1);
  });

  it("still goes to the source for a forced refresh while the credentials are fresh", async () => {
    const { agent, provider } = await agentChain();
    const fresh = provider();
    await fresh;
    const forced = provider({ forceRefresh: true });
    expect(forced).not.toBe(fresh);
    await forced;
    expect(agent.requests).toHaveLength(2);
  });

  it("logs the info line once, not at every call", async () => {
    const { provider, logger } = await agentChain();
    await provider();
    await provider({ forceRefresh: true });
    expect(logger.at("info")).toHaveLength(1);
  });

  it("logs each source's decision at debug", async () => {
    const { provider, logger } = await agentChain();
    await provider();
    expect(logger.at("debug")).toEqual(
      expect.arrayContaining([
        "pod-credentials: skipped webIdentity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set",
        "pod-credentials: trying podIdentity, configured by AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN",
      ]),
    );
  });

  it("keeps a failed resolution only for the failure backoff: the next call after it tries again", async () => {
    const { agent, provider } = await agentChain({ failureBackoffMs: 1 });
    agent.setMode("upstreamError", { status: 403, times: 1 });
    await expect(provider()).rejects.toThrow("HTTP 403");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(provider()).resolves.toBeDefined();
  });
});
