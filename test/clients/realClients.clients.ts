// Real AWS clients nobody here wrote (the AWS CLI v1, the AWS CLI v2, boto3) sign `sts get-caller-identity` with
// the credentials our built commands hand out, through a `credential_process` profile and through `serve`, for an
// IRSA, an EKS Pod Identity and a kube2iam pod. The fake STS verifies each signature against the credentials the
// fakes handed out, answers as the role they belong to, and records which access key signed the call: it must be the
// one our command handed out.
//
// `npm run test:clients` (its own config: these runs take seconds each, so `npm test` does not run them).
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createFakeCredentials,
  createFakeJwt,
  type FakeSts,
  fakeImds,
  fakeKube2iam,
  fakePodIdentityAgent,
  fakeSts,
  startLoopbackServer,
} from "../../src/testing/index.js";
import { CLIENTS, type Client, callerIdentity } from "./clients.js";

const CLI = join(import.meta.dirname, "../../dist/esm/cli/main.js");
const ACCOUNT = "123456789012";
const IRSA_ROLE = `arn:aws:iam::${ACCOUNT}:role/orders-irsa`;
const SESSION = "pod-credentials-clients";
/** The role the fake agent and the fake kube2iam serve the pod's credentials for. */
const POD_ROLE = "orders-reader";

for (const absent of CLIENTS.absent) process.stdout.write(`real clients: skipped ${absent}: not installed\n`);

/** A quoted word for /bin/sh. */
const sh = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;

/** One pod: the fakes of its source, the environment our commands get, and the access key they will hand out. */
interface Pod {
  readonly env: Record<string, string>;
  readonly sts: FakeSts;
  readonly stsUrl: string;
  /** The access key our command hands out, known once it has (IRSA issues new keys at each resolution). */
  readonly servedKey: () => string | undefined;
  readonly expectedArn: RegExp;
  close(): Promise<void>;
}

const SOURCES: Record<string, (folder: string) => Promise<Pod>> = {
  "IRSA (fake STS and a token file)": async (folder) => {
    const sts = fakeSts({ expectedRoleArn: IRSA_ROLE });
    const server = await startLoopbackServer(sts.handler);
    const tokenFile = join(folder, "web-identity-token");
    await writeFile(tokenFile, createFakeJwt());
    return {
      env: {
        AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
        AWS_ROLE_ARN: IRSA_ROLE,
        AWS_ROLE_SESSION_NAME: SESSION,
        AWS_ENDPOINT_URL_STS: server.url,
        AWS_REGION: "us-east-1",
      },
      sts,
      stsUrl: server.url,
      servedKey: () => sts.issued.at(-1)?.accessKeyId,
      expectedArn: new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/orders-irsa/${SESSION}$`),
      close: () => server.close(),
    };
  },
  "EKS Pod Identity (fake agent)": async (folder) => {
    const token = createFakeJwt({ claims: { aud: ["pods.eks.amazonaws.com"] } });
    const tokenFile = join(folder, "eks-pod-identity-token");
    await writeFile(tokenFile, token);
    const agent = fakePodIdentityAgent({ credentials: createFakeCredentials("PODID"), expectedToken: token });
    const agentServer = await startLoopbackServer(agent.handler);
    return podServedBy(
      agentServer,
      {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agentServer.url}/v1/credentials`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
      },
      () => agent.credentials.accessKeyId,
    );
  },
  "kube2iam (fake kube2iam in front of a fake IMDS)": async () => {
    const node = fakeImds({ credentials: createFakeCredentials("NODE") });
    const proxy = fakeKube2iam({
      podRole: POD_ROLE,
      credentials: createFakeCredentials("KUBE2IAM"),
      upstream: node.handler,
    });
    const proxyServer = await startLoopbackServer(proxy.handler);
    return podServedBy(
      proxyServer,
      { POD_CREDENTIALS_ROLE: POD_ROLE, AWS_EC2_METADATA_SERVICE_ENDPOINT: proxyServer.url },
      () => proxy.credentials.accessKeyId,
    );
  },
};

/**
 * A pod whose credentials come from the fake served at `source`, with a fake STS that verifies each call's signature
 * against the credentials the fakes handed out and answers as the role the fake served them for (the pod's role).
 */
