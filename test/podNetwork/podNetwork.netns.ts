// The pod network suite: the packed package in a real pod network namespace, at the real addresses, configured only
// by what EKS, kube2iam or kiam leave in a pod. Run with `npm run test:pod-network` (docs/testing.md).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as Testing from "../../src/testing/index.js";
import {
  leaks,
  type PodRun,
  Scenario,
  type ScenarioSpec,
  type ServerReport,
  type ServerSpec,
  secretsOf,
  suiteContext,
  summarize,
} from "./harness.js";
import { ADDRESS } from "./network.js";

const REGION = "eu-central-1";
const ROLE = "orders-reader";
const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
const NODE_ROLE = "eks-node-role";
const CREDENTIALS_LISTING = "/latest/meta-data/iam/security-credentials/";
const NODE_CREDENTIALS = `${CREDENTIALS_LISTING}${NODE_ROLE}`;
const TOKEN_PATH = "/latest/api/token";
const IRSA_TOKEN_FILE = "eks.amazonaws.com-serviceaccount-token";
const POD_IDENTITY_TOKEN_FILE = "pods.eks.amazonaws.com-serviceaccount-eks-pod-identity-token";

const testing = async (): Promise<typeof Testing> =>
  (await import(
    join(suiteContext().app, "node_modules", "pod-credentials", "dist", "esm", "testing", "index.js")
  )) as typeof Testing;

// The servers, at the addresses a pod reaches them on.
const imds = (options: Record<string, unknown> = {}, hopLimit = false): ServerSpec => ({
  name: "imds",
  fake: "imds",
  options: { roleName: NODE_ROLE, region: REGION, ...options },
  listen: [
    { host: ADDRESS.imds, port: 80 },
    { host: ADDRESS.imdsV6, port: 80 },
  ],
  hopLimit,
});
const sts = (options: Record<string, unknown>): ServerSpec => {
  const context = suiteContext();
  return {
    name: "sts",
    fake: "sts",
    options,
    listen: [{ host: ADDRESS.aws, port: 443 }],
    tls: { cert: context.stsCert, key: context.stsKey },
  };
};
const podIdentityAgent = (options: Record<string, unknown>): ServerSpec => ({
  name: "agent",
  fake: "podIdentityAgent",
  options,
  listen: [
    { host: ADDRESS.agent, port: 80 },
    { host: ADDRESS.agentV6, port: 80 },
  ],
});
const metadataProxy = (fake: "kube2iam" | "kiam"): ServerSpec => ({
  name: fake,
  fake,
  options: { podRole: ROLE, podIp: ADDRESS.pod, hostIp: ADDRESS.nodeToPod },
  listen: [{ host: ADDRESS.nodeToPod, port: 8181 }],
  upstream: `http://${ADDRESS.imds}`,
});

/** The environment of every pod: the test CA (standing in for the public CAs that sign STS's certificate). */
const trustTestCa = (): Record<string, string> => ({ NODE_EXTRA_CA_CERTS: suiteContext().ca });

/** What the library and the SDK did, one line each, for a reader; not asserted. */
const show = async (scenario: Scenario, label: string, run: PodRun, env: Record<string, string>): Promise<void> => {
  const sdk = await scenario.pod(env, ["pod.mjs", "sdk"]);
  const line = (result: Record<string, unknown> | undefined) =>
    result === undefined
      ? "(no result)"
      : result.ok === true
        ? `credentials ${String(result.accessKeyId).slice(0, 12)}…${
            typeof result.describe === "object" && result.describe !== null
              ? ` from ${String((result.describe as { source?: unknown }).source)}`
              : ""
          }`
        : `${String(result.name)}: ${String(result.message).split("\n")[0]?.slice(0, 160)}`;
  console.log(
    `${label}\n  pod-credentials (${run.durationMs} ms): ${line(run.result)}\n  SDK fromNodeProviderChain (${sdk.durationMs} ms): ${line(sdk.result)}`,
  );
};

/** The pod's routes: the node, and the links to it; nothing else is reachable. */
const expectOnlyTheNode = (scenario: Scenario): void => {
  const { v4, v6 } = scenario.routes();
  expect(v4.sort()).toEqual([
    `10.200.1.0/24 dev eth0 proto kernel scope link src ${ADDRESS.pod} `,
    `default via ${ADDRESS.nodeToPod} dev eth0 `,
  ]);
  expect(v6.map((route) => route.split(" metric")[0]).sort()).toEqual([
    `default via ${ADDRESS.nodeToPodV6} dev eth0`,
    "fd00:200:1::/64 dev eth0 proto kernel",
    "fe80::/64 dev eth0 proto kernel",
  ]);
};

