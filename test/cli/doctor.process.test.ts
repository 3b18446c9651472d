// The built CLI (`node dist/esm/cli/main.js`, as `npx pod-credentials` runs it) in a child process, configured by
// environment variables alone, against loopback fakes. `npm test` builds first.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DoctorReport } from "../../src/doctor/doctorReport.js";
import type { FakeCredentials } from "../../src/testing/index.js";
import {
  createFakeJwt,
  fakeImds,
  fakeKiam,
  fakeKube2iam,
  fakePodIdentityAgent,
  fakeSts,
} from "../../src/testing/index.js";
import { serve, unusedLoopbackUrl } from "../doctor/servers.js";
import { ORDERS_ROLE_ARN, secretCredentials, temporaryFile } from "../support/fakes.js";
import { findLeaks } from "../support/leakCheck.js";

// Where nothing should answer, the metadata endpoint is unusedLoopbackUrl(), so that nothing reaches 169.254.169.254.
const CLI = join(import.meta.dirname, "../../dist/esm/cli/main.js");

interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

let home = "";
/** Every secret a fake of the current test can hand out or read: none may appear in any output. */
let secrets: string[] = [];

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does).`);
  home = await mkdtemp(join(tmpdir(), "pod-credentials-cli-home-"));
});

afterEach(() => {
  secrets = [];
});

const watch = (...values: (FakeCredentials | string)[]): void => {
  for (const value of values) {
    if (typeof value === "string") secrets.push(value);
    else secrets.push(value.accessKeyId, value.secretAccessKey, value.sessionToken);
  }
};

const credentialsFor = (prefix: string): FakeCredentials => {
  const credentials = secretCredentials(prefix);
  watch(credentials);
  return credentials;
};

const runCli = async (args: readonly string[], env: Record<string, string>): Promise<CliRun> => {
  const started = Date.now();
  const run = await new Promise<CliRun>((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: home, NODE_NO_WARNINGS: "1", ...env }, timeout: 15_000 },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ exitCode, stdout, stderr, elapsedMs: Date.now() - started });
      },
    );
  });
  // No secret of any fake, and no full access key id, in either stream.
  expect(findLeaks([run.stdout, run.stderr], secrets)).toEqual([]);
  return run;
};

const json = (run: CliRun): DoctorReport => JSON.parse(run.stdout) as DoctorReport;

const irsa = async (options: { verify?: boolean } = {}) => {
  const token = createFakeJwt();
  watch(token);
  const issued = credentialsFor("IRSA");
  const sts = fakeSts({ credentials: issued, expectedToken: token });
  const env = {
    AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", token),
    AWS_ROLE_ARN: ORDERS_ROLE_ARN,
    AWS_ENDPOINT_URL_STS: await serve(sts.handler),
    AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedLoopbackUrl(),
  };
  return { env, issued, sts, args: options.verify ? ["doctor", "--verify"] : ["doctor"] };
};

const kube2iam = async () => {
  const node = fakeImds({ credentials: credentialsFor("NODE") });
  const proxy = fakeKube2iam({
    podRole: "orders-reader",
    credentials: credentialsFor("KUBE2IAM"),
    upstream: node.handler,
  });
  return { proxy, url: await serve(proxy.handler) };
};

describe("pod-credentials doctor, run as a program", () => {
  it("IRSA: exit 0, the chain's source and role, the key's last four characters only", async () => {
    const { env, issued, args } = await irsa();
    const run = await runCli(args, env);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/result\s+resolved from webIdentity/);
    expect(run.stdout).toMatch(new RegExp(`access key\\s+…${issued.accessKeyId.slice(-4)}`));
    expect(run.stdout).toContain("OK: pod-scoped credentials (exit 0)");
    expect(run.stderr).toBe("");
  });

  it("--verify: prints the ARN STS returns for the chain's credentials", async () => {
    const { env, args, sts } = await irsa({ verify: true });
    const run = await runCli(args, env);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/arn\s+arn:aws:sts::123456789012:assumed-role\/orders-reader\/pod-credentials-/);
    expect(run.stdout).toMatch(/matches\s+yes, the chain's role/);
    expect(sts.calls.map((call) => call.action)).toContain("GetCallerIdentity");
  });

  it("kube2iam: verified, exit 0, and identified by /healthz", async () => {
    const { url } = await kube2iam();
    const run = await runCli(["doctor"], {
      POD_CREDENTIALS_ROLE: "orders-reader",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: url,
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/answers\s+kube2iam/);
    expect(run.stdout).toMatch(/result\s+resolved from kube2iam/);
  });

  it("kiam: identified by /ping", async () => {
    const kiam = fakeKiam({ podRole: "orders-reader", credentials: credentialsFor("KIAM") });
    const run = await runCli(["doctor", "--json"], {
      POD_CREDENTIALS_ROLE: "orders-reader",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(kiam.handler),
    });
    expect(run.exitCode).toBe(0);
    expect(json(run)).toMatchObject({
      metadataEndpoint: { kind: "kiam", kiamPing: true },
      chain: { source: "kube2iam" },
    });
  });

  it("the real IMDS only: exit 2, says so, and names the node's role", async () => {
    const imds = fakeImds({ roleName: "eks-node-role", credentials: credentialsFor("NODE") });
    const run = await runCli(["doctor"], { AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(imds.handler) });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toMatch(/answers\s+real EC2 IMDS/);
    expect(run.stdout).toMatch(/offers role\s+eks-node-role \(the node's role\)/);
    expect(run.stdout).toContain("NODE CREDENTIALS ONLY (exit 2)");
  });

  it("a missing token file: exit 2, the error and its fix", async () => {
    const run = await runCli(["doctor"], {
      AWS_WEB_IDENTITY_TOKEN_FILE: join(home, "missing-token"),
      AWS_ROLE_ARN: ORDERS_ROLE_ARN,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedLoopbackUrl(),
    });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toMatch(
      /error\s+CredentialSourceError: \[webIdentity\] The web-identity token file .*missing-token does not exist\./,
    );
    expect(run.stdout).toMatch(/fix\s+Mount the volume/);
  });

  it("nothing configured: exit 2", async () => {
    const run = await runCli(["doctor"], { AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedLoopbackUrl() });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toMatch(/error\s+NoPodCredentialsError/);
    expect(run.stdout).toContain("NOT CONFIGURED (exit 2)");
  });

  it("usage errors: exit 1 with a hint on standard error; --help and --version: exit 0", async () => {
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedLoopbackUrl() };
    const bad = await runCli(["doctor", "--bogus"], env);
    expect(bad).toMatchObject({ exitCode: 1, stdout: "" });
    expect(bad.stderr).toContain("Unknown option '--bogus'");
    expect(bad.stderr).toContain('Run "pod-credentials --help" for usage.');
    const help = await runCli(["--help"], env);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("Exit codes:");
    const version = await runCli(["--version"], env);
    expect(version).toMatchObject({ exitCode: 0, stdout: "0.1.0\n" });
  });

  it("--json: one object with schema version 1", async () => {
    const { env, issued } = await irsa();
    const run = await runCli(["--json"], env);
    const report = json(run);
    expect(run.exitCode).toBe(0);
    expect(report).toMatchObject({
      schemaVersion: 1,
      tool: { name: "pod-credentials", version: "0.1.0" },
      verdict: "podCredentials",
      exitCode: 0,
      configuration: {
        sources: ["webIdentity", "podIdentity", "kube2iam", "instanceProfile"],
        allowNodeCredentials: false,
        region: "us-east-1",
      },
      metadataEndpoint: { kind: "unreachable" },
      chain: {
        status: "resolved",
        source: "webIdentity",
        credentials: {
          accessKeyId: `…${issued.accessKeyId.slice(-4)}`,
          roleArn: ORDERS_ROLE_ARN,
          accountId: "123456789012",
        },
        error: null,
      },
      verification: null,
      wait: null,
    });
    expect(report.sources.map((source) => source.source)).toEqual([
      "webIdentity",
      "podIdentity",
      "kube2iam",
      "instanceProfile",
      "env",
      "sharedConfig",
    ]);
    expect(report.files).toContainEqual(expect.objectContaining({ purpose: "webIdentityToken", exists: true }));
  });

  it("--wait: retries with progress on standard error until kube2iam knows the pod", async () => {
    const { proxy, url } = await kube2iam();
    proxy.setMode("podNotFound", { times: 2 });
    const run = await runCli(["doctor", "--wait", "10", "--json"], {
      POD_CREDENTIALS_ROLE: "orders-reader",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: url,
    });
    expect(run.exitCode).toBe(0);
    expect(json(run)).toMatchObject({ verdict: "podCredentials", wait: { attempts: 3, resolved: true } });
    const progress = run.stderr.trim().split("\n");
    expect(progress[0]).toBe("pod-credentials doctor: waiting up to 10 s for fromPodProviderChain() to resolve");
    expect(progress[1]).toMatch(
      /attempt 1: CredentialSourceError: \[kube2iam\] The metadata proxy .* does not know this pod yet/,
    );
    expect(progress.at(-1)).toMatch(/attempt 3: resolved from kube2iam after \d\.\d s/);
  });

  it("--wait: gives up with exit 2 when the Pod Identity agent keeps refusing", async () => {
    const token = createFakeJwt();
    watch(token);
    const agent = fakePodIdentityAgent({ credentials: credentialsFor("PODID") }).setMode("upstreamError", {
      status: 500,
    });
    const run = await runCli(["doctor", "--wait", "1"], {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${await serve(agent.handler)}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: await temporaryFile("token", token),
      AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedLoopbackUrl(),
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /attempt 2: CredentialSourceError: \[podIdentity\] The credentials endpoint \S+ answered HTTP 500.*giving up/,
    );
    expect(run.stdout).toContain("FAILED (exit 2)");
  });
});
