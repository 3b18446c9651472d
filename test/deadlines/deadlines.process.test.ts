// Specifies deadlines, end to end: the built package in a pod process, against endpoints that accept the connection
// and then never answer, or trickle one byte every 100 ms. Each source gives up with a CredentialSourceError within its
// per-request deadline (POD_CREDENTIALS_TIMEOUT_MS) or, for STS and the "not yet" answers, within the resolution
// deadline (POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS); and the process then exits by itself.
import { describe } from "vitest";
import type { Fault } from "../../src/testing/index.js";
import { expectExitedByItself, expectRefusal, expectRun } from "../support/podAssertions.js";
import {
  AGENT_PATH,
  agentPod,
  CREDENTIALS_ENDPOINTS,
  credentialsEndpoint,
  expectNothingLeaked,
  irsaPod,
  kube2iamPod,
  LISTING_PATH,
  type PodScenario,
  podTest,
} from "../support/podScenario.js";

const TIMEOUT_MS = 300;
const QUICK = { POD_CREDENTIALS_TIMEOUT_MS: String(TIMEOUT_MS), POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "600" };

const FAULTS: ReadonlyArray<{ what: string; fault: Fault }> = [
  { what: "accepts and never answers", fault: { kind: "hang" } },
  { what: "trickles a byte every 100 ms", fault: { kind: "trickle", intervalMs: 100 } },
];

describe.concurrent("each metadata source gives up within its per-request deadline", () => {
  // The fault answers every request: each source's first GET pays the deadline, after IMDS's token PUT, which pays it
  // once too (taken for a hop limit of 1, so IMDSv1 follows).
  for (const source of CREDENTIALS_ENDPOINTS) {
    podTest.for(FAULTS)(
      `${source} that $what: CredentialSourceError naming the URL, one deadline per request`,
      async ({ fault }, { expect, pod }) => {
        const endpoint = await credentialsEndpoint(pod, source);
        endpoint.fake.injectFault(fault);
        const firstGet = endpoint.expectedRequests.findIndex((line) => line.startsWith("GET "));
        const expectedRequests = endpoint.expectedRequests.slice(0, firstGet + 1);
        const origin = new URL(endpoint.credentialsUrl).origin;
        const url = `${origin}${expectedRequests.at(-1)?.slice("GET ".length)}`;

        const run = await pod.run({ ...QUICK, ...endpoint.env });

        const deadline = TIMEOUT_MS * expectedRequests.length;
        await expectRun(expect, pod, run, {
          refused: { name: "CredentialSourceError", says: [`no complete answer from ${url} within ${TIMEOUT_MS} ms`] },
          resultNotBeforeMs: deadline,
        });
        expect(endpoint.requests()).toEqual(expectedRequests);
      },
    );
  }

  podTest("a connection reset by the agent fails at once, without a retry", async ({ expect, pod }) => {
    const { agent, url, env } = await agentPod(pod);
    agent.injectFault({ kind: "reset" });

    const run = await pod.run({ ...QUICK, POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "5000", ...env });

    // At once: the connection's own failure, not a deadline, after one request (the 5 s start-up window unused).
    await expectRun(expect, pod, run, {
      refused: { name: "CredentialSourceError", says: [`connection to ${url} failed`] },
    });
    expect(run.result.message).not.toMatch(/within \d+ ms/);
    expect(agent.requests).toHaveLength(1);
  });
});

describe.concurrent("answers that mean 'not yet', forever, are bounded by the resolution deadline", () => {
  // The start-up window (10 s) is longer than the resolution deadline (3 s): the deadline must win. (3 s rather than
  // less leaves a loaded machine room for a retry before it: the test is about which bound wins, not this number.)
  const DEADLINE_MS = 3000;
  const BOUNDED = {
    POD_CREDENTIALS_TIMEOUT_MS: "1000",
    POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "10000",
    POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: String(DEADLINE_MS),
  };

  podTest.for([
    {
      what: "the agent rate-limiting (429) for ever",
      source: "podIdentity",
      setUp: async (pod: PodScenario) => {
        const { agent, env } = await agentPod(pod, { mode: "throttled" });
        return { env, requests: () => agent.requests, asked: AGENT_PATH };
      },
    },
    {
      what: "kube2iam not knowing the pod for ever",
      source: "kube2iam",
      setUp: async (pod: PodScenario) => {
        const { proxy, env } = await kube2iamPod(pod, { mode: "podNotFound" });
        return { env, requests: () => proxy.requests, asked: LISTING_PATH };
      },
    },
  ])("$what", async ({ source, setUp }, { expect, pod }) => {
    const { env, requests, asked } = await setUp(pod);

    const run = await pod.run({ ...BOUNDED, ...env });

    await expectRun(expect, pod, run, {
      refused: {
        name: "CredentialSourceError",
        says: [`[${source}] No credentials within the ${DEADLINE_MS} ms resolution deadline`],
      },
      resultNotBeforeMs: DEADLINE_MS,
    });
    // 200 ms doubling: requests at about 0, 200, 600, 1400 ms, and one at the deadline at most (the last wait is cut
    // to it). A slower machine makes fewer, never more.
    expect(requests().every((request) => request.path === asked)).toBe(true);
    expect(requests().length).toBeGreaterThanOrEqual(2);
    expect(requests().length).toBeLessThanOrEqual(5);
  });
});

describe.concurrent("IRSA against an STS endpoint that never finishes its answer", () => {
  const RESOLUTION_MS = 1000;

  /**
   * Runs an IRSA pod against an STS with `fault`. The per-request deadline is left at its default (1000 ms, the SDK's
   * connection timeout here): these tests are about the resolution deadline, and a 300 ms connection timeout that a
   * loaded machine misses would add a retry they do not expect.
   */
  const irsaAgainst = async (pod: PodScenario, fault: Fault) => {
    const { sts, env } = await irsaPod(pod);
    sts.injectFault(fault);
    const run = await pod.run({ POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: String(RESOLUTION_MS), ...env });
    return { sts, run };
  };

  for (const { what, fault } of FAULTS) {
    podTest(
      `STS that ${what}: the resolution fails at its deadline with CredentialSourceError`,
      async ({ expect, pod }) => {
        const { sts, run } = await irsaAgainst(pod, fault);

        // The error that only the resolution deadline gives, after one request, and no sooner than the deadline.
        expectRefusal(expect, run, {
          name: "CredentialSourceError",
          says: [`[webIdentity] No credentials within the ${RESOLUTION_MS} ms resolution deadline`],
        });
        expect(sts.requests).toHaveLength(1);
        expect(run.resultAtMs).toBeGreaterThanOrEqual(RESOLUTION_MS);
        await expectNothingLeaked(expect, pod, run);
      },
    );

    // Regression: the resolution's AbortSignal must reach the SDK's STS request, or a hanging STS keeps the process
    // alive ~5 s after the deadline and a trickling one forever (found by this test; fixed by abortableRequestHandler).
    // Proved without timing: once the result is out, the STS socket is closed and no timer is left running.
    podTest(`STS that ${what}: the pod process exits once the resolution has failed`, async ({ expect, pod }) => {
      const { run } = await irsaAgainst(pod, fault);

      expectExitedByItself(expect, run);
      expectRefusal(expect, run, {
        name: "CredentialSourceError",
        says: [`No credentials within the ${RESOLUTION_MS} ms resolution deadline`],
      });
    });
  }
});
