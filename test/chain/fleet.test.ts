// A load test of the refresh plan, in a file of its own: it starts 1,000 chains (several seconds), so the mutation
// run (vitest.mutation.config.ts) leaves it out rather than repeat it for every mutant it covers.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { fakePodIdentityAgent } from "../../src/testing/index.js";
import { secretCredentials, secretToken, serveWithMsw } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";

const MINUTE = 60_000;
const START = new Date("2026-11-27T12:00:00Z");
const AGENT = "http://169.254.170.23";

/** Only Date is faked: real timers keep msw working. */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(START);
});
afterEach(() => vi.useRealTimers());

describe("the fleet", () => {
  it("1,000 chains started in the same instant with one-hour credentials plan their refreshes over the jitter window", async () => {
    const agent = fakePodIdentityAgent({ credentials: secretCredentials("FLEET") });
    await serveWithMsw(AGENT, agent);
    const env = {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken(),
    };
    const chains = Array.from({ length: 1000 }, () => fromPodProviderChain({ env, logger: testLogger() }));
    await Promise.all(chains.map((chain) => chain()));
    const planned = chains.map((chain) => chain.describe()?.nextRefreshAt?.getTime() ?? 0);
    const perSecond = new Map<number, number>();
    for (const time of planned)
      perSecond.set(Math.floor(time / 1000), (perSecond.get(Math.floor(time / 1000)) ?? 0) + 1);
    expect(Math.min(...planned)).toBeGreaterThanOrEqual(START.getTime() + 55 * MINUTE);
    expect(Math.max(...planned) - Math.min(...planned)).toBeGreaterThan(2 * MINUTE);
    // 1,000 refreshes over a 150-second window: about 7 a second; without jitter all 1,000 would share one second.
    expect(Math.max(...perSecond.values())).toBeLessThan(30);
    // A guard against a hang, not a speed target: 1,000 chains in one process take long on a loaded machine.
  }, 60_000);
});
