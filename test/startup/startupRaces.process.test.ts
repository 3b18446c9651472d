// Start-up races, end to end: kube2iam, kiam and the Pod Identity agent may not know a new pod yet. Answers that mean
// "not yet" are retried with backoff inside POD_CREDENTIALS_STARTUP_TIMEOUT_MS and end in success with the expected
// number of requests; answers that mean "no" fail at once, after exactly the requests needed to hear them.
import { describe, it } from "vitest";
import { expectCredentials, expectListingRetried, expectRefusal } from "../support/podAssertions.js";
import {
  agentPod,
  expectNothingLeaked,
  kiamPod,
  kube2iamPod,
  LISTING_PATH,
  latestFinishAfterStartUp,
  ORDERS_ROLE,
  ORDERS_ROLE_ARN,
  podScenario,
} from "../support/podScenario.js";

/** A start-up window far longer than any test here: a "no" must not wait for it, a "not yet" must not need it all. */
const PATIENT = { POD_CREDENTIALS_TIMEOUT_MS: "500", POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "8000" };
/** Retries wait 200 ms, then 400 ms, 800 ms...: the time two "not yet" answers cost at least. */
const TWO_RETRIES_MS = 600;
const CREDENTIALS_PATH = `${LISTING_PATH}${ORDERS_ROLE}`;

const within = latestFinishAfterStartUp();

const paths = (requests: readonly { path: string }[]): string[] => requests.map((request) => request.path);

describe.concurrent("'not yet' answers are retried, then the pod gets its credentials", () => {
  it("kube2iam: pod not found twice, then ready: 4 requests", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, node, env } = await kube2iamPod(pod);
    proxy.setMode("podNotFound", { times: 2 });

    const run = await pod.run({ ...PATIENT, ...env });

    expectCredentials(expect, run, { source: "kube2iam", accessKeyId: proxy.credentials.accessKeyId });
    expect(paths(proxy.requests)).toEqual([LISTING_PATH, LISTING_PATH, LISTING_PATH, CREDENTIALS_PATH]);
    expect(node.requests).toEqual([]);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(TWO_RETRIES_MS);
    expect(run.elapsedMs).toBeLessThan(within(TWO_RETRIES_MS));
    await expectNothingLeaked(expect, pod, run);
  });

  it("kube2iam: still answering with its default role twice, then the pod's role: 4 requests", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, env } = await kube2iamPod(pod);
    proxy.setMode("defaultRole", { times: 2 });

    const run = await pod.run({ ...PATIENT, ...env });

    expectCredentials(expect, run, { source: "kube2iam", accessKeyId: proxy.credentials.accessKeyId });
    expect(paths(proxy.requests)).toEqual([LISTING_PATH, LISTING_PATH, LISTING_PATH, CREDENTIALS_PATH]);
    expect(run.elapsedMs).toBeLessThan(within(TWO_RETRIES_MS));
    await expectNothingLeaked(expect, pod, run);
  });

  it("kiam: no pod found twice (listing 500), then ready: 4 requests", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, env } = await kiamPod(pod);
    proxy.setMode("podNotFound", { times: 2 });

    const run = await pod.run({ ...PATIENT, ...env });

    expectCredentials(expect, run, { source: "kube2iam", accessKeyId: proxy.credentials.accessKeyId });
    expect(paths(proxy.requests)).toEqual([
      LISTING_PATH,
      LISTING_PATH,
      LISTING_PATH,
      `${LISTING_PATH}${ORDERS_ROLE_ARN}`,
    ]);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(TWO_RETRIES_MS);
    expect(run.elapsedMs).toBeLessThan(within(TWO_RETRIES_MS));
    await expectNothingLeaked(expect, pod, run);
  });

  it("kiam: credentials 500 'rpc error: code = Unknown desc = pod not found' once, then ready: 4 requests", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, env } = await kiamPod(pod);
    const credentialsPath = `${LISTING_PATH}${ORDERS_ROLE_ARN}`;
    proxy.injectFault(
      {
        kind: "status",
        status: 500,
        body: "error fetching credentials: rpc error: code = Unknown desc = pod not found\n",
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      },
      { path: credentialsPath, times: 1 },
    );

    const run = await pod.run({ ...PATIENT, ...env });

    expectCredentials(expect, run, { source: "kube2iam", accessKeyId: proxy.credentials.accessKeyId });
    expect(paths(proxy.requests)).toEqual([LISTING_PATH, credentialsPath, LISTING_PATH, credentialsPath]);
    expect(run.elapsedMs).toBeLessThan(within(200));
    await expectNothingLeaked(expect, pod, run);
  });

  it("the agent: rate-limited (429) twice, then ok: 3 requests", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { agent, env } = await agentPod(pod);
    agent.setMode("throttled", { times: 2 });

    const run = await pod.run({ ...PATIENT, ...env });

    expectCredentials(expect, run, { source: "podIdentity", accessKeyId: agent.credentials.accessKeyId });
    expect(agent.requests).toHaveLength(3);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(TWO_RETRIES_MS);
    expect(run.elapsedMs).toBeLessThan(within(TWO_RETRIES_MS));
    await expectNothingLeaked(expect, pod, run);
  });

  it("the agent: its upstream failing (500) once, then ok: 2 requests", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { agent, env } = await agentPod(pod);
    agent.setMode("upstreamError", { times: 1 });

    const run = await pod.run({ ...PATIENT, ...env });

    expectCredentials(expect, run, { source: "podIdentity", accessKeyId: agent.credentials.accessKeyId });
    expect(agent.requests).toHaveLength(2);
    expect(run.elapsedMs).toBeLessThan(within(200));
    await expectNothingLeaked(expect, pod, run);
  });
});