const podServedBy = async (
  source: { close(): Promise<void> },
  env: Record<string, string>,
  servedKey: () => string | undefined,
): Promise<Pod> => {
  const sts = fakeSts();
  const server = await startLoopbackServer(sts.handler);
  return {
    env,
    sts,
    stsUrl: server.url,
    servedKey,
    expectedArn: new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/${POD_ROLE}/`),
    close: async () => {
      await Promise.all([source.close(), server.close()]);
    },
  };
};

/** The environment of our own commands: the source's settings, nothing of the machine's. */
const commandEnv = (pod: Pod, home: string): Record<string, string> => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: home,
  NODE_NO_WARNINGS: "1",
  // Where nothing answers, unless the source sets it (kube2iam): nothing reaches 169.254.169.254.
  AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:9",
  ...pod.env,
});

/** `serve` as a program, until its ready line; `stop` sends SIGTERM and resolves with its exit code. */
const startServe = async (env: Record<string, string>, tokenFile: string) => {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    [CLI, "serve", "--listen", "127.0.0.1:0", "--token-file", tokenFile],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no ready line within 30 s:\n${stderr}`)), 30_000);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (stdout.includes("\n")) {
        clearTimeout(timer);
        resolve(stdout.split("\n")[0] ?? "");
      }
    });
    exited.then((code) => reject(new Error(`serve exited with ${code} before its ready line:\n${stderr}`)));
  });
  const match = /^AWS_CONTAINER_CREDENTIALS_FULL_URI=(\S+) AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=(\S+)$/.exec(line);
  if (!match) throw new Error(`unexpected ready line: ${line}`);
  return {
    url: match[1] ?? "",
    tokenFile: match[2] ?? "",
    stderr: () => stderr,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
};

describe.each(Object.keys(SOURCES))("real clients, %s", (sourceName) => {
  let folder = "";
  let pod: Pod;
  let serving: Awaited<ReturnType<typeof startServe>> | undefined;
  let servedByServe: string | undefined;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first.`);
    folder = await mkdtemp(join(tmpdir(), "pod-credentials-clients-"));
    const make = SOURCES[sourceName];
    if (!make) throw new Error(`no source ${sourceName}`);
    pod = await make(folder);
    if (CLIENTS.found.length > 0) {
      serving = await startServe(commandEnv(pod, join(folder, "serve-home")), join(folder, "serve-token"));
      servedByServe = pod.servedKey();
    }
  });

  afterAll(async () => {
    const code = await serving?.stop();
    await pod?.close();
    await rm(folder, { recursive: true, force: true });
    if (serving) expect(code, `serve's exit code after SIGTERM\n${serving.stderr()}`).toBe(0);
  });

  /** Runs the client and checks the identity it got and the key that signed its call. */
  const expectCallerIdentity = async (client: Client, env: Record<string, string>, key: () => string | undefined) => {
    const before = pod.sts.calls.length;
    const run = await callerIdentity(client, pod.stsUrl, { HOME: await mkdtemp(join(folder, "home-")), ...env });
    expect(run.exitCode, `${client.name} (${client.version}) failed:\n${run.stderr}`).toBe(0);
    expect(JSON.parse(run.stdout).Arn).toMatch(pod.expectedArn);
    const calls = pod.sts.calls.slice(before).filter((call) => call.action === "GetCallerIdentity");
    expect(calls.map((call) => call.signedWith)).toEqual([key()]);
  };

  it.each(CLIENTS.found.map((client) => [client.name, client] as const))(
    "%s signs with the credentials of a credential_process profile",
    async (_name, client) => {
      const script = join(folder, "credential-process.sh");
      const settings = Object.entries(commandEnv(pod, join(folder, "process-home")));
      const assignments = settings.map(([name, value]) => `${name}=${sh(value)}`).join(" ");
      await writeFile(
        script,
        `#!/bin/sh\nexec env -i ${assignments} ${sh(process.execPath)} ${sh(CLI)} credential-process\n`,
        { mode: 0o755 },
      );
      const config = join(folder, "config");
      await writeFile(config, `[default]\ncredential_process = ${script}\n`);
      await expectCallerIdentity(
        client,
        { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(folder, "no-credentials") },
        pod.servedKey,
      );
    },
  );

  it.each(CLIENTS.found.map((client) => [client.name, client] as const))(
    "%s signs with the credentials serve hands out",
    async (_name, client) => {
      if (!serving) throw new Error("serve did not start");
      // A client too old for the token file gets the token itself, as docs/serving-the-pod.md says to do.
      const token = client.readsTokenFile
        ? { AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: serving.tokenFile }
        : { AWS_CONTAINER_AUTHORIZATION_TOKEN: await readFile(serving.tokenFile, "utf8") };
      await expectCallerIdentity(
        client,
        {
          AWS_CONFIG_FILE: join(folder, "no-config"),
          AWS_SHARED_CREDENTIALS_FILE: join(folder, "no-credentials"),
          AWS_CONTAINER_CREDENTIALS_FULL_URI: serving.url,
          ...token,
        },
        () => servedByServe,
      );
    },
  );
});

describe("real clients on this machine", () => {
  it("include at least one AWS CLI when CI=true", () => {
    const clis = CLIENTS.found.filter((client) => client.name.startsWith("AWS CLI"));
    if (process.env.CI === "true") expect(clis.map((client) => client.name)).not.toEqual([]);
    process.stdout.write(
      `real clients: ${CLIENTS.found.map((client) => `${client.name} ${client.version}${client.honoursEndpointVariable ? "" : " (ignores AWS_ENDPOINT_URL_STS: given --endpoint-url)"}${client.readsTokenFile ? "" : " (ignores AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: given AWS_CONTAINER_AUTHORIZATION_TOKEN)"}`).join("; ") || "none"}\n`,
    );
  });
});
