// Specifies start-up races, end to end (the built package in a pod process): kube2iam, kiam and the Pod Identity agent may not know a new pod yet. Answers that mean
// "not yet" are retried with backoff inside POD_CREDENTIALS_STARTUP_TIMEOUT_MS and end in success with the expected
// number of requests; answers that mean "no" fail at once, after exactly the requests needed to hear them.
import { describe } from "vitest";
import type {
  FakeKiam,
  FakeKiamOptions,
  FakeKube2iam,
  FakeKube2iamOptions,
  FakePodIdentityAgent,
  FakePodIdentityAgentOptions,
} from "../../src/testing/index.js";
import { expectListingRetried, expectRun } from "../support/podAssertions.js";
import {
  AGENT_PATH,
  agentPod,
  kiamPod,
  kube2iamPod,
  LISTING_PATH,
  ORDERS_ROLE,
  ORDERS_ROLE_ARN,
  type PodScenario,
  podTest,
} from "../support/podScenario.js";

/** A start-up window far longer than any test here: a "no" must not wait for it, a "not yet" must not need it all. */
const PATIENT = { POD_CREDENTIALS_TIMEOUT_MS: "500", POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "8000" };
/** Retries wait 200 ms, then 400 ms, 800 ms...: the time two "not yet" answers cost at least. */
const TWO_RETRIES_MS = 600;
const CREDENTIALS_PATH = `${LISTING_PATH}${ORDERS_ROLE}`;

const paths = (requests: readonly { path: string }[]): string[] => requests.map((request) => request.path);

/** A pod behind one source, as a row of a table sets it up: its environment and the paths its fakes were asked. */
interface RacingPod {
  readonly env: Record<string, string>;
  /** The paths the pod's fakes received: for kube2iam, the node's IMDS behind it too (which must never be asked). */
  readonly paths: () => string[];
  readonly source: string;
  readonly accessKeyId: string;
  /** The URL of the proxy or agent, which its refusals name. */
  readonly url: string;
}

const behindKube2iam = async (
  pod: PodScenario,
  options: FakeKube2iamOptions = {},
  prepare: (proxy: FakeKube2iam) => void = () => {},
): Promise<RacingPod> => {
  const { proxy, node, server, env } = await kube2iamPod(pod, options);
  prepare(proxy);
  const accessKeyId = proxy.credentials.accessKeyId;
  return {
    env,
    paths: () => paths([...proxy.requests, ...node.requests]),
    source: "kube2iam",
    accessKeyId,
    url: server.url,
  };
};
const behindKiam = async (
  pod: PodScenario,
  options: FakeKiamOptions = {},
  prepare: (proxy: FakeKiam) => void = () => {},
): Promise<RacingPod> => {
  const { proxy, server, env } = await kiamPod(pod, options);
  prepare(proxy);
  const accessKeyId = proxy.credentials.accessKeyId;
  return { env, paths: () => paths(proxy.requests), source: "kube2iam", accessKeyId, url: server.url };
};
const withAgent = async (
  pod: PodScenario,
  options: FakePodIdentityAgentOptions = {},
  prepare: (agent: FakePodIdentityAgent) => void = () => {},
  tokenFileContent?: string,
): Promise<RacingPod> => {
  const { agent, url, env } = await agentPod(pod, options, tokenFileContent);
  prepare(agent);
  const accessKeyId = agent.credentials.accessKeyId;
  return { env, paths: () => paths(agent.requests), source: "podIdentity", accessKeyId, url };
};
/** A status answer as kube2iam, kiam and the agent write them: plain text. */
const statusFault = (status: number, body: string) =>
  ({ kind: "status", status, body, headers: { "Content-Type": "text/plain; charset=utf-8" } }) as const;

const KIAM_CREDENTIALS_PATH = `${LISTING_PATH}${ORDERS_ROLE_ARN}`;

