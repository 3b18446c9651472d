// Integration scenarios: the BUILT package (dist/) in a child process configured by environment variables alone,
// against loopback fakes, with the facts the child-process tests (`*.process.test.ts`) assert on: the result line and
// no sooner than when it came, whether the process exited by itself and what was still keeping it alive after its
// result, and what each fake received. Every endpoint the child could reach is on 127.0.0.1. Nothing here is timed
// against an upper bound: on a loaded machine a child may take any time to start; timing belongs in the benchmarks.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ExpectStatic, test } from "vitest";
import {
  createFakeCredentials,
  createFakeJwt,
  type FakeCredentials,
  type FakeHandler,
  type FakeImdsOptions,
  type FakeKiamOptions,
  type FakeKube2iamOptions,
  type FakePodIdentityAgentOptions,
  type FakeServer,
  type FakeStsOptions,
  fakeImds,
  fakeKiam,
  fakeKube2iam,
  fakePodIdentityAgent,
  fakeSts,
  type LoopbackServer,
  startLoopbackServer,
} from "../../src/testing/index.js";
import { recordOutput, registerSecrets } from "./leakCheck.js";

const POD_SCRIPT = join(import.meta.dirname, "podProcess.mjs");

/**
 * How long a pod process may live before it is killed and reported as `killed: true` (the test then fails with "did
 * not exit by itself"). A liveness guard, not a speed claim: far beyond any deadline a test configures, and below the
 * test timeout (vitest.config.ts, 15 s) so the failure names the pod rather than the test's timeout.
 */
export const KILL_AFTER_MS = 12_000;

/** The chain without the Pod Identity source: the agent URL stays set (to a tripwire) but is not consulted. */
export const WITHOUT_POD_IDENTITY = "webIdentity,kube2iam,instanceProfile";