describe.concurrent("'no' answers fail at once, after exactly the requests needed", () => {
  it("kube2iam: 403 Invalid role for the credentials: 2 requests", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, server, env } = await kube2iamPod(pod);
    proxy.injectFault(
      {
        kind: "status",
        status: 403,
        body: `Invalid role ${ORDERS_ROLE}\n`,
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      },
      { path: CREDENTIALS_PATH },
    );

    const run = await pod.run({ ...PATIENT, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [
        `The metadata proxy at ${server.url} refused the role "${ORDERS_ROLE}" with HTTP 403: kube2iam: Invalid role ${ORDERS_ROLE}`,
      ],
    });
    expect(paths(proxy.requests)).toEqual([LISTING_PATH, CREDENTIALS_PATH]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("kube2iam: the role is not allowed in the pod's namespace (404 on the listing): 1 request", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, server, env } = await kube2iamPod(pod, { mode: "namespaceRestricted", namespace: "orders" });

    const run = await pod.run({ ...PATIENT, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [
        `The metadata proxy at ${server.url} refused the role "${ORDERS_ROLE}" with HTTP 404`,
        "not valid for namespace of pod at 10.1.2.3 with namespace orders",
      ],
    });
    expect(paths(proxy.requests)).toEqual([LISTING_PATH]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("kube2iam: STS refused the proxy's AssumeRole (500): 2 requests", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, env } = await kube2iamPod(pod, { mode: "stsError" });

    const run = await pod.run({ ...PATIENT, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`refused the role "${ORDERS_ROLE}" with HTTP 500`, "api error AccessDenied"],
    });
    expect(paths(proxy.requests)).toEqual([LISTING_PATH, CREDENTIALS_PATH]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("kiam: forbidden by policy: 2 requests", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, server, env } = await kiamPod(pod, { mode: "forbidden" });

    const run = await pod.run({ ...PATIENT, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [
        `The metadata proxy at ${server.url} refused the role "${ORDERS_ROLE}" with HTTP 500: kiam: error fetching credentials: forbidden by policy`,
      ],
    });
    expect(paths(proxy.requests)).toEqual([LISTING_PATH, `${LISTING_PATH}${ORDERS_ROLE_ARN}`]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("the agent: 400, the token failed basic claim validations: 1 request", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const other = pod.secrets.jwt();
    const { agent, env } = await agentPod(pod, {}, other);

    const run = await pod.run({ ...PATIENT, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [
        "answered HTTP 400: Service account token failed basic claim validations: token has invalid claims: token is expired",
      ],
    });
    expect(agent.requests).toHaveLength(1);
    expect(agent.requests[0]?.headers.authorization).toBe(other);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("the agent: 400, the token cannot be parsed: 1 request", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { agent, env } = await agentPod(pod, {}, "not-a-service-account-token");

    const run = await pod.run({ ...PATIENT, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: ["answered HTTP 400: Service account token cannot be parsed"],
    });
    expect(agent.requests).toHaveLength(1);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("the agent: its upstream denies access (403 mirrored): 1 request", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { agent, env } = await agentPod(pod);
    agent.setMode("upstreamError", {
      status: 403,
      message: "AccessDeniedException: no pod identity association for this service account",
    });

    const run = await pod.run({ ...PATIENT, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: ["answered HTTP 403: AccessDeniedException: no pod identity association"],
    });
    expect(agent.requests).toHaveLength(1);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  // Regression: every agent refusal names the agent's URL, as the other agent errors do.
  it("the agent's refusal names the agent's URL", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { url, env } = await agentPod(pod, {}, pod.secrets.jwt());

    const run = await pod.run({ ...PATIENT, ...env });

    expectRefusal(expect, run, { name: "CredentialSourceError", says: [url] });
  });
});

describe.concurrent("'no role here' answers are retried through the start-up window, then reported", () => {
  const WINDOW = { POD_CREDENTIALS_TIMEOUT_MS: "500", POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "600" };

  it("kube2iam: unable to find role for the pod's IP", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, server, env } = await kube2iamPod(pod, { mode: "noRole" });

    const run = await pod.run({ ...WINDOW, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [
        `The metadata proxy at ${server.url} holds no role for this pod (kube2iam: unable to find role for IP 10.1.2.3)`,
      ],
    });
    expectListingRetried(expect, proxy.requests);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(600);
    expect(run.elapsedMs).toBeLessThan(within(600));
    await expectNothingLeaked(expect, pod, run);
  });

  it("kiam: empty role", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, server, env } = await kiamPod(pod, { mode: "noRole" });

    const run = await pod.run({ ...WINDOW, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`The metadata proxy at ${server.url} holds no role for this pod (kiam: empty role)`],
    });
    expectListingRetried(expect, proxy.requests);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(600);
    expect(run.elapsedMs).toBeLessThan(within(600));
    await expectNothingLeaked(expect, pod, run);
  });
});
