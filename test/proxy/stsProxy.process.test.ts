// HTTPS_PROXY in a pod, end to end (the built package in a child process): STS calls go through the proxy, in an
// HTTP CONNECT tunnel with TLS inside (the fake STS serves HTTPS on loopback with a self-signed certificate for
// sts.us-east-1.amazonaws.com in fixtures/, trusted through NODE_EXTRA_CA_CERTS); IMDS and the Pod Identity agent
// never do. The proxy counts the tunnels it opens and sends each to the fake STS, whatever host was asked. The child refuses any
// socket outside loopback (loopbackOnly.mjs), so a call that skipped the proxy fails instead of leaving the machine.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createFakeCredentials,
  createFakeJwt,
  fakeImds,
  fakePodIdentityAgent,
  fakeSts,
  startLoopbackServer,
} from "../../src/testing/index.js";
import { type ConnectProxy, startConnectProxy } from "./connectProxy.js";
import { listenOnLoopback } from "./harness.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/orders-reader";
const POD = join(import.meta.dirname, "..", "support", "podProcess.mjs");
const GUARD = join(import.meta.dirname, "loopbackOnly.mjs");

// A self-signed certificate for sts.us-east-1.amazonaws.com, made for these tests only (valid until 2126).
const certificate = join(import.meta.dirname, "fixtures", "sts-test-cert.pem");
const key = readFileSync(join(import.meta.dirname, "fixtures", "sts-test-key.pem"), "utf8");

let folder = "";
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "pod-credentials-proxy-"));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

/** The fake STS over HTTPS on loopback, with the self-signed certificate. */
const httpsSts = async () => {
  const token = createFakeJwt();
  const sts = fakeSts({ credentials: createFakeCredentials("PROXIED"), expectedToken: token });
  const server: Server = createHttpsServer({ key, cert: readFileSync(certificate) }, async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const headers = Object.entries(incoming.headers).flatMap(([name, value]) =>
      value === undefined || name === "connection" ? [] : [[name, String(value)] as [string, string]],
    );
    const answer = await sts.handler(
      new Request(`https://${incoming.headers.host}${incoming.url}`, {
        method: incoming.method ?? "POST",
        headers,
        body: Buffer.concat(chunks),
      }),
    );
    outgoing.writeHead(answer.status, Object.fromEntries(answer.headers));
    outgoing.end(Buffer.from(await answer.arrayBuffer()));
  });
  const { port, close } = await listenOnLoopback(server);
  closers.push(close);
  return { sts, token, port };
};

const proxyTo = async (port: number): Promise<ConnectProxy> => {
  const proxy = await startConnectProxy(() => port);
  closers.push(proxy.close);
  return proxy;
};

/** Runs the pod with `env` (and nothing else but PATH, HOME and the CA) and returns its result line. */
const runPod = (env: Record<string, string>) =>
  new Promise<{ ok: boolean; source?: string; accessKeyId?: string; message?: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", GUARD, POD], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: folder,
        NODE_NO_WARNINGS: "1",
        NODE_EXTRA_CA_CERTS: certificate,
        AWS_REGION: "us-east-1",
        POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: "8000",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.once("error", reject);
    child.once("close", () => {
      const line = stdout.split("\n").find((candidate) => candidate.startsWith('{"ok":'));
      resolve(line ? JSON.parse(line) : { ok: false, message: stdout });
    });
  });

const tokenFile = (token: string) => {
  const path = join(folder, `token-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, token);
  return path;
};

/** An IRSA pod whose STS calls may go through a proxy that tunnels to the fake STS: its result, the STS and the proxy. */
const irsaPodBehindProxy = async (env: Record<string, string> = {}) => {
  const { sts, token, port } = await httpsSts();
  const proxy = await proxyTo(port);
  const result = await runPod({
    POD_CREDENTIALS_SOURCES: "webIdentity",
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile(token),
    AWS_ROLE_ARN: ROLE_ARN,
    HTTPS_PROXY: proxy.url,
    ...env,
  });
  return { result, sts, proxy };
};

describe.concurrent("HTTPS_PROXY: STS through the proxy, the metadata endpoints never", () => {
  it("IRSA's STS call goes through one tunnel to sts.us-east-1.amazonaws.com:443, TLS inside", async () => {
    const { result, sts, proxy } = await irsaPodBehindProxy();

    expect(result).toMatchObject({ ok: true, source: "webIdentity", accessKeyId: sts.issued[0]?.accessKeyId });
    expect(proxy.tunnels).toEqual([{ authority: "sts.us-east-1.amazonaws.com:443", authorization: undefined }]);
    expect(sts.calls.map((call) => [call.action, call.host])).toEqual([
      ["AssumeRoleWithWebIdentity", "sts.us-east-1.amazonaws.com"],
    ]);
  });

  it("NO_PROXY exempts STS: no tunnel (and here, with no route out, no credentials)", async () => {
    const { result, sts, proxy } = await irsaPodBehindProxy({ NO_PROXY: "localhost,.amazonaws.com" });

    expect(result.ok).toBe(false);
    expect(result.message).toContain("Could not call STS AssumeRoleWithWebIdentity");
    expect(proxy.tunnels).toEqual([]);
    expect(sts.calls).toEqual([]);
  });

  it("the Pod Identity agent is called directly, never through the proxy", async () => {
    const token = createFakeJwt();
    const agent = fakePodIdentityAgent({ expectedToken: token, credentials: createFakeCredentials("AGENT") });
    const server = await startLoopbackServer(agent.handler);
    closers.push(server.close);
    const proxy = await proxyTo(1);

    const result = await runPod({
      POD_CREDENTIALS_SOURCES: "podIdentity",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile(token),
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
    });

    expect(result).toMatchObject({ ok: true, source: "podIdentity" });
    expect(agent.requests).toHaveLength(1);
    expect(proxy.tunnels).toEqual([]);
    expect(proxy.plainRequests).toEqual([]);
  });

  it("the instance metadata service is called directly, never through the proxy", async () => {
    const imds = fakeImds({ roleName: "eks-node-role", credentials: createFakeCredentials("NODE") });
    const server = await startLoopbackServer(imds.handler);
    closers.push(server.close);
    const proxy = await proxyTo(1);

    const result = await runPod({
      POD_CREDENTIALS_SOURCES: "instanceProfile",
      POD_CREDENTIALS_ALLOW_NODE: "true",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url,
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
    });

    expect(result).toMatchObject({ ok: true, source: "instanceProfile" });
    expect(imds.requests.length).toBeGreaterThan(0);
    expect(proxy.tunnels).toEqual([]);
    expect(proxy.plainRequests).toEqual([]);
  });
});
