// Runs a scenario: builds its namespaces, starts the fakes in the node and aws namespaces, runs the packed package in
// the pod namespace, and tears everything down whatever happens. The servers' request logs and the pod's output are
// gathered so that a failing assertion can name them.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { buildPodNetwork, type PodNetwork, podRoutes, removeNamespaces } from "./network.js";

/** What scripts/pod-network/run.mjs prepared for this run. */
export interface SuiteContext {
  readonly runId: string;
  readonly dir: string;
  readonly app: string;
  readonly ca: string;
  readonly stsCert: string;
  readonly stsKey: string;
  readonly stsHosts: readonly string[];
}

export const suiteContext = (): SuiteContext => {
  const runId = process.env.POD_NETWORK_RUN;
  const dir = process.env.POD_NETWORK_DIR;
  if (runId === undefined || dir === undefined)
    throw new Error("The pod network suite runs through `npm run test:pod-network` (scripts/pod-network/run.mjs).");
  return {
    runId,
    dir,
    app: join(dir, "app"),
    ca: join(dir, "tls", "ca.pem"),
    stsCert: join(dir, "tls", "sts.pem"),
    stsKey: join(dir, "tls", "sts-key.pem"),
    stsHosts: (process.env.POD_NETWORK_STS_HOSTS ?? "").split(" ").filter((host) => host !== ""),
  };
};

/** One fake to serve, as test/podNetwork/app/serve.mjs takes it. */
export interface ServerSpec {
  readonly name: string;
  readonly fake: "imds" | "kube2iam" | "kiam" | "podIdentityAgent" | "sts";
  readonly options?: Readonly<Record<string, unknown>>;
  readonly listen: ReadonlyArray<{ host: string; port: number }>;
  /** kube2iam and kiam: where the paths they do not answer go, over the real network. */
  readonly upstream?: string;
  readonly tls?: { cert: string; key: string };
  /** IMDS only: answer token PUTs with IP TTL 1 (test/podNetwork/app/hopLimitRelay.py). */
  readonly hopLimit?: boolean;
}

export interface RequestSeen {
  readonly method: string;
  readonly path: string;
  readonly search: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ConnectionSeen {
  readonly remoteAddress?: string;
  readonly localAddress?: string;
  readonly localPort: number;
  readonly tlsError?: string;
}

export interface ServerReport {
  readonly requests: readonly RequestSeen[];
  readonly connections: readonly ConnectionSeen[];
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  readonly issued?: ReadonlyArray<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    assumedRoleArn: string;
  }>;
  readonly calls?: ReadonlyArray<{ action: string; host: string; region?: string; signedWith?: string }>;
}

/** A `serve.mjs` process in one namespace. */
class ServerProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #pending: Array<(line: string) => void> = [];
  #stderr = "";

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    this.#lines = createInterface({ input: child.stdout });
    this.#lines.on("line", (line) => this.#pending.shift()?.(line));
    child.stderr.on("data", (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
  }

  static async start(app: string, namespace: string, servers: readonly ServerSpec[]): Promise<ServerProcess> {
    const child = spawn(
      "ip",
      ["netns", "exec", namespace, process.execPath, "serve.mjs", JSON.stringify({ servers })],
      { cwd: app, stdio: ["pipe", "pipe", "pipe"] },
    );
    const server = new ServerProcess(child);
    const first = await server.#nextLine(30_000);
    if (first !== "READY") throw new Error(`the servers in ${namespace} did not start: ${first}\n${server.#stderr}`);
    return server;
  }

  #nextLine(timeoutMs: number): Promise<string> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(`(no answer within ${timeoutMs} ms)`), timeoutMs);
      const exited = () => resolve(`(exited with ${this.#child.exitCode})`);
      this.#child.once("exit", exited);
      this.#pending.push((line) => {
        clearTimeout(timer);
        this.#child.off("exit", exited);
        resolve(line);
      });
    });
  }

  async report(): Promise<Record<string, ServerReport>> {
    const answer = this.#nextLine(10_000);
    this.#child.stdin.write("report\n");
    const line = await answer;
    try {
      return JSON.parse(line) as Record<string, ServerReport>;
    } catch {
      throw new Error(`no report from the servers: ${line}\n${this.#stderr}`);
    }
  }

  get stderr(): string {
    return this.#stderr;
  }

  stop(): void {
    this.#child.stdin.end();
    this.#lines.close();
  }
}

/** What one process in the pod did. */
export interface PodRun {
  readonly command: string;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  /** The `RESULT` line of pod.mjs, parsed; the whole stdout parsed for the doctor's `--json`. */
  readonly result: Record<string, unknown> | undefined;
}

const POD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface ScenarioSpec {
  readonly index: number;
  /** kube2iam's DNAT rule on the node. */
  readonly interceptMetadata: boolean;
  readonly aws: readonly ServerSpec[];
  readonly node: readonly ServerSpec[];
}

/** A running scenario: its namespaces, servers and a way to run processes in the pod. */
export class Scenario {
  readonly runs: PodRun[] = [];
  readonly #servers: ServerProcess[] = [];
  readonly #files: string;

