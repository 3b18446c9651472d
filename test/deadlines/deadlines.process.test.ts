// Deadlines, end to end: the built package in a pod process, against endpoints that accept the connection and then
// never answer, or trickle one byte every 100 ms. Each source gives up with a CredentialSourceError within its
// per-request deadline (POD_CREDENTIALS_TIMEOUT_MS) or, for STS and the "not yet" answers, within the resolution
// deadline (POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS); and the process then exits by itself.
import { describe, it } from "vitest";
import { type Fault, fakePodIdentityAgent } from "../../src/testing/index.js";
import { expectRefusal, requestLines } from "../support/podAssertions.js";
import {
  AGENT_PATH,
  agentPod,
  expectNothingLeaked,
  imdsPod,
  irsaPod,
  kiamPod,
  kube2iamPod,
  LISTING_PATH,
  latestFinishAfterStartUp,
  type PodScenario,
  podScenario,
  TOKEN_PATH,
} from "../support/podScenario.js";

const TIMEOUT_MS = 300;
const QUICK = { POD_CREDENTIALS_TIMEOUT_MS: String(TIMEOUT_MS), POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "600" };

/** The latest a pod may finish when its resolution is bounded by `deadlineMs`. */
const within = latestFinishAfterStartUp();

const FAULTS: ReadonlyArray<{ what: string; fault: Fault }> = [
  { what: "accepts and never answers", fault: { kind: "hang" } },
  { what: "trickles a byte every 100 ms", fault: { kind: "trickle", intervalMs: 100 } },
];

/** A metadata source set up against one faulty fake: its environment, and the requests the fake received. */
interface FaultySource {
  readonly env: Record<string, string>;
  readonly requests: () => readonly { method: string; path: string }[];
  /** The URL the error must name. */
  readonly url: string;
  /** The requests the source makes before it gives up, each paying the per-request deadline. */
  readonly expectedRequests: readonly string[];
}

