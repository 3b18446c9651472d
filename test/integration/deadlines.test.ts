// Deadlines, end to end: the built package in a pod process, against endpoints that accept the connection and then
// never answer, or trickle one byte every 100 ms. Each source gives up with a CredentialSourceError within its
// per-request deadline (POD_CREDENTIALS_TIMEOUT_MS) or, for STS and the "not yet" answers, within the resolution
// deadline (POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS); and the process then exits by itself.
import { beforeAll, describe, it } from "vitest";
import {
  type FakeHandler,
  type Fault,
  fakeImds,
  fakeKiam,
  fakeKube2iam,
  fakePodIdentityAgent,
  fakeSts,
} from "../../src/testing/index.js";
import {
  AGENT_PATH,
  expectNothingLeaked,
  LISTING_PATH,
  MARGIN_MS,
  measureChildStartUp,
  ORDERS_ROLE,
  ORDERS_ROLE_ARN,
  type PodScenario,
  podScenario,
  TOKEN_PATH,
} from "../support/podScenario.js";

const TIMEOUT_MS = 300;
const QUICK = { POD_CREDENTIALS_TIMEOUT_MS: String(TIMEOUT_MS), POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "600" };

let startUpMs = 0;
beforeAll(async () => {
  startUpMs = await measureChildStartUp();
});
/** The latest a pod may finish when its resolution is bounded by `deadlineMs`. */
const within = (deadlineMs: number): number => deadlineMs + startUpMs + MARGIN_MS;

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
      const node = fakeImds({ credentials: pod.secrets.credentials("NODE") });
      const proxy = fakeKube2iam({
        podRole: ORDERS_ROLE,
        credentials: pod.secrets.credentials("KUBE2IAM"),
        upstream: node.handler,
      });
      proxy.injectFault(fault);
      const server = await pod.serve(proxy.handler);
      return {
        env: { POD_CREDENTIALS_ROLE: ORDERS_ROLE, AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url },
        requests: () => [...proxy.requests, ...node.requests],
        url: `${server.url}${LISTING_PATH}`,
        expectedRequests: [`GET ${LISTING_PATH}`],
      };
    },
  },
  {
    name: "kiam",
    setUp: async (pod, fault) => {
      const proxy = fakeKiam({ podRole: ORDERS_ROLE_ARN, credentials: pod.secrets.credentials("KIAM") });
      proxy.injectFault(fault);
      const server = await pod.serve(proxy.handler);
      return {
        env: { POD_CREDENTIALS_ROLE: ORDERS_ROLE, AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url },
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
      const imds = fakeImds({ credentials: pod.secrets.credentials("NODE") });
      imds.injectFault(fault);
      const server = await pod.serve(imds.handler);
      return {
        env: { POD_CREDENTIALS_ALLOW_NODE: "true", AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url },
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

        expect(run.exitCode).toBe(2);
        expect(run.result).toMatchObject({ ok: false, name: "CredentialSourceError" });
        expect(run.result.message).toContain(`no complete answer from ${faulty.url} within ${TIMEOUT_MS} ms`);
        expect(faulty.requests().map((request) => `${request.method} ${request.path}`)).toEqual(
          faulty.expectedRequests,
        );
        const deadline = TIMEOUT_MS * faulty.expectedRequests.length;
        expect(run.resultAtMs).toBeGreaterThanOrEqual(deadline);
        expect(run.elapsedMs).toBeLessThan(within(deadline));
        await expectNothingLeaked(expect, pod, run);
      });
    }
  }

  it("a connection reset by the agent fails at once, without a retry", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const token = pod.secrets.jwt();
    const agent = fakePodIdentityAgent({ credentials: pod.secrets.credentials("PODID") }).injectFault({
      kind: "reset",
    });
    const server = await pod.serve(agent.handler);

    const run = await pod.run({
      ...QUICK,
      POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "5000",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}${AGENT_PATH}`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: await pod.file("token", token),
    });

    expect(run.exitCode).toBe(2);
    expect(run.result).toMatchObject({ ok: false, name: "CredentialSourceError" });
    expect(run.result.message).toContain(`connection to ${server.url}${AGENT_PATH} failed`);
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
    const token = pod.secrets.jwt();
    const agent = fakePodIdentityAgent({ credentials: pod.secrets.credentials("PODID"), mode: "throttled" });
    const server = await pod.serve(agent.handler);

    const run = await pod.run({
      ...BOUNDED,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}${AGENT_PATH}`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: await pod.file("token", token),
    });

    expect(run.exitCode).toBe(2);
    expect(run.result).toMatchObject({ ok: false, name: "CredentialSourceError" });
    expect(run.result.message).toContain("[podIdentity] No credentials within the 1200 ms resolution deadline");
    // 200 ms doubling: requests at about 0, 200, 600 ms; the next wait ends past the deadline.
    expect(agent.requests.length).toBeGreaterThanOrEqual(2);
    expect(agent.requests.length).toBeLessThanOrEqual(4);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(1200);
    expect(run.elapsedMs).toBeLessThan(within(1200));
    await expectNothingLeaked(expect, pod, run);
  });

  it("kube2iam not knowing the pod for ever", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const proxy = fakeKube2iam({
      podRole: ORDERS_ROLE,
      credentials: pod.secrets.credentials("KUBE2IAM"),
      mode: "podNotFound",
    });
    const server = await pod.serve(proxy.handler);

    const run = await pod.run({
      ...BOUNDED,
      POD_CREDENTIALS_ROLE: ORDERS_ROLE,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url,
    });

    expect(run.exitCode).toBe(2);
    expect(run.result).toMatchObject({ ok: false, name: "CredentialSourceError" });
    expect(run.result.message).toContain("[kube2iam] No credentials within the 1200 ms resolution deadline");
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

  const irsaAgainst = async (pod: PodScenario, stsHandler: FakeHandler) => {
    const server = await pod.serve(stsHandler);
    const token = pod.secrets.jwt();
    return pod.run(
      {
        POD_CREDENTIALS_TIMEOUT_MS: "300",
        POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: String(RESOLUTION_MS),
        AWS_WEB_IDENTITY_TOKEN_FILE: await pod.file("token", token),
        AWS_ROLE_ARN: ORDERS_ROLE_ARN,
        AWS_ENDPOINT_URL_STS: server.url,
      },
      within(RESOLUTION_MS) + 1000,
    );
  };

  for (const { what, fault } of FAULTS) {
    it(`STS that ${what}: the resolution fails at its deadline with CredentialSourceError`, async ({
      expect,
      onTestFinished,
    }) => {
      const pod = podScenario(onTestFinished);
      const sts = fakeSts({ credentials: pod.secrets.credentials("STS") }).injectFault(fault);

      const run = await irsaAgainst(pod, sts.handler);

      expect(run.result).toMatchObject({ ok: false, name: "CredentialSourceError" });
      expect(run.result.message).toContain(
        `[webIdentity] No credentials within the ${RESOLUTION_MS} ms resolution deadline`,
      );
      expect(sts.requests).toHaveLength(1);
      expect(run.resultAtMs).toBeGreaterThanOrEqual(RESOLUTION_MS);
      expect(run.resultAtMs).toBeLessThan(within(RESOLUTION_MS));
      await expectNothingLeaked(expect, pod, run);
    });

    // Regression: the resolution's AbortSignal must reach the SDK's STS request, or a hanging STS keeps the process
    // alive ~5 s after the deadline and a trickling one forever (found by this test; fixed by abortableRequestHandler).
    it(`STS that ${what}: the pod process exits once the resolution has failed`, async ({ expect, onTestFinished }) => {
      const pod = podScenario(onTestFinished);
      const sts = fakeSts({ credentials: pod.secrets.credentials("STS") }).injectFault(fault);

      const run = await irsaAgainst(pod, sts.handler);

      expect(run.result).toMatchObject({ ok: false, name: "CredentialSourceError" });
      expect(run.killed).toBe(false);
      expect(run.exitCode).toBe(2);
      expect(run.elapsedMs).toBeLessThan(within(RESOLUTION_MS));
    });
  }
});