export const ACCOUNT_ID = "123456789012";
export const ORDERS_ROLE = "orders-reader";
export const ORDERS_ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/${ORDERS_ROLE}`;
export const LISTING_PATH = "/latest/meta-data/iam/security-credentials/";
export const TOKEN_PATH = "/latest/api/token";
export const AGENT_PATH = "/v1/credentials";

/** What one pod process did. */
export interface PodOutcome {
  /** The process's exit code; `null` when it had to be killed (it did not exit by itself). */
  readonly exitCode: number | null;
  /** The signal that killed it, when it had to be killed. */
  readonly killed: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON line the pod printed: `{ ok, source, accessKeyId }` or `{ ok: false, name, message }`. */
  readonly result: { ok: boolean; name?: string; message?: string; source?: string; accessKeyId?: string };
  /**
   * Milliseconds from spawning the child to its result line (start-up plus one resolution): a lower bound on the
   * waits the pod made, never an upper bound on its speed.
   */
  readonly resultAtMs: number;
  /**
   * What still kept the process alive two turns of its event loop after its result line (`process
   * getActiveResourcesInfo()`, without the standard streams): `[]` when the process ends once its resolution has
   * settled; a `TCPSocketWrap` or `Timeout` is a request or a timer left running. `undefined` when the pod did not get
   * that far (it was killed, or crashed).
   */
  readonly aliveAfterResult: readonly string[] | undefined;
}

/** A loopback server and the requests it received, as `METHOD path`. A tripwire answers 599 to anything. */
export interface RecordingServer {
  readonly url: string;
  readonly requests: readonly string[];
}

/** Secrets of fakes, written where a leak would be visible. */
export interface Secrets {
  credentials(prefix: string): FakeCredentials;
  jwt(options?: Parameters<typeof createFakeJwt>[0]): string;
  /** Any other value that must never appear in the child's output (a password in a URL). */
  add(...values: string[]): void;
}

const LEAK_MIN_LENGTH = 8;

/**
 * One test's world: loopback servers, temporary files, tripwires for every endpoint the test does not use, and the
 * pod process. `close()` stops everything it started; pass it to the test's `onTestFinished`.
 */
export class PodScenario {
  readonly #servers: LoopbackServer[] = [];
  readonly #plainServers: Array<() => Promise<void>> = [];
  readonly #children = new Set<ChildProcess>();
  readonly #folders: string[] = [];
  readonly #secrets: string[] = [];
  #tripwires: { imds: RecordingServer; sts: RecordingServer; agent: RecordingServer } | undefined;

  readonly secrets: Secrets = {
    credentials: (prefix) => {
      const credentials = createFakeCredentials(prefix);
      this.secrets.add(credentials.secretAccessKey, credentials.sessionToken);
      return credentials;
    },
    jwt: (options = {}) => {
      const token = createFakeJwt(options);
      this.secrets.add(token);
      return token;
    },
    add: (...values) => {
      for (const value of values) {
        if (value.length >= LEAK_MIN_LENGTH) this.#secrets.push(value);
      }
      registerSecrets(...values);
    },
  };

  /** Serves a fake's handler on a loopback port. */
  async serve(handler: FakeHandler): Promise<LoopbackServer> {
    const server = await startLoopbackServer(handler);
    this.#servers.push(server);
    return server;
  }

  /**
   * A plain `node:http` server for answers the fakes' adapter cannot give (a body streamed without Content-Length).
   * Its requests are recorded as `METHOD path`.
   */
  async servePlain(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<RecordingServer> {
    const requests: string[] = [];
    const sockets = new Set<Socket>();
    const server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      handle(request, response);
    });
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.#plainServers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        }),
    );
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
  }

  /** Loopback stand-ins for IMDS, STS and the Pod Identity agent, for the endpoints a test does not configure. */
  async tripwires(): Promise<{ imds: RecordingServer; sts: RecordingServer; agent: RecordingServer }> {
    if (!this.#tripwires) {
      const trip = () =>
        this.servePlain((_request, response) => {
          response.writeHead(599, { "Content-Type": "text/plain" });
          response.end("tripwire: this endpoint must not be called\n");
        });
      const [imds, sts, agent] = await Promise.all([trip(), trip(), trip()]);
      this.#tripwires = { imds, sts, agent };
    }
    return this.#tripwires;
  }

  /** Writes a file in a fresh temporary folder and returns its path. */
  async file(name: string, content: string | Buffer): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), "pod-credentials-integration-"));
    this.#folders.push(folder);
    const path = join(folder, name);
    await writeFile(path, content);
    return path;
  }

  /**
   * Runs the pod. Every endpoint variable is set to a loopback address (a tripwire unless `env` names another), the
   * region is fixed, and the child gets only PATH, HOME, NODE_NO_WARNINGS and this environment. Since the agent URL
   * is always set, a test that does not give its own `AWS_CONTAINER_CREDENTIALS_FULL_URI` runs the chain without the
   * Pod Identity source (`POD_CREDENTIALS_SOURCES`, unless it sets that too). A child still alive after `killAfterMs`
   * (a liveness guard, see KILL_AFTER_MS) is killed and reported with `killed: true`.
   */
  async run(env: Record<string, string>, killAfterMs = KILL_AFTER_MS): Promise<PodOutcome> {
    const tripwires = await this.tripwires();
    const childEnv: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/nonexistent",
      NODE_NO_WARNINGS: "1",
      AWS_REGION: "us-east-1",
      ...(env.AWS_CONTAINER_CREDENTIALS_FULL_URI === undefined
        ? { POD_CREDENTIALS_SOURCES: WITHOUT_POD_IDENTITY }
        : {}),
      AWS_EC2_METADATA_SERVICE_ENDPOINT: tripwires.imds.url,
      AWS_ENDPOINT_URL_STS: tripwires.sts.url,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${tripwires.agent.url}${AGENT_PATH}`,
      ...env,
    };
    for (const name of [
      "AWS_EC2_METADATA_SERVICE_ENDPOINT",
      "AWS_ENDPOINT_URL_STS",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ]) {
      const value = childEnv[name] ?? "";
      if (!/^https?:\/\/([^/@]*@)?127\.\d+\.\d+\.\d+(:\d+)?(\/|$)/.test(value)) {
        throw new Error(`${name} must point at a loopback address in a child-process test, not ${value}`);
      }
    }
    const started = performance.now();
    return new Promise<PodOutcome>((resolve) => {
      const child = spawn(process.execPath, [POD_SCRIPT], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
      this.#children.add(child);
      let stdout = "";
      let stderr = "";
      let resultAtMs: number | undefined;
      let killed = false;
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        if (resultAtMs === undefined && /^\{"ok":/m.test(stdout)) resultAtMs = Math.round(performance.now() - started);
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      const killer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, killAfterMs);
      child.once("close", (code) => {
        clearTimeout(killer);
        this.#children.delete(child);
        const closedAtMs = Math.round(performance.now() - started);
        const lines = stdout.split("\n");
        const line = lines.find((candidate) => candidate.startsWith('{"ok":')) ?? "";
        let result: PodOutcome["result"];
        try {
          result = JSON.parse(line) as PodOutcome["result"];
        } catch {
          result = { ok: false, name: "NoJson", message: stdout };
        }
        const aliveLine = lines.find((candidate) => candidate.startsWith('{"aliveAfterResult":'));
        const aliveAfterResult =
          aliveLine === undefined
            ? undefined
            : (JSON.parse(aliveLine) as { aliveAfterResult: string[] }).aliveAfterResult;
        recordOutput(stdout);
        recordOutput(stderr);
        resolve({
          exitCode: killed ? null : code,
          killed,
          stdout,
          stderr,
          result,
          resultAtMs: resultAtMs ?? closedAtMs,
          aliveAfterResult,
        });
      });
    });
  }

  /** The secrets of this scenario that appear in the pod's stdout or stderr (expected: none). */
  leaks(outcome: PodOutcome): string[] {
    const text = `${outcome.stdout}\n${outcome.stderr}`;
    return this.#secrets.filter((secret) => text.includes(secret)).map((secret) => `${secret.slice(0, 6)}…`);
  }

  /** Requests that reached a tripwire (expected: none). */
  async trippedRequests(): Promise<string[]> {
    const { imds, sts, agent } = await this.tripwires();
    return [
      ...imds.requests.map((request) => `IMDS tripwire: ${request}`),
      ...sts.requests.map((request) => `STS tripwire: ${request}`),
      ...agent.requests.map((request) => `agent tripwire: ${request}`),
    ];
  }

  /** Kills any child still running, stops every server, removes the temporary files. */
  async close(): Promise<void> {
    for (const child of this.#children) child.kill("SIGKILL");
    await Promise.all([
      ...this.#servers.map((server) => server.close()),
      ...this.#plainServers.map((close) => close()),
      ...this.#folders.map((folder) => rm(folder, { recursive: true, force: true })),
    ]);
  }
}

