// A pod for serve's tests: a fake credential source on loopback, the environment that configures it, and serve
// started in this process on a free loopback port; everything is closed after each test.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach } from "vitest";
import { runCli } from "../../src/cli/runCli.js";
import { type ServeOptions, type Serving, startServing } from "../../src/cli/serve.js";
import {
  type FakeHandler,
  type FakePodIdentityAgent,
  fakePodIdentityAgent,
  type LoopbackServer,
  startLoopbackServer,
} from "../../src/testing/index.js";
import { secretCredentials, secretToken, temporaryFile } from "../support/fakes.js";
import { registerSecrets, testLogger } from "../support/leakCheck.js";

let open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.reverse().map((item) => item.close()));
  open = [];
});

/** Serves `handler` on loopback until the end of the test. */
export const serveFake = async (handler: FakeHandler): Promise<LoopbackServer> => {
  const server = await startLoopbackServer(handler);
  open.push(server);
  return server;
};

/**
 * A pod with EKS Pod Identity: the fake agent on loopback (its answers held back while `hold` is pending) and its
 * token file. The environment has nothing else, so the chain's other sources are skipped without a request.
 */
export const podIdentityPod = async (options: { hold?: Promise<unknown>; lifetimeMs?: number } = {}) => {
  const token = secretToken({ claims: { aud: ["pods.eks.amazonaws.com"] } });
  const tokenFile = await temporaryFile("eks-pod-identity-token", token);
  const issued = secretCredentials("PODID");
  const agent: FakePodIdentityAgent = fakePodIdentityAgent({
    credentials: issued,
    expectedToken: token,
    lifetimeMs: options.lifetimeMs,
  });
  const server = await serveFake(async (request) => {
    await options.hold;
    return agent.handler(request);
  });
  const env = {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/v1/credentials`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
  };
  return { agent, issued, env };
};

/** A token file path in a fresh folder (not created). */
export const freshTokenPath = async (): Promise<string> => join(await temporaryFile("placeholder", ""), "..", "token");

/** serve on 127.0.0.1 with a free port, closed after the test; the token it reads or made is registered as a secret. */
export const startServe = async (
  env: ServeOptions["env"],
  options: Partial<ServeOptions> = {},
): Promise<Serving & { token: () => Promise<string>; logger: ReturnType<typeof testLogger> }> => {
  const logger = testLogger();
  const tokenFile = options.tokenFile ?? (await freshTokenPath());
  const serving = await startServing({ listen: { host: "127.0.0.1", port: 0 }, tokenFile, env, logger, ...options });
  open.push(serving);
  const token = async () => {
    const text = await readFile(tokenFile, "utf8");
    registerSecrets(text);
    return text;
  };
  await token();
  return Object.assign(serving, { token, logger });
};

/** The mode bits of a file. */
export const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

/** A GET with a deadline, so that no test hangs. */
export const get = async (url: string, headers: Record<string, string> = {}, method = "GET") => {
  const response = await fetch(url, { method, headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text(), headers: Object.fromEntries(response.headers) };
};

/** Runs `pod-credentials serve <args>` with an empty environment until it exits: its exit code and what it wrote to stderr. */
export const serveExiting = async (args: string[]): Promise<{ code: number; stderr: string }> => {
  const err: string[] = [];
  const code = await runCli({
    argv: ["serve", ...args],
    env: {},
    stdout: { write: () => {} },
    stderr: { write: (text: string) => err.push(text) },
    version: "9.9.9",
  });
  return { code, stderr: err.join("") };
};