const METADATA_SOURCES: ReadonlyArray<{
  name: string;
  setUp: (pod: PodScenario, fault: Fault) => Promise<FaultySource>;
}> = [
  {
    name: "kube2iam",
    setUp: async (pod, fault) => {
      const { proxy, node, server, env } = await kube2iamPod(pod);
      proxy.injectFault(fault);
      return {
        env,
        requests: () => [...proxy.requests, ...node.requests],
        url: `${server.url}${LISTING_PATH}`,
        expectedRequests: [`GET ${LISTING_PATH}`],
      };
    },
  },
  {
    name: "kiam",
    setUp: async (pod, fault) => {
      const { proxy, server, env } = await kiamPod(pod);
      proxy.injectFault(fault);
      return {
        env,
        requests: () => proxy.requests,
        url: `${server.url}${LISTING_PATH}`,
        expectedRequests: [`GET ${LISTING_PATH}`],
      };
    },
  },
  {
    name: "the Pod Identity agent",
    setUp: async (pod, fault) => {
      const token = pod.secrets.jwt({ claims: { aud: ["pods.eks.amazonaws.com"] } });
      const agent = fakePodIdentityAgent({ expectedToken: token, credentials: pod.secrets.credentials("PODID") });
      agent.injectFault(fault);
      const server = await pod.serve(agent.handler);
      return {
        env: {
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}${AGENT_PATH}`,
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: await pod.file("eks-pod-identity-token", token),
        },
        requests: () => agent.requests,
        url: `${server.url}${AGENT_PATH}`,
        expectedRequests: [`GET ${AGENT_PATH}`],
      };
    },
  },
  {
    // The token PUT pays the deadline once (taken for a hop limit of 1, so IMDSv1 follows), then the listing pays it.
    name: "EC2 IMDS (node credentials allowed)",
    setUp: async (pod, fault) => {
      const { imds, server, env } = await imdsPod(pod);
      imds.injectFault(fault);
      return {
        env,
        requests: () => imds.requests,
        url: `${server.url}${LISTING_PATH}`,
        expectedRequests: [`PUT ${TOKEN_PATH}`, `GET ${LISTING_PATH}`],
      };
    },
  },
];

describe.concurrent("each metadata source gives up within its per-request deadline", () => {
  for (const source of METADATA_SOURCES) {
    for (const { what, fault } of FAULTS) {
      it(`${source.name} that ${what}: CredentialSourceError naming the URL, one deadline per request`, async ({
        expect,
        onTestFinished,
      }) => {
        const pod = podScenario(onTestFinished);
        const faulty = await source.setUp(pod, fault);

        const run = await pod.run({ ...QUICK, ...faulty.env });

        expectRefusal(expect, run, {
          name: "CredentialSourceError",
          says: [`no complete answer from ${faulty.url} within ${TIMEOUT_MS} ms`],
        });
        expect(requestLines(faulty.requests())).toEqual(faulty.expectedRequests);
        const deadline = TIMEOUT_MS * faulty.expectedRequests.length;
        expect(run.resultAtMs).toBeGreaterThanOrEqual(deadline);
        expect(run.elapsedMs).toBeLessThan(within(deadline));
        await expectNothingLeaked(expect, pod, run);
      });
    }
  }

  it("a connection reset by the agent fails at once, without a retry", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { agent, url, env } = await agentPod(pod);
    agent.injectFault({ kind: "reset" });

    const run = await pod.run({ ...QUICK, POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "5000", ...env });

    expectRefusal(expect, run, { name: "CredentialSourceError", says: [`connection to ${url} failed`] });
    expect(agent.requests).toHaveLength(1);
    expect(run.elapsedMs).toBeLessThan(within(TIMEOUT_MS));
    await expectNothingLeaked(expect, pod, run);
  });
});

describe.concurrent("answers that mean 'not yet', forever, are bounded by the resolution deadline", () => {
  // The start-up window (10 s) is longer than the resolution deadline (1.2 s): the deadline must win.
  const BOUNDED = {
    POD_CREDENTIALS_TIMEOUT_MS: "300",
    POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "10000",
    POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: "1200",
  };

  it("the agent rate-limiting (429) for ever", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { agent, env } = await agentPod(pod, { mode: "throttled" });

    const run = await pod.run({ ...BOUNDED, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: ["[podIdentity] No credentials within the 1200 ms resolution deadline"],
    });
    // 200 ms doubling: requests at about 0, 200, 600 ms; the next wait ends past the deadline.
    expect(agent.requests.length).toBeGreaterThanOrEqual(2);
    expect(agent.requests.length).toBeLessThanOrEqual(4);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(1200);
    expect(run.elapsedMs).toBeLessThan(within(1200));
    await expectNothingLeaked(expect, pod, run);
  });

  it("kube2iam not knowing the pod for ever", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, env } = await kube2iamPod(pod, { mode: "podNotFound" });

    const run = await pod.run({ ...BOUNDED, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: ["[kube2iam] No credentials within the 1200 ms resolution deadline"],
    });
    expect(proxy.requests.every((request) => request.path === LISTING_PATH)).toBe(true);
    expect(proxy.requests.length).toBeGreaterThanOrEqual(2);
    expect(proxy.requests.length).toBeLessThanOrEqual(4);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(1200);
    expect(run.elapsedMs).toBeLessThan(within(1200));
    await expectNothingLeaked(expect, pod, run);
  });
});

describe.concurrent("IRSA against an STS endpoint that never finishes its answer", () => {
  const RESOLUTION_MS = 1000;

  /** Runs an IRSA pod against an STS with `fault`; the pod is killed if it outlives its deadline by a second. */
  const irsaAgainst = async (pod: PodScenario, fault: Fault) => {
    const { sts, env } = await irsaPod(pod);
    sts.injectFault(fault);
    const run = await pod.run(
      { POD_CREDENTIALS_TIMEOUT_MS: "300", POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: String(RESOLUTION_MS), ...env },
      within(RESOLUTION_MS) + 1000,
    );
    return { sts, run };
  };

  for (const { what, fault } of FAULTS) {
    it(`STS that ${what}: the resolution fails at its deadline with CredentialSourceError`, async ({
      expect,
      onTestFinished,
    }) => {
      const pod = podScenario(onTestFinished);

      const { sts, run } = await irsaAgainst(pod, fault);

      expectRefusal(expect, run, {
        name: "CredentialSourceError",
        says: [`[webIdentity] No credentials within the ${RESOLUTION_MS} ms resolution deadline`],
      });
      expect(sts.requests).toHaveLength(1);
      expect(run.resultAtMs).toBeGreaterThanOrEqual(RESOLUTION_MS);
      expect(run.resultAtMs).toBeLessThan(within(RESOLUTION_MS));
      await expectNothingLeaked(expect, pod, run);
    });

    // Regression: the resolution's AbortSignal must reach the SDK's STS request, or a hanging STS keeps the process
    // alive ~5 s after the deadline and a trickling one forever (found by this test; fixed by abortableRequestHandler).
    it(`STS that ${what}: the pod process exits once the resolution has failed`, async ({ expect, onTestFinished }) => {
      const pod = podScenario(onTestFinished);

      const { run } = await irsaAgainst(pod, fault);

      expect(run.killed).toBe(false);
      expectRefusal(expect, run, { name: "CredentialSourceError" });
      expect(run.elapsedMs).toBeLessThan(within(RESOLUTION_MS));
    });
  }
});