/**
 * The checks every child-process test makes after a run: no secret of the scenario in the child's stdout or stderr,
 * and no request to an endpoint the test did not configure.
 */
export const expectNothingLeaked = async (
  expect: ExpectStatic,
  scenario: PodScenario,
  outcome: PodOutcome,
): Promise<void> => {
  expect(scenario.leaks(outcome), "secrets of the fakes in the pod's stdout or stderr").toEqual([]);
  expect(await scenario.trippedRequests(), "requests to endpoints the test did not configure").toEqual([]);
};

/** A test whose context holds a fresh `pod` scenario, closed when the test finishes. */
export const podTest = test.extend<{ pod: PodScenario }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern: none.
  pod: async ({}, use) => {
    const pod = new PodScenario();
    try {
      await use(pod);
    } finally {
      await pod.close();
    }
  },
});

/** A scenario closed when the test finishes. */
export const podScenario = (onTestFinished: (cleanUp: () => Promise<void>) => void): PodScenario => {
  const scenario = new PodScenario();
  onTestFinished(() => scenario.close());
  return scenario;
};

// Pods wired to one fake source each: the fake, its server, and the environment that points the pod at it. A test
// adds its timeouts (and any override) to `env` when it runs the pod.

/** A pod that declares ORDERS_ROLE, behind kube2iam; `node` is the IMDS upstream kube2iam proxies to. */
export const kube2iamPod = async (pod: PodScenario, options: FakeKube2iamOptions = {}) => {
  const node = fakeImds({ credentials: pod.secrets.credentials("NODE") });
  const proxy = fakeKube2iam({
    podRole: ORDERS_ROLE,
    credentials: pod.secrets.credentials("KUBE2IAM"),
    upstream: node.handler,
    ...options,
  });
  const server = await pod.serve(proxy.handler);
  return {
    proxy,
    node,
    server,
    env: { POD_CREDENTIALS_ROLE: ORDERS_ROLE, AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url },
  };
};

/** A pod that declares ORDERS_ROLE, behind kiam, which knows the pod's role as ORDERS_ROLE_ARN. */
export const kiamPod = async (pod: PodScenario, options: FakeKiamOptions = {}) => {
  const proxy = fakeKiam({ podRole: ORDERS_ROLE_ARN, credentials: pod.secrets.credentials("KIAM"), ...options });
  const server = await pod.serve(proxy.handler);
  return { proxy, server, env: { POD_CREDENTIALS_ROLE: ORDERS_ROLE, AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url } };
};

/**
 * A pod with an EKS Pod Identity association: the agent expects `token`, and the pod's token file holds
 * `tokenFileContent` (by default, that token).
 */
export const agentPod = async (
  pod: PodScenario,
  options: FakePodIdentityAgentOptions = {},
  tokenFileContent?: string,
) => {
  const token = pod.secrets.jwt();
  const agent = fakePodIdentityAgent({
    expectedToken: token,
    credentials: pod.secrets.credentials("PODID"),
    ...options,
  });
  const server = await pod.serve(agent.handler);
  const url = `${server.url}${AGENT_PATH}`;
  return {
    agent,
    token,
    url,
    env: {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: await pod.file("eks-pod-identity-token", tokenFileContent ?? token),
    },
  };
};