describe.concurrent("'not yet' answers are retried, then the pod gets its credentials", () => {
  podTest.for([
    {
      what: "kube2iam: pod not found twice, then ready: 4 requests",
      setUp: (pod: PodScenario) => behindKube2iam(pod, {}, (proxy) => proxy.setMode("podNotFound", { times: 2 })),
      expected: [LISTING_PATH, LISTING_PATH, LISTING_PATH, CREDENTIALS_PATH],
      waitsMs: TWO_RETRIES_MS,
    },
    {
      what: "kube2iam: still answering with its default role twice, then the pod's role: 4 requests",
      setUp: (pod: PodScenario) => behindKube2iam(pod, {}, (proxy) => proxy.setMode("defaultRole", { times: 2 })),
      expected: [LISTING_PATH, LISTING_PATH, LISTING_PATH, CREDENTIALS_PATH],
      waitsMs: TWO_RETRIES_MS,
    },
    {
      what: "kiam: no pod found twice (listing 500), then ready: 4 requests",
      setUp: (pod: PodScenario) => behindKiam(pod, {}, (proxy) => proxy.setMode("podNotFound", { times: 2 })),
      expected: [LISTING_PATH, LISTING_PATH, LISTING_PATH, KIAM_CREDENTIALS_PATH],
      waitsMs: TWO_RETRIES_MS,
    },
    {
      what: "kiam: credentials 500 'rpc error: code = Unknown desc = pod not found' once, then ready: 4 requests",
      setUp: (pod: PodScenario) =>
        behindKiam(pod, {}, (proxy) =>
          proxy.injectFault(
            statusFault(500, "error fetching credentials: rpc error: code = Unknown desc = pod not found\n"),
            { path: KIAM_CREDENTIALS_PATH, times: 1 },
          ),
        ),
      expected: [LISTING_PATH, KIAM_CREDENTIALS_PATH, LISTING_PATH, KIAM_CREDENTIALS_PATH],
      waitsMs: 200,
    },
    {
      what: "the agent: rate-limited (429) twice, then ok: 3 requests",
      setUp: (pod: PodScenario) => withAgent(pod, {}, (agent) => agent.setMode("throttled", { times: 2 })),
      expected: [AGENT_PATH, AGENT_PATH, AGENT_PATH],
      waitsMs: TWO_RETRIES_MS,
    },
    {
      what: "the agent: its upstream failing (500) once, then ok: 2 requests",
      setUp: (pod: PodScenario) => withAgent(pod, {}, (agent) => agent.setMode("upstreamError", { times: 1 })),
      expected: [AGENT_PATH, AGENT_PATH],
      waitsMs: 200,
    },
  ])("$what", async ({ setUp, expected, waitsMs }, { expect, pod }) => {
    const racing = await setUp(pod);

    const run = await pod.run({ ...PATIENT, ...racing.env });

    await expectRun(expect, pod, run, {
      credentials: { source: racing.source, accessKeyId: racing.accessKeyId },
      resultNotBeforeMs: waitsMs,
    });
    expect(racing.paths()).toEqual(expected);
  });
});

