import { describe, expect, it } from "vitest";
import type { DoctorReport } from "../../src/doctor/doctorReport.js";
import { runDoctor, waitForChain } from "../../src/doctor/runDoctor.js";
import { fakeImds, fakeKube2iam, fakePodIdentityAgent, fakeSts, hangResponse } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { findLeaks, recordOutput } from "../support/leakCheck.js";
import { serve, unusedLoopbackUrl } from "./servers.js";

const doctor = async (
  env: Record<string, string>,
  options: Partial<Parameters<typeof runDoctor>[0]> = {},
): Promise<DoctorReport> => {
  const report = await runDoctor({ env, version: "0.0.0-test", ...options });
  recordOutput(report);
  recordOutput(JSON.stringify(report));
  return report;
};

/** The doctor with nothing listening at the metadata endpoint, so that no test reaches 169.254.169.254. */
const doctorOffline = async (env: Record<string, string>, options: Partial<Parameters<typeof runDoctor>[0]> = {}) =>
  doctor({ ...env, AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedLoopbackUrl() }, options);

const sourceOf = (report: DoctorReport, name: string) => report.sources.find((source) => source.source === name);

const irsa = async () => {
  const token = secretToken();
  const tokenFile = await temporaryFile("token", token);
  const issued = secretCredentials("IRSA");
  const sts = fakeSts({ credentials: issued, expectedToken: token });
  await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);
  return { token, issued, sts, env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN } };
};

