// The node's role is refused, end to end. A pod that declares a role, on a node where no kube2iam or kiam intercepts
// the metadata traffic, reaches the real IMDS: it probes with an invalid IMDSv2 token (401 from IMDS), keeps trying
// for the start-up window (the proxy may still be starting), then throws NodeCredentialsRefusedError without ever
// asking for the node's credentials. kube2iam offering its default role instead of the pod's is refused likewise.
import { describe, type ExpectStatic, it } from "vitest";
import { fakeImds } from "../../src/testing/index.js";
import { expectListingRetried, expectRefusal } from "../support/podAssertions.js";
import {
  expectNothingLeaked,
  kiamPod,
  kube2iamPod,
  LISTING_PATH,
  latestFinishAfterStartUp,
  ORDERS_ROLE,
  ORDERS_ROLE_ARN,
  type PodScenario,
  podScenario,
  TOKEN_PATH,
} from "../support/podScenario.js";

const STARTUP_MS = 600;
const QUICK = { POD_CREDENTIALS_TIMEOUT_MS: "300", POD_CREDENTIALS_STARTUP_TIMEOUT_MS: String(STARTUP_MS) };
const PROBE_TOKEN = "pod-credentials-probe-not-a-valid-imds-token";

const within = latestFinishAfterStartUp();

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
  it("declared by POD_CREDENTIALS_ROLE: NodeCredentialsRefusedError after the start-up window, no credentials GET", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { imds, server } = await realImds(pod);

    const run = await pod.run({
      ...QUICK,
      POD_CREDENTIALS_ROLE: ORDERS_ROLE,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url,
    });

    expectRefusal(expect, run, {
      name: "NodeCredentialsRefusedError",
      says: [
        `The metadata endpoint ${server.url} is the real EC2 instance metadata service (it rejected an invalid IMDSv2 token with 401)`,
        `not "${ORDERS_ROLE}"`,
      ],
    });
    expectOnlyProbes(expect, imds);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(STARTUP_MS);
    expect(run.elapsedMs).toBeLessThan(within(STARTUP_MS));
    await expectNothingLeaked(expect, pod, run);
  });

  it("declared by the iam.amazonaws.com/role annotation in the downward-API file: the same refusal", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { imds, server } = await realImds(pod);
    const annotations = await pod.file(
      "annotations",
      `iam.amazonaws.com/role="${ORDERS_ROLE_ARN}"\nkubernetes.io/config.seen="2026-11-27T21:00:00.000000000Z"\nkubernetes.io/config.source="api"`,
    );

    const run = await pod.run({
      ...QUICK,
      POD_CREDENTIALS_ANNOTATIONS_FILE: annotations,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url,
    });

    expectRefusal(expect, run, {
      name: "NodeCredentialsRefusedError",
      says: ["is the real EC2 instance metadata service", `not "${ORDERS_ROLE_ARN}"`],
    });
    expectOnlyProbes(expect, imds);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(STARTUP_MS);
    expect(run.elapsedMs).toBeLessThan(within(STARTUP_MS));
    await expectNothingLeaked(expect, pod, run);
  });

  it("even with POD_CREDENTIALS_ALLOW_NODE=true, a pod that declares a role is not handed the node's", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { imds, server } = await realImds(pod);

    const run = await pod.run({
      ...QUICK,
      POD_CREDENTIALS_ALLOW_NODE: "true",
      POD_CREDENTIALS_ROLE: ORDERS_ROLE,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url,
    });

    expectRefusal(expect, run, {
      name: "NodeCredentialsRefusedError",
      says: ["is the real EC2 instance metadata service"],
    });
    expectOnlyProbes(expect, imds);
    expect(imds.requests.some((request) => request.path === TOKEN_PATH)).toBe(false);
    expect(run.elapsedMs).toBeLessThan(within(STARTUP_MS));
    await expectNothingLeaked(expect, pod, run);
  });

  it("nothing declared and the node not allowed: NoPodCredentialsError at once, IMDS never asked", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { imds, server } = await realImds(pod);

    const run = await pod.run({ ...QUICK, AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url });

    expectRefusal(expect, run, {
      name: "NoPodCredentialsError",
      says: ["instanceProfile: node credentials are not allowed (set POD_CREDENTIALS_ALLOW_NODE=true"],
    });
    expect(imds.requests).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });
});

describe.concurrent("a proxy that offers another role than the declared one is refused, naming both", () => {
  it("kube2iam answering with its --default-role: NodeCredentialsRefusedError after the start-up window", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, node, server, env } = await kube2iamPod(pod, {
      mode: "defaultRole",
      defaultRole: "kube2iam-default",
    });

    const run = await pod.run({ ...QUICK, ...env });

    expectRefusal(expect, run, {
      name: "NodeCredentialsRefusedError",
      says: [
        `The metadata endpoint ${server.url} offers the role "kube2iam-default", not the role "${ORDERS_ROLE}" this pod declares (POD_CREDENTIALS_ROLE)`,
      ],
    });
    expectListingRetried(expect, proxy.requests);
    expect(node.requests).toEqual([]);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(STARTUP_MS);
    expect(run.elapsedMs).toBeLessThan(within(STARTUP_MS));
    await expectNothingLeaked(expect, pod, run);
  });

  it("kiam listing another role ARN: NodeCredentialsRefusedError after the start-up window", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const otherRole = "arn:aws:iam::123456789012:role/payments-writer";
    const { proxy, env } = await kiamPod(pod, { podRole: otherRole });

    const run = await pod.run({ ...QUICK, ...env, POD_CREDENTIALS_ROLE: ORDERS_ROLE_ARN });

    expectRefusal(expect, run, {
      name: "NodeCredentialsRefusedError",
      says: [`offers the role "${otherRole}", not the role "${ORDERS_ROLE_ARN}"`],
    });
    expect(new Set(proxy.requests.map((request) => request.path))).toEqual(new Set([LISTING_PATH]));
    expect(run.resultAtMs).toBeGreaterThanOrEqual(STARTUP_MS);
    expect(run.elapsedMs).toBeLessThan(within(STARTUP_MS));
    await expectNothingLeaked(expect, pod, run);
  });
});