describe.concurrent("'no' answers fail at once, after exactly the requests needed", () => {
  podTest.for([
    {
      what: "kube2iam: 403 Invalid role for the credentials: 2 requests",
      setUp: (pod: PodScenario) =>
        behindKube2iam(pod, {}, (proxy) =>
          proxy.injectFault(statusFault(403, `Invalid role ${ORDERS_ROLE}\n`), { path: CREDENTIALS_PATH }),
        ),
      says: [`refused the role "${ORDERS_ROLE}" with HTTP 403`, `kube2iam: Invalid role ${ORDERS_ROLE}`],
      expected: [LISTING_PATH, CREDENTIALS_PATH],
    },
    {
      what: "kube2iam: the role is not allowed in the pod's namespace (404 on the listing): 1 request",
      setUp: (pod: PodScenario) => behindKube2iam(pod, { mode: "namespaceRestricted", namespace: "orders" }),
      says: [
        `refused the role "${ORDERS_ROLE}" with HTTP 404`,
        "not valid for namespace of pod at 10.1.2.3 with namespace orders",
      ],
      expected: [LISTING_PATH],
    },
    {
      what: "kube2iam: STS refused the proxy's AssumeRole (500): 2 requests",
      setUp: (pod: PodScenario) => behindKube2iam(pod, { mode: "stsError" }),
      says: [`refused the role "${ORDERS_ROLE}" with HTTP 500`, "api error AccessDenied"],
      expected: [LISTING_PATH, CREDENTIALS_PATH],
    },
    {
      what: "kiam: forbidden by policy: 2 requests",
      setUp: (pod: PodScenario) => behindKiam(pod, { mode: "forbidden" }),
      says: [
        `refused the role "${ORDERS_ROLE}" with HTTP 500`,
        "kiam: error fetching credentials: forbidden by policy",
      ],
      expected: [LISTING_PATH, KIAM_CREDENTIALS_PATH],
    },
    {
      what: "the agent: 400, the token cannot be parsed: 1 request",
      setUp: (pod: PodScenario) => withAgent(pod, {}, () => {}, "not-a-service-account-token"),
      says: ["answered HTTP 400: Service account token cannot be parsed"],
      expected: [AGENT_PATH],
    },
    {
      what: "the agent: its upstream denies access (403 mirrored): 1 request",
      setUp: (pod: PodScenario) =>
        withAgent(pod, {}, (agent) =>
          agent.setMode("upstreamError", {
            status: 403,
            message: "AccessDeniedException: no pod identity association for this service account",
          }),
        ),
      says: ["answered HTTP 403: AccessDeniedException: no pod identity association"],
      expected: [AGENT_PATH],
    },
  ])("$what", async ({ setUp, says, expected }, { expect, pod }) => {
    const racing = await setUp(pod);

    const run = await pod.run({ ...PATIENT, ...racing.env });

    // Every refusal names the proxy's or the agent's URL.
    await expectRun(expect, pod, run, {
      refused: { name: "CredentialSourceError", says: [racing.url, ...says] },
    });
    expect(racing.paths()).toEqual(expected);
  });

  podTest(
    "the agent: 400, the token failed basic claim validations: 1 request, with the pod's token",
    async ({ expect, pod }) => {
      const other = pod.secrets.jwt();
      const { agent, url, env } = await agentPod(pod, {}, other);

      const run = await pod.run({ ...PATIENT, ...env });

      // Regression: the agent's refusal names the agent's URL, as the other agent errors do.
      await expectRun(expect, pod, run, {
        refused: {
          name: "CredentialSourceError",
          says: [
            url,
            "answered HTTP 400: Service account token failed basic claim validations: token has invalid claims: token is expired",
          ],
        },
      });
      expect(agent.requests).toHaveLength(1);
      expect(agent.requests[0]?.headers.authorization).toBe(other);
    },
  );
});

describe.concurrent("'no role here' answers are retried through the start-up window, then reported", () => {
  // Long enough that a loaded machine still retries within it (the test counts at least two listings): the test is
  // about "retried, then reported", not about this number.
  const WINDOW_MS = 1500;
  const WINDOW = { POD_CREDENTIALS_TIMEOUT_MS: "1000", POD_CREDENTIALS_STARTUP_TIMEOUT_MS: String(WINDOW_MS) };

  podTest.for([
    {
      what: "kube2iam: unable to find role for the pod's IP",
      setUp: (pod: PodScenario) => behindKube2iam(pod, { mode: "noRole" }),
      says: "holds no role for this pod (kube2iam: unable to find role for IP 10.1.2.3)",
    },
    {
      what: "kiam: empty role",
      setUp: (pod: PodScenario) => behindKiam(pod, { mode: "noRole" }),
      says: "holds no role for this pod (kiam: empty role)",
    },
  ])("$what", async ({ setUp, says }, { expect, pod }) => {
    const racing = await setUp(pod);

    const run = await pod.run({ ...WINDOW, ...racing.env });

    await expectRun(expect, pod, run, {
      refused: {
        name: "CredentialSourceError",
        says: [`The metadata proxy at ${racing.url} ${says}`],
      },
      resultNotBeforeMs: WINDOW_MS,
    });
    expectListingRetried(
      expect,
      racing.paths().map((path) => ({ path })),
    );
  });
});