const paths = (report: ServerReport | undefined): string[] =>
  (report?.requests ?? []).map((request) => `${request.method} ${request.path}`);

/** Runs a scenario: its assertions get the server counts and every output in their failure message. */
const scenario = (
  spec: ScenarioSpec,
  body: (scenario: Scenario) => Promise<{ reports: Record<string, ServerReport>; tokens?: string[] }>,
) =>
  Scenario.run(spec, async (running) => {
    expectOnlyTheNode(running);
    const { reports, tokens = [] } = await body(running);
    const why = summarize(reports, running.runs);
    expect(leaks(running.runs, secretsOf(reports, tokens)), `secrets in the output\n${why}`).toEqual([]);
  });

describe("the packed package in a pod network namespace, at the real addresses", () => {
  it("(1) IRSA as EKS injects it: STS over TLS at its regional host, then GetCallerIdentity signed with the result", async () => {
    const { createFakeJwt } = await testing();
    const token = createFakeJwt();
    await scenario(
      {
        index: 1,
        interceptMetadata: false,
        aws: [imds(), sts({ expectedToken: token, expectedRoleArn: ROLE_ARN })],
        node: [],
      },
      async (pod) => {
        const env = {
          ...trustTestCa(),
          AWS_ROLE_ARN: ROLE_ARN,
          AWS_WEB_IDENTITY_TOKEN_FILE: pod.file(IRSA_TOKEN_FILE, token),
          AWS_REGION: REGION,
          AWS_DEFAULT_REGION: REGION,
          AWS_STS_REGIONAL_ENDPOINTS: "regional",
        };
        const run = await pod.pod(env, ["pod.mjs", "chain", "--verify"]);
        const reports = await pod.reports();
        const why = summarize(reports, pod.runs);
        const issued = reports.sts?.issued ?? [];
        expect(run.result, why).toMatchObject({ ok: true, describe: { source: "webIdentity", roleArn: ROLE_ARN } });
        expect(issued.length, why).toBe(1);
        expect(run.result?.accessKeyId, why).toBe(issued[0]?.accessKeyId);
        expect(
          reports.sts?.calls?.map(({ action, host, region, signedWith }) => ({ action, host, region, signedWith })),
          why,
        ).toEqual([
          { action: "AssumeRoleWithWebIdentity", host: `sts.${REGION}.amazonaws.com` },
          {
            action: "GetCallerIdentity",
            host: `sts.${REGION}.amazonaws.com`,
            region: REGION,
            signedWith: issued[0]?.accessKeyId,
          },
        ]);
        expect(run.result?.callerIdentity, why).toEqual({ status: 200, arn: issued[0]?.assumedRoleArn });
        expect(paths(reports.imds), why).toEqual([]);
        await show(pod, "(1) IRSA", run, env);
        return { reports, tokens: [token] };
      },
    );
  });

  it("(2) nothing configured: NoPodCredentialsError, and not one request or connection anywhere", async () => {
    await scenario({ index: 2, interceptMetadata: false, aws: [imds()], node: [] }, async (pod) => {
      const env = trustTestCa();
      const run = await pod.pod(env, ["pod.mjs", "chain"]);
      const reports = await pod.reports();
      const why = summarize(reports, pod.runs);
      expect(run.result, why).toMatchObject({ ok: false, name: "NoPodCredentialsError" });
      expect(run.exitCode, why).toBe(2);
      expect(reports.imds?.requests.length, why).toBe(0);
      expect(reports.imds?.connections.length, why).toBe(0);
      await show(pod, "(2) nothing configured", run, env);
      return { reports };
    });
  });

  for (const [index, family, host, podAddress] of [
    [3, "IPv4", ADDRESS.agent, ADDRESS.pod],
    [4, "IPv6", `[${ADDRESS.agentV6}]`, ADDRESS.podV6],
  ] as const) {
    it(`(${index}) EKS Pod Identity over ${family}: the agent on the node at ${host}`, async () => {
      const { createFakeJwt } = await testing();
      const token = createFakeJwt({ claims: { aud: "pods.eks.amazonaws.com" } });
      await scenario(
        { index, interceptMetadata: false, aws: [imds()], node: [podIdentityAgent({ expectedToken: token })] },
        async (pod) => {
          const env = {
            ...trustTestCa(),
            AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://${host}/v1/credentials`,
            AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: pod.file(POD_IDENTITY_TOKEN_FILE, token),
            AWS_REGION: REGION,
            AWS_DEFAULT_REGION: REGION,
          };
          const run = await pod.pod(env, ["pod.mjs", "chain"]);
          const reports = await pod.reports();
          const why = summarize(reports, pod.runs);
          expect(run.result, why).toMatchObject({ ok: true, describe: { source: "podIdentity" } });
          expect(run.result?.accessKeyId, why).toBe(reports.agent?.credentials.accessKeyId);
          expect(paths(reports.agent), why).toEqual(["GET /v1/credentials"]);
          expect(reports.agent?.requests[0]?.headers.authorization === token, why).toBe(true);
          expect(
            reports.agent?.connections.map((connection) => connection.remoteAddress),
            why,
          ).toEqual([podAddress]);
          expect(paths(reports.imds), why).toEqual([]);
          await show(pod, `(${index}) Pod Identity over ${family}`, run, env);
          return { reports, tokens: [token] };
        },
      );
    });
  }

  for (const [index, proxy] of [
    [5, "kube2iam"],
    [6, "kiam"],
  ] as const) {
    it(`(${index}) ${proxy} through its DNAT rule: the declared role, and nothing reaches the node's credentials`, async () => {
      await scenario({ index, interceptMetadata: true, aws: [imds()], node: [metadataProxy(proxy)] }, async (pod) => {
        // kube2iam: the role declared by the downward-API annotations file; kiam: by POD_CREDENTIALS_ROLE.
        const declared: Record<string, string> =
          proxy === "kube2iam"
            ? {
                POD_CREDENTIALS_ANNOTATIONS_FILE: pod.file(
                  "annotations",
                  `iam.amazonaws.com/role="${ROLE}"\nkubernetes.io/config.seen="2026-12-04T10:00:00Z"\n`,
                ),
              }
            : { POD_CREDENTIALS_ROLE: ROLE };
        const env = { ...trustTestCa(), AWS_REGION: REGION, ...declared };
        const run = await pod.pod(env, ["pod.mjs", "chain"]);
        const reports = await pod.reports();
        const why = summarize(reports, pod.runs);
        expect(run.result, why).toMatchObject({ ok: true, describe: { source: "kube2iam", roleName: ROLE } });
        expect(run.result?.accessKeyId, why).toBe(reports[proxy]?.credentials.accessKeyId);
        expect(paths(reports[proxy]), why).toEqual([`GET ${CREDENTIALS_LISTING}`, `GET ${CREDENTIALS_LISTING}${ROLE}`]);
        // The pod asked 169.254.169.254; the node's rule took it to the proxy, the pod's own address intact.
        expect(
          reports[proxy]?.connections.map(({ remoteAddress, localAddress }) => `${remoteAddress}->${localAddress}`),
          why,
        ).toEqual([`${ADDRESS.pod}->${ADDRESS.nodeToPod}`, `${ADDRESS.pod}->${ADDRESS.nodeToPod}`]);
        expect(paths(reports.imds), why).toEqual([]);
        await show(pod, `(${index}) ${proxy}`, run, env);
        return { reports };
      });
    });
  }

  it("(7) a declared role and nothing intercepting: refused, the node's credentials never fetched", async () => {
    await scenario({ index: 7, interceptMetadata: false, aws: [imds()], node: [] }, async (pod) => {
      const env = { ...trustTestCa(), AWS_REGION: REGION, POD_CREDENTIALS_ROLE: ROLE };
      const run = await pod.pod(env, ["pod.mjs", "chain"]);
      const reports = await pod.reports();
      const why = summarize(reports, pod.runs);
      expect(run.result, why).toMatchObject({ ok: false, name: "NodeCredentialsRefusedError" });
      expect(String(run.result?.message), why).toContain(ROLE);
      expect(paths(reports.imds), why).not.toContain(`GET ${NODE_CREDENTIALS}`);
      expect(reports.imds?.requests.length, why).toBeGreaterThan(0); // it did look, and saw the real IMDS
      await show(pod, "(7) declared role, no interception", run, env);
      return { reports };
    });
  });

  it("(8) STS's certificate not trusted: a clear error, and not one IMDS request", async () => {
    const { createFakeJwt } = await testing();
    const token = createFakeJwt();
    await scenario(
      { index: 8, interceptMetadata: false, aws: [imds(), sts({ expectedToken: token })], node: [] },
      async (pod) => {
        const env = {
          AWS_ROLE_ARN: ROLE_ARN,
          AWS_WEB_IDENTITY_TOKEN_FILE: pod.file(IRSA_TOKEN_FILE, token),
          AWS_REGION: REGION,
          AWS_DEFAULT_REGION: REGION,
          AWS_STS_REGIONAL_ENDPOINTS: "regional",
        };
        const run = await pod.pod(env, ["pod.mjs", "chain"]);
        const reports = await pod.reports();
        const why = summarize(reports, pod.runs);
        expect(run.result, why).toMatchObject({ ok: false, name: "CredentialSourceError" });
        // It names the call, the role and the TLS failure (its host and a TLS-specific fix are missing: see the
        // pod-network section of docs/testing.md).
        expect(String(run.result?.message), why).toContain(`AssumeRoleWithWebIdentity for ${ROLE_ARN}`);
        expect(String(run.result?.message), why).toContain("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
        expect(String(run.result?.message), why).toMatch(/certificate/i);
        expect(String(run.result?.message), why).toContain("NODE_EXTRA_CA_CERTS");
        expect(reports.sts?.requests.length, why).toBe(0);
        expect(
          reports.sts?.connections.some((connection) => connection.tlsError !== undefined),
          why,
        ).toBe(true);
        expect(reports.imds?.requests.length, why).toBe(0);
        await show(pod, "(8) STS certificate not trusted", run, env);
        return { reports, tokens: [token] };
      },
    );
  });

  it("(9) the node's credentials, opted in: IMDSv2, with the warning", async () => {
    await scenario({ index: 9, interceptMetadata: false, aws: [imds()], node: [] }, async (pod) => {
      const env = { ...trustTestCa(), AWS_REGION: REGION, POD_CREDENTIALS_ALLOW_NODE: "true" };
      const run = await pod.pod(env, ["pod.mjs", "chain"]);
      const reports = await pod.reports();
      const why = summarize(reports, pod.runs);
      expect(run.result, why).toMatchObject({ ok: true, describe: { source: "instanceProfile", roleName: NODE_ROLE } });
      expect(run.result?.accessKeyId, why).toBe(reports.imds?.credentials.accessKeyId);
      const requests = reports.imds?.requests ?? [];
      expect(paths(reports.imds), why).toEqual([
        `PUT ${TOKEN_PATH}`,
        `GET ${CREDENTIALS_LISTING}`,
        `GET ${NODE_CREDENTIALS}`,
      ]);
      expect(
        requests.slice(1).every((request) => request.headers["x-aws-ec2-metadata-token"] !== undefined),
        why,
      ).toBe(true);
      expect(`${run.stdout}${run.stderr}`, why).toContain("every pod on this node shares these credentials");
      await show(pod, "(9) node opt-in", run, env);
      return { reports };
    });
  });

  it("(10) the node's credentials behind the TTL-1 hop, IMDSv1 allowed: one token timeout per process", async () => {
    await scenario({ index: 10, interceptMetadata: false, aws: [imds({}, true)], node: [] }, async (pod) => {
      const env = { ...trustTestCa(), AWS_REGION: REGION, POD_CREDENTIALS_ALLOW_NODE: "true" };
      const run = await pod.pod(env, ["pod.mjs", "chain", "--again"]);
      const reports = await pod.reports();
      const why = summarize(reports, pod.runs);
      expect(run.result, why).toMatchObject({ ok: true, describe: { source: "instanceProfile" }, again: {} });
      const requests = reports.imds?.requests ?? [];
      // The token PUT reached IMDS (its answer, sent with TTL 1, died at the node); the rest went IMDSv1.
      expect(requests.filter((request) => request.path === TOKEN_PATH).length, why).toBe(1);
      expect(paths(reports.imds).filter((path) => path === `GET ${NODE_CREDENTIALS}`).length, why).toBe(2);
      expect(
        requests.every((request) => request.headers["x-aws-ec2-metadata-token"] === undefined),
        why,
      ).toBe(true);
      expect(`${run.stdout}${run.stderr}`.match(/hop limit/g)?.length, why).toBeGreaterThanOrEqual(1);
      expect(`${run.stdout}${run.stderr}`.match(/using IMDSv1 for the rest of this process/g)?.length, why).toBe(1);
      await show(pod, "(10) node opt-in behind the hop limit, IMDSv1 allowed", run, env);
      return { reports };
    });
  });

  it("(11) the node's credentials behind the TTL-1 hop, tokens required: an error naming the hop limit", async () => {
    await scenario(
      { index: 11, interceptMetadata: false, aws: [imds({ v1Allowed: false }, true)], node: [] },
      async (pod) => {
        const env = { ...trustTestCa(), AWS_REGION: REGION, POD_CREDENTIALS_ALLOW_NODE: "true" };
        const run = await pod.pod(env, ["pod.mjs", "chain"]);
        const reports = await pod.reports();
        const why = summarize(reports, pod.runs);
        expect(run.result, why).toMatchObject({ ok: false, name: "CredentialSourceError" });
        expect(String(run.result?.message), why).toMatch(/hop limit/);
        expect(String(run.result?.message), why).toContain("requires IMDSv2");
        expect(paths(reports.imds).filter((path) => path === `PUT ${TOKEN_PATH}`).length, why).toBe(1);
        expect(paths(reports.imds), why).not.toContain(`GET ${NODE_CREDENTIALS}`);
        await show(pod, "(11) node opt-in behind the hop limit, tokens required", run, env);
        return { reports };
      },
    );
  });

  it("(12) AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6: the node's credentials from [fd00:ec2::254]", async () => {
    await scenario({ index: 12, interceptMetadata: false, aws: [imds()], node: [] }, async (pod) => {
      const env = {
        ...trustTestCa(),
        AWS_REGION: REGION,
        POD_CREDENTIALS_ALLOW_NODE: "true",
        AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv6",
      };
      const run = await pod.pod(env, ["pod.mjs", "chain"]);
      const reports = await pod.reports();
      const why = summarize(reports, pod.runs);
      expect(run.result, why).toMatchObject({ ok: true, describe: { source: "instanceProfile" } });
      expect(paths(reports.imds), why).toEqual([
        `PUT ${TOKEN_PATH}`,
        `GET ${CREDENTIALS_LISTING}`,
        `GET ${NODE_CREDENTIALS}`,
      ]);
      const connections = reports.imds?.connections ?? [];
      expect(connections.length, why).toBeGreaterThan(0);
      expect(
        connections.every(
          ({ remoteAddress, localAddress }) => remoteAddress === ADDRESS.podV6 && localAddress === ADDRESS.imdsV6,
        ),
        why,
      ).toBe(true);
      await show(pod, "(12) IPv6 endpoint mode, node opt-in", run, env);
      return { reports };
    });
  });

  it.each([
    { label: "(13a) behind kube2iam", index: 13, interceptMetadata: true, exitCode: 0 },
    { label: "(13b) facing the real IMDS", index: 14, interceptMetadata: false, exitCode: 2 },
  ])(
    "$label: `pod-credentials doctor --json` exits $exitCode",
    async ({ label, index, interceptMetadata, exitCode }) => {
      const node = interceptMetadata ? [metadataProxy("kube2iam")] : [];
      await scenario({ index, interceptMetadata, aws: [imds()], node }, async (pod) => {
        const env = { ...trustTestCa(), AWS_REGION: REGION, POD_CREDENTIALS_ROLE: ROLE };
        const run = await pod.pod(env, ["node_modules/pod-credentials/dist/esm/cli/main.js", "doctor", "--json"]);
        const reports = await pod.reports();
        const why = summarize(reports, pod.runs);
        expect(run.exitCode, why).toBe(exitCode);
        expect(run.result, why).toBeDefined();
        if (interceptMetadata) {
          expect(JSON.stringify(run.result), why).toContain("kube2iam");
          expect(paths(reports.imds), why).not.toContain(`GET ${NODE_CREDENTIALS}`);
        }
        console.log(`${label}: doctor --json exit ${run.exitCode} after ${run.durationMs} ms`);
        return { reports };
      });
    },
  );
});