/** A pod allowed the node's instance profile (role `eks-node-role`), with EC2 IMDS as its metadata endpoint. */
export const imdsPod = async (pod: PodScenario, options: FakeImdsOptions = {}) => {
  const imds = fakeImds({ roleName: "eks-node-role", credentials: pod.secrets.credentials("NODE"), ...options });
  const server = await pod.serve(imds.handler);
  return { imds, server, env: { POD_CREDENTIALS_ALLOW_NODE: "true", AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url } };
};

/**
 * A pod with IRSA for ORDERS_ROLE_ARN, against a fake STS: its web-identity token file holds `tokenFileContent` (by
 * default, a fresh `token`).
 */
export const irsaPod = async (pod: PodScenario, options: FakeStsOptions = {}, tokenFileContent?: string) => {
  const token = pod.secrets.jwt();
  const sts = fakeSts({ credentials: pod.secrets.credentials("STS"), ...options });
  const server = await pod.serve(sts.handler);
  const tokenFile = await pod.file("token", tokenFileContent ?? token);
  return {
    sts,
    token,
    tokenFile,
    env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN, AWS_ENDPOINT_URL_STS: server.url },
  };
};

/** A pod wired to one source whose answer is a credentials document, as the child-process tests break it. */
export interface CredentialsEndpoint {
  readonly env: Record<string, string>;
  /** The fake that answers the credentials document (a test injects its fault there). */
  readonly fake: FakeServer<object> & { readonly credentials: FakeCredentials };
  /** The URL that answers the credentials document: every error about that answer names it. */
  readonly credentialsUrl: string;
  readonly credentialsPath: string;
  /** The requests a resolution makes, as `METHOD path`, when every answer is final. */
  readonly expectedRequests: readonly string[];
  /**
   * Every request the pod's fakes received, as `METHOD path`: for kube2iam, the node's IMDS behind it too (which the
   * pod must never reach).
   */
  readonly requests: () => string[];
}

const lines = (requests: readonly { method: string; path: string }[]): string[] =>
  requests.map((request) => `${request.method} ${request.path}`);

const behindProxy = (
  proxy: CredentialsEndpoint["fake"],
  server: { url: string },
  env: Record<string, string>,
  credentialsPath: string,
  requests: () => string[],
): CredentialsEndpoint => ({
  env,
  fake: proxy,
  credentialsUrl: `${server.url}${credentialsPath}`,
  credentialsPath,
  expectedRequests: [`GET ${LISTING_PATH}`, `GET ${credentialsPath}`],
  requests,
});

const ENDPOINTS = {
  "EC2 IMDS (node credentials allowed)": async (pod) => {
    const { imds, server, env } = await imdsPod(pod);
    const credentialsPath = `${LISTING_PATH}eks-node-role`;
    return {
      env,
      fake: imds,
      credentialsUrl: `${server.url}${credentialsPath}`,
      credentialsPath,
      expectedRequests: [`PUT ${TOKEN_PATH}`, `GET ${LISTING_PATH}`, `GET ${credentialsPath}`],
      requests: () => lines(imds.requests),
    };
  },
  kube2iam: async (pod) => {
    const { proxy, node, server, env } = await kube2iamPod(pod);
    return behindProxy(proxy, server, env, `${LISTING_PATH}${ORDERS_ROLE}`, () =>
      lines([...proxy.requests, ...node.requests]),
    );
  },
  kiam: async (pod) => {
    const { proxy, server, env } = await kiamPod(pod, { podRole: ORDERS_ROLE });
    return behindProxy(proxy, server, env, `${LISTING_PATH}${ORDERS_ROLE}`, () => lines(proxy.requests));
  },
  "the Pod Identity agent": async (pod) => {
    const { agent, url, env } = await agentPod(pod);
    return {
      env,
      fake: agent,
      credentialsUrl: url,
      credentialsPath: AGENT_PATH,
      expectedRequests: [`GET ${AGENT_PATH}`],
      requests: () => lines(agent.requests),
    };
  },
} satisfies Record<string, (pod: PodScenario) => Promise<CredentialsEndpoint>>;

/** The name a test shows for a source that fetches a credentials document over HTTP. */
export type CredentialsEndpointName = keyof typeof ENDPOINTS;

/** Every source that fetches a credentials document over HTTP: EC2 IMDS, kube2iam, kiam, the Pod Identity agent. */
export const CREDENTIALS_ENDPOINTS = Object.keys(ENDPOINTS) as CredentialsEndpointName[];

/** A pod wired to the source `name`, whose credentials document a test is about to break. */
export const credentialsEndpoint = (pod: PodScenario, name: CredentialsEndpointName): Promise<CredentialsEndpoint> =>
  ENDPOINTS[name](pod);