describe("the doctor's report", () => {
  it("examines every source on its own, even after the one the chain uses, and says what the chain does", async () => {
    const { env, issued, token } = await irsa();
    const node = fakeImds({ roleName: "eks-node-role", credentials: secretCredentials("NODE") });
    const report = await doctor({ ...env, AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(node) });

    expect(report).toMatchObject({
      schemaVersion: 1,
      verdict: "podCredentials",
      exitCode: 0,
      verification: null,
      wait: null,
    });
    expect(report.chain).toMatchObject({
      status: "resolved",
      source: "webIdentity",
      configuredBy: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN",
      credentials: {
        accessKeyId: `…${issued.accessKeyId.slice(-4)}`,
        roleArn: ORDERS_ROLE_ARN,
        accountId: "123456789012",
      },
    });
    expect(report.sources.map((source) => [source.source, source.chainPosition, source.status])).toEqual([
      ["webIdentity", 1, "ok"],
      ["podIdentity", 2, "absent"],
      ["kube2iam", 3, "absent"],
      ["instanceProfile", 4, "ok"],
      ["env", null, "absent"],
      ["sharedConfig", null, "absent"],
    ]);
    expect(sourceOf(report, "instanceProfile")).toMatchObject({
      nodeCredentials: true,
      credentials: { roleName: "eks-node-role" },
    });
    expect(report.metadataEndpoint).toMatchObject({ kind: "ec2Imds", offeredRole: "eks-node-role" });
    expect(report.files[0]).toMatchObject({
      purpose: "webIdentityToken",
      exists: true,
      token: { audience: ["sts.amazonaws.com"], expired: false },
    });
    const text = JSON.stringify(report);
    expect(
      findLeaks(
        [text],
        [token, issued.secretAccessKey, issued.sessionToken, issued.accessKeyId, node.credentials.secretAccessKey],
      ),
    ).toEqual([]);
  });

  it("says only the node's credentials are on offer when nothing is configured behind the real IMDS", async () => {
    const report = await doctor({
      AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(
        fakeImds({ roleName: "eks-node-role", credentials: secretCredentials("NODE") }),
      ),
    });
    expect(report).toMatchObject({
      verdict: "nodeCredentialsOnly",
      exitCode: 2,
      chain: { status: "failed", error: { name: "NoPodCredentialsError" } },
    });
    expect(report.summary).toContain("real EC2 IMDS and offers the node's role eks-node-role");
  });

  it("counts the node's role as exit 2 even when node credentials are allowed", async () => {
    const report = await doctor({
      POD_CREDENTIALS_ALLOW_NODE: "true",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(fakeImds({ credentials: secretCredentials("NODE") })),
    });
    expect(report).toMatchObject({
      verdict: "nodeCredentialsOnly",
      exitCode: 2,
      chain: { status: "resolved", source: "instanceProfile" },
    });
    expect(
      report.chain.log.some((line) => line.level === "warn" && line.message.includes("every pod on this node shares")),
    ).toBe(true);
  });

  it("calls a refused node role what it is when the pod declares a role but nothing intercepts the metadata service", async () => {
    const report = await doctor({
      POD_CREDENTIALS_ROLE: "orders-reader",
      POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "0",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(fakeImds({ credentials: secretCredentials("NODE") })),
    });
    expect(report).toMatchObject({
      verdict: "nodeCredentialsOnly",
      exitCode: 2,
      chain: { error: { name: "NodeCredentialsRefusedError", source: "kube2iam" } },
    });
    expect(sourceOf(report, "kube2iam")).toMatchObject({
      status: "failed",
      configuredBy: "POD_CREDENTIALS_ROLE",
      error: { name: "NodeCredentialsRefusedError" },
    });
  });

  it("points at the missing declaration when kube2iam offers a role the pod does not declare", async () => {
    const proxy = fakeKube2iam({
      podRole: "orders-reader",
      credentials: secretCredentials("KUBE2IAM"),
      upstream: fakeImds().handler,
    });
    const report = await doctor({ AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(proxy) });
    expect(report).toMatchObject({
      verdict: "notConfigured",
      exitCode: 2,
      metadataEndpoint: { kind: "kube2iam", offeredRole: "orders-reader" },
    });
    expect(report.summary).toContain("offers the role orders-reader to this pod: declare it");
  });

  it("reports nothing configured when no metadata service answers", async () => {
    const report = await doctorOffline({});
    expect(report).toMatchObject({ verdict: "notConfigured", exitCode: 2, metadataEndpoint: { kind: "unreachable" } });
    expect(sourceOf(report, "instanceProfile")?.status).toBe("failed");
  });

  it("reports a broken configured source with its fix, and the files it names", async () => {
    const report = await doctorOffline({
      AWS_WEB_IDENTITY_TOKEN_FILE: "/nonexistent/token",
      AWS_ROLE_ARN: ORDERS_ROLE_ARN,
    });
    expect(report).toMatchObject({
      verdict: "failed",
      exitCode: 2,
      chain: { error: { name: "CredentialSourceError", source: "webIdentity" } },
    });
    expect(report.chain.error?.fix).toMatch(/Mount the volume/);
    expect(report.files[0]).toMatchObject({ purpose: "webIdentityToken", path: "/nonexistent/token", exists: false });
  });

  it("reports an invalid configuration as a failure, and still examines the sources", async () => {
    const report = await doctorOffline({
      POD_CREDENTIALS_SOURCES: "webIdentity,imds",
    });
    expect(report).toMatchObject({
      verdict: "failed",
      configuration: { sources: null, error: { name: "InvalidConfigurationError" } },
      chain: { error: { name: "InvalidConfigurationError" } },
    });
    expect(report.sources).toHaveLength(6);
  });

  it("reports an invalid POD_CREDENTIALS_LOG_LEVEL, which an application's default logger would refuse", async () => {
    const report = await doctorOffline({
      POD_CREDENTIALS_LOG_LEVEL: "verbose",
    });
    expect(report).toMatchObject({
      verdict: "failed",
      exitCode: 2,
      configuration: { error: { name: "InvalidConfigurationError" } },
    });
    expect(report.summary).toContain('POD_CREDENTIALS_LOG_LEVEL: unknown log level "verbose".');
  });

  it("shows variables by name and never the value of a secret one", async () => {
    const keys = secretCredentials("STATIC");
    const agentToken = secretToken();
    const report = await doctorOffline({
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_SESSION_TOKEN: keys.sessionToken,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: agentToken,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${await serve(fakePodIdentityAgent({ credentials: secretCredentials("PODID") }))}/v1/credentials?secret=x`,
      POD_CREDENTIALS_SOURCES: "podIdentity,env",
    });
    const values = Object.fromEntries(report.environment.map(({ name, value }) => [name, value]));
    expect(values).toMatchObject({
      AWS_ACCESS_KEY_ID: `…${keys.accessKeyId.slice(-4)}`,
      AWS_SECRET_ACCESS_KEY: null,
      AWS_SESSION_TOKEN: null,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: null,
    });
    expect(values.AWS_CONTAINER_CREDENTIALS_FULL_URI).toMatch(/\/v1\/credentials$/);
    expect(report).toMatchObject({ verdict: "podCredentials", chain: { source: "podIdentity" } });
    expect(sourceOf(report, "env")).toMatchObject({
      status: "ok",
      credentials: { accessKeyId: `…${keys.accessKeyId.slice(-4)}`, expiration: null },
    });
    expect(
      findLeaks([JSON.stringify(report)], [keys.accessKeyId, keys.secretAccessKey, keys.sessionToken, agentToken]),
    ).toEqual([]);
  });

  it("verifies the chain's credentials with STS GetCallerIdentity", async () => {
    const { env, sts } = await irsa();
    const report = await doctorOffline(env, { verify: true });
    expect(report.verification).toMatchObject({
      status: "ok",
      region: "us-east-1",
      arn: expect.stringMatching(/^arn:aws:sts::123456789012:assumed-role\/orders-reader\//),
      matchesChainRole: true,
    });
    expect(sts.calls.map((call) => call.action)).toContain("GetCallerIdentity");
    expect(report.exitCode).toBe(0);
  });
});

describe("what the doctor reads from its options and the environment", () => {
  it.each([
    [{ region: "eu-west-1" }, { AWS_REGION: "ap-south-1" }, "eu-west-1", "--region"],
    [{ region: " " }, { AWS_REGION: " ap-south-1 " }, "ap-south-1", "AWS_REGION"],
    [{}, {}, "us-east-1", "the default"],
  ])(
    "takes the STS region from --region, else AWS_REGION, else us-east-1: %j %j",
    async (options, env, region, from) => {
      const report = await doctorOffline(env, { ...options, verify: true });
      expect(report.configuration).toMatchObject({ region, regionFrom: from });
      // Nothing resolves, so --verify has no credentials to check: it says so, and names the endpoint it would call.
      expect(report.verification).toEqual({
        status: "skipped",
        region,
        endpoint: `https://sts.${region}.amazonaws.com/`,
        arn: null,
        account: null,
        userId: null,
        matchesChainRole: null,
        error: null,
        elapsedMs: 0,
      });
      expect(report.exitCode).toBe(2);
    },
  );

  it("reports an invalid metadata endpoint setting without probing anything", async () => {
    const report = await doctor({ AWS_EC2_METADATA_SERVICE_ENDPOINT: "ftp://169.254.169.254" });
    expect(report.metadataEndpoint).toMatchObject({ kind: "invalid", url: null, from: null, kiamPing: false });
    expect(report.metadataEndpoint.error).toMatch(
      /^InvalidConfigurationError: .*AWS_EC2_METADATA_SERVICE_ENDPOINT.* is not an http\(s\) URL\.$/,
    );
    expect(report).toMatchObject({
      verdict: "failed",
      configuration: { error: { name: "InvalidConfigurationError" } },
    });
  });

  it("probes the metadata endpoint with the chain's per-request deadline, POD_CREDENTIALS_TIMEOUT_MS", async () => {
    const report = await doctor({
      POD_CREDENTIALS_TIMEOUT_MS: "150",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(async () => hangResponse()),
    });
    expect(report.metadataEndpoint.kind).toBe("unreachable");
    expect(report.metadataEndpoint.elapsedMs).toBeGreaterThanOrEqual(140);
    expect(report.metadataEndpoint.error).toContain("within 150 ms");
  });

  it("probes with the default deadline of 1 s when POD_CREDENTIALS_TIMEOUT_MS is invalid, and reports the setting", async () => {
    const report = await doctor({
      POD_CREDENTIALS_TIMEOUT_MS: "soon",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(async () => hangResponse()),
    });
    expect(report.configuration.error?.message).toContain("POD_CREDENTIALS_TIMEOUT_MS");
    expect(report.metadataEndpoint.kind).toBe("unreachable");
    expect(report.metadataEndpoint.elapsedMs).toBeGreaterThanOrEqual(950);
  });

  it("reports credentials that arrive already expired as a failure of that source", async () => {
    const agentToken = secretToken();
    const agent = fakePodIdentityAgent({
      credentials: secretCredentials("PODID"),
      expiration: new Date(Date.now() - 60_000),
    });
    const report = await doctorOffline({
      POD_CREDENTIALS_SOURCES: "podIdentity",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${await serve(agent)}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: await temporaryFile("token", agentToken),
    });
    expect(sourceOf(report, "podIdentity")).toMatchObject({
      status: "failed",
      configuredBy: expect.stringContaining("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
      credentials: null,
      error: {
        name: "CredentialSourceError",
        message: expect.stringMatching(
          /^\[podIdentity\] The credentials arrived already expired \(expiration .*\. Fix: /,
        ),
        source: "podIdentity",
        fix: expect.stringContaining("the EKS Pod Identity agent hands out its last credentials, even expired"),
      },
    });
  });
});

describe("waiting for the chain (--wait)", () => {
  it("runs a new chain a second apart until the proxy knows the pod, reporting progress", async () => {
    const proxy = fakeKube2iam({
      podRole: "orders-reader",
      credentials: secretCredentials("KUBE2IAM"),
      upstream: fakeImds().handler,
    });
    proxy.setMode("podNotFound", { times: 2 });
    const progress: string[] = [];
    const { run, wait } = await waitForChain(
      { POD_CREDENTIALS_ROLE: "orders-reader", AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(proxy) },
      { region: "us-east-1", waitSeconds: 10, onProgress: (line) => progress.push(line) },
    );
    recordOutput(progress.join("\n"));
    expect(run.report).toMatchObject({ status: "resolved", source: "kube2iam" });
    expect(wait).toMatchObject({ attempts: 3, resolved: true, seconds: 10 });
    expect(wait.waitedMs).toBeGreaterThanOrEqual(1900);
    expect(progress[1]).toMatch(
      /^pod-credentials doctor: attempt 1: CredentialSourceError: \[kube2iam\] .*does not know this pod yet.*; retrying in 1\.0 s/,
    );
    expect(progress.at(-1)).toMatch(/attempt 3: resolved from kube2iam/);
  });

  it("gives up when the time is up, with the last error", async () => {
    const report = await doctorOffline({ POD_CREDENTIALS_ROLE: "orders-reader" }, { waitSeconds: 0.5 });
    expect(report.wait).toMatchObject({ attempts: 2, resolved: false });
    expect(report).toMatchObject({
      verdict: "failed",
      chain: { error: { name: "CredentialSourceError", source: "kube2iam" } },
    });
  });

  it("does not retry an invalid configuration", async () => {
    const progress: string[] = [];
    const { wait } = await waitForChain(
      { POD_CREDENTIALS_TIMEOUT_MS: "soon" },
      { region: "us-east-1", waitSeconds: 30, onProgress: (line) => progress.push(line) },
    );
    expect(wait).toMatchObject({ attempts: 1, resolved: false });
    expect(progress.at(-1)).toMatch(/InvalidConfigurationError.*giving up/);
  });
});