  private constructor(
    readonly context: SuiteContext,
    readonly network: PodNetwork,
  ) {
    this.#files = join(context.dir, `s${network.pod}`);
    mkdirSync(join(this.#files, "home"), { recursive: true });
  }

  /** Builds the scenario, runs `body`, and removes everything, pass or fail. */
  static async run(spec: ScenarioSpec, body: (scenario: Scenario) => Promise<void>): Promise<void> {
    const context = suiteContext();
    // A worker orphaned by a killed run must not build namespaces that nobody will remove.
    try {
      process.kill(Number(context.runId), 0);
    } catch {
      throw new Error(`the run that started this suite (pid ${context.runId}) is gone`);
    }
    const network = buildPodNetwork(context.runId, spec.index, {
      interceptMetadata: spec.interceptMetadata,
      awsHostNames: context.stsHosts,
    });
    const scenario = new Scenario(context, network);
    try {
      if (spec.aws.length > 0) scenario.#servers.push(await ServerProcess.start(context.app, network.aws, spec.aws));
      if (spec.node.length > 0) scenario.#servers.push(await ServerProcess.start(context.app, network.node, spec.node));
      await body(scenario);
    } finally {
      for (const server of scenario.#servers) server.stop();
      removeNamespaces((name) => name === network.pod || name === network.node || name === network.aws);
    }
  }

  /** Writes a file the pod reads (a projected token, the downward-API annotations) and returns its path. */
  file(name: string, content: string): string {
    const path = join(this.#files, name);
    writeFileSync(path, content);
    return path;
  }

  /** Every server's report, by name. */
  async reports(): Promise<Record<string, ServerReport>> {
    const all: Record<string, ServerReport> = {};
    for (const server of this.#servers) Object.assign(all, await server.report());
    return all;
  }

  routes(): { v4: string[]; v6: string[] } {
    return podRoutes(this.network);
  }

  /**
   * Runs `node <args>` in the pod namespace from the temporary app, with `env` and nothing else from this process
   * (only PATH, HOME, an empty folder, and HOSTNAME, as in a container). No time limit but a generous safety net.
   */
  pod(env: Readonly<Record<string, string>>, args: readonly string[]): Promise<PodRun> {
    const fullEnv = { PATH: POD_PATH, HOME: join(this.#files, "home"), HOSTNAME: "orders-7d9c5b8f6-x2x9q", ...env };
    const command = `${Object.entries(env)
      .map(([name, value]) => `${name}=${value}`)
      .join(" ")} node ${args.join(" ")}`;
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn(
        "ip",
        [
          "netns",
          "exec",
          this.network.pod,
          "env",
          "-i",
          ...Object.entries(fullEnv).map(([name, value]) => `${name}=${value}`),
          process.execPath,
          ...args,
        ],
        { cwd: this.context.app, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const safetyNet = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("close", (exitCode) => {
        clearTimeout(safetyNet);
        const run: PodRun = {
          command,
          exitCode,
          stdout,
          stderr,
          durationMs: Date.now() - started,
          result: parseResult(stdout),
        };
        this.runs.push(run);
        resolve(run);
      });
    });
  }
}

const parseResult = (stdout: string): Record<string, unknown> | undefined => {
  const line = stdout.split("\n").find((candidate) => candidate.startsWith("RESULT "));
  try {
    return JSON.parse(line === undefined ? stdout : line.slice("RESULT ".length)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** Every secret the servers handed out or received, by where it came from. */
export const secretsOf = (
  reports: Readonly<Record<string, ServerReport>>,
  tokens: readonly string[] = [],
): Array<[string, string]> => {
  const secrets: Array<[string, string]> = [];
  for (const [name, report] of Object.entries(reports)) {
    secrets.push([`${name} secretAccessKey`, report.credentials.secretAccessKey]);
    secrets.push([`${name} sessionToken`, report.credentials.sessionToken]);
    for (const issued of report.issued ?? []) {
      secrets.push([`${name} issued secretAccessKey`, issued.secretAccessKey]);
      secrets.push([`${name} issued sessionToken`, issued.sessionToken]);
    }
  }
  for (const token of tokens) {
    secrets.push(["projected token", token]);
    secrets.push(["projected token signature", token.split(".")[2] ?? token]);
  }
  return secrets.filter(([, value]) => value !== "");
};

/** Which secrets appear in any output of the pod's processes: empty when none leaked. */
export const leaks = (runs: readonly PodRun[], secrets: ReadonlyArray<[string, string]>): string[] =>
  secrets
    .filter(([, value]) => runs.some((run) => run.stdout.includes(value) || run.stderr.includes(value)))
    .map(([name]) => name);

/** `imds: 2 [PUT /latest/api/token, GET /latest/meta-data/…]; sts: 0 []`: for failure messages. */
export const summarize = (reports: Readonly<Record<string, ServerReport>>, runs: readonly PodRun[]): string => {
  const counts = Object.entries(reports)
    .map(
      ([name, report]) =>
        `${name}: ${report.requests.length} request(s) [${report.requests
          .map(
            (request) =>
              `${request.method} ${request.path}${request.headers["x-aws-ec2-metadata-token"] === undefined ? "" : " (token)"}`,
          )
          .join(", ")}], ${report.connections.length} connection(s) from ${[
          ...new Set(report.connections.map((connection) => connection.remoteAddress)),
        ].join(" ")}`,
    )
    .join("\n  ");
  const outputs = runs
    .map(
      (run) =>
        `$ ${run.command}\n  exit ${run.exitCode} after ${run.durationMs} ms\n  stdout: ${run.stdout.trim()}\n  stderr: ${run.stderr.trim()}`,
    )
    .join("\n");
  return `server counts:\n  ${counts}\npod output:\n${outputs}`;
};
