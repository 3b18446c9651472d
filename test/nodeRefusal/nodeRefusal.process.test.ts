// Specifies that the node's role is refused, end to end (the built package in a pod process). A pod that declares a role, on a node where no kube2iam or kiam intercepts
// the metadata traffic, reaches the real IMDS: it probes with an invalid IMDSv2 token (401 from IMDS), keeps trying
// for the start-up window (the proxy may still be starting), then throws NodeCredentialsRefusedError without ever
// asking for the node's credentials. kube2iam offering its default role instead of the pod's is refused likewise.
import { describe, type ExpectStatic } from "vitest";
import { fakeImds } from "../../src/testing/index.js";
import { expectListingRetried, expectRun } from "../support/podAssertions.js";
import * as pod from "../support/podScenario.js";

const { kiamPod, kube2iamPod, LISTING_PATH, ORDERS_ROLE, ORDERS_ROLE_ARN, podTest } = pod;
type PodScenario = pod.PodScenario;

/**
 * The start-up window the probes are retried through. Long enough that a loaded machine still makes the two probes
 * these tests count (with 600 ms, a slow first request could use it all up), and per-request deadlines that a
 * loopback answer cannot miss: these tests are about what is refused, not about these numbers.
 */
const STARTUP_MS = 1500;
const QUICK = { POD_CREDENTIALS_TIMEOUT_MS: "1000", POD_CREDENTIALS_STARTUP_TIMEOUT_MS: String(STARTUP_MS) };
const PROBE_TOKEN = "pod-credentials-probe-not-a-valid-imds-token";

const realImds = async (pod: PodScenario) => {
  const imds = fakeImds({ roleName: "eks-node-role", credentials: pod.secrets.credentials("NODE") });
  const server = await pod.serve(imds.handler);
  return { imds, server };
};

/** The real IMDS must have seen probes of the role listing only, each with the invalid token: no PUT, no credentials. */
const expectOnlyProbes = (expect: ExpectStatic, imds: ReturnType<typeof fakeImds>) => {
  expect(imds.requests.length).toBeGreaterThanOrEqual(2);
  expect(
    imds.requests.map((request) => `${request.method} ${request.path} ${request.headers["x-aws-ec2-metadata-token"]}`),
  ).toEqual(imds.requests.map(() => `GET ${LISTING_PATH} ${PROBE_TOKEN}`));
  expect(imds.issuedTokens).toEqual([]);
};

describe.concurrent("a declared role on a node without kube2iam or kiam: the real IMDS is refused", () => {
  podTest.for([
    {
      declaredBy: "POD_CREDENTIALS_ROLE",
      declared: ORDERS_ROLE,
      env: async (_pod: PodScenario) => ({ POD_CREDENTIALS_ROLE: ORDERS_ROLE }),
    },
    {
      declaredBy: "the iam.amazonaws.com/role annotation in the downward-API file",
      declared: ORDERS_ROLE_ARN,
      env: async (pod: PodScenario) => ({
        POD_CREDENTIALS_ANNOTATIONS_FILE: await pod.file(
          "annotations",
          `iam.amazonaws.com/role="${ORDERS_ROLE_ARN}"\nkubernetes.io/config.seen="2026-11-27T21:00:00.000000000Z"\nkubernetes.io/config.source="api"`,
        ),
      }),
    },
    {
      declaredBy: "POD_CREDENTIALS_ROLE, even with POD_CREDENTIALS_ALLOW_NODE=true",
      declared: ORDERS_ROLE,
      env: async (_pod: PodScenario) => ({ POD_CREDENTIALS_ROLE: ORDERS_ROLE, POD_CREDENTIALS_ALLOW_NODE: "true" }),
    },
  ])(
    "declared by $declaredBy: NodeCredentialsRefusedError after the start-up window, no credentials GET",
    async ({ declared, env }, { expect, pod }) => {
      const { imds, server } = await realImds(pod);

      const run = await pod.run({ ...QUICK, ...(await env(pod)), AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url });

      await expectRun(expect, pod, run, {
        refused: {
          name: "NodeCredentialsRefusedError",
          says: [`${server.url} is the real EC2 instance metadata service`, `not "${declared}"`],
        },
        resultNotBeforeMs: STARTUP_MS,
      });
      expectOnlyProbes(expect, imds);
    },
  );

  podTest(
    "nothing declared and the node not allowed: NoPodCredentialsError at once, IMDS never asked",
    async ({ expect, pod }) => {
      const { imds, server } = await realImds(pod);

      const run = await pod.run({ ...QUICK, AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url });

      await expectRun(expect, pod, run, {
        refused: {
          name: "NoPodCredentialsError",
          says: ["instanceProfile: node credentials are not allowed (set POD_CREDENTIALS_ALLOW_NODE=true"],
        },
      });
      expect(imds.requests).toEqual([]);
    },
  );
});

describe.concurrent("a proxy that offers another role than the declared one is refused, naming both", () => {
  const PAYMENTS_ROLE_ARN = "arn:aws:iam::123456789012:role/payments-writer";

  podTest.for([
    {
      proxy: "kube2iam answering with its --default-role",
      declared: ORDERS_ROLE,
      offered: "kube2iam-default",
      setUp: async (pod: PodScenario) => {
        const { proxy, node, env } = await kube2iamPod(pod, { mode: "defaultRole", defaultRole: "kube2iam-default" });
        return { env, proxyRequests: () => proxy.requests, nodeRequests: () => node.requests };
      },
    },
    {
      proxy: "kiam listing another role ARN",
      declared: ORDERS_ROLE_ARN,
      offered: PAYMENTS_ROLE_ARN,
      setUp: async (pod: PodScenario) => {
        const { proxy, env } = await kiamPod(pod, { podRole: PAYMENTS_ROLE_ARN });
        return {
          env: { ...env, POD_CREDENTIALS_ROLE: ORDERS_ROLE_ARN },
          proxyRequests: () => proxy.requests,
          nodeRequests: () => [],
        };
      },
    },
  ])(
    "$proxy: NodeCredentialsRefusedError after the start-up window",
    async ({ declared, offered, setUp }, { expect, pod }) => {
      const { env, proxyRequests, nodeRequests } = await setUp(pod);

      const run = await pod.run({ ...QUICK, ...env });

      await expectRun(expect, pod, run, {
        refused: {
          name: "NodeCredentialsRefusedError",
          says: [`offers the role "${offered}", not the role "${declared}"`],
        },
        resultNotBeforeMs: STARTUP_MS,
      });
      expectListingRetried(expect, proxyRequests());
      expect(nodeRequests()).toEqual([]);
    },
  );
});
