// `pod-credentials serve` through runCli: the ready line, the exit codes, loopback-only listening, the token file,
// refusing to start without pod-scoped credentials, and a graceful stop.
import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/runCli.js";
import { loadOrCreateToken, parseListen } from "../../src/cli/serve.js";
import { fakeImds } from "../../src/testing/index.js";
import { serve as serveFake, unusedLoopbackUrl } from "../doctor/servers.js";
import { secretCredentials } from "../support/fakes.js";
import { recordOutput, registerSecrets } from "../support/leakCheck.js";
import { freshTokenPath, get, modeOf, podIdentityPod } from "./harness.js";

/** runCli with recording streams; `stop()` plays SIGTERM; `line()` resolves with the first line on stdout. */
const start = (argv: readonly string[], env: Record<string, string>) => {
  const out: string[] = [];
  const err: string[] = [];
  let stop: () => void = () => {};
  let lineWritten: (line: string) => void = () => {};
  const line = new Promise<string>((resolve) => {
    lineWritten = resolve;
  });
  const exitCode = runCli({
    argv,
    env,
    stdout: {
      write: (text: string) => {
        out.push(text);
        lineWritten(text);
      },
    },
    stderr: { write: (text: string) => err.push(text) },
    version: "9.9.9",
    onShutdown: (callback) => {
      stop = callback;
    },
  }).then((code) => {
    recordOutput(err.join(""));
    return code;
  });
  return { exitCode, line, stop: () => stop(), stdout: () => out.join(""), stderr: () => err.join("") };
};

const READY_LINE =
  /^AWS_CONTAINER_CREDENTIALS_FULL_URI=(http:\/\/127\.0\.0\.1:\d+\/v1\/credentials) AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=(\S+)\n$/;

describe("pod-credentials serve", () => {
  it("prints one ready line with both variables once credentials are held, serves, and exits 0 on SIGTERM", async () => {
    const { env, issued } = await podIdentityPod();
    const tokenFile = await freshTokenPath();
    const run = start(["serve", "--listen", "127.0.0.1:0", "--token-file", tokenFile], env);

    const line = await run.line;
    const [, url = "", file] = READY_LINE.exec(line) ?? [];
    expect(file).toBe(tokenFile);
    const token = await readFile(tokenFile, "utf8");
    registerSecrets(token);
    expect(JSON.parse((await get(url, { Authorization: token })).body).AccessKeyId).toBe(issued.accessKeyId);

    run.stop();
    expect(await run.exitCode).toBe(0);
    expect(run.stdout()).toBe(line);
    await expect(get(url, { Authorization: token })).rejects.toThrow();
  });

  it("refuses to start (exit 2) when nothing pod-scoped is configured, with the chain's error once on standard error", async () => {
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedLoopbackUrl() };
    const run = start(["serve", "--listen", "127.0.0.1:0", "--token-file", await freshTokenPath()], env);

    expect(await run.exitCode).toBe(2);
    expect(run.stdout()).toBe("");
    const lines = run.stderr().split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^pod-credentials serve: NoPodCredentialsError: No pod-scoped AWS credentials are configured for this pod .* Fix: /,
    );
  });

  it("starts on the node's role when the node is opted in, saying so on standard error", async () => {
    const imds = fakeImds({ credentials: secretCredentials("NODE") });
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: await serveFake(imds), POD_CREDENTIALS_ALLOW_NODE: "true" };
    const run = start(["serve", "--listen", "127.0.0.1:0", "--token-file", await freshTokenPath()], env);

    expect(await run.line).toMatch(READY_LINE);
    run.stop();
    expect(await run.exitCode).toBe(0);
    expect(run.stderr()).toContain("warn pod-credentials: using the node's instance-profile role");
  });

  it("listens on [::1] when asked, and the ready line's URL reaches it", async () => {
    const { env, issued } = await podIdentityPod();
    const tokenFile = await freshTokenPath();
    const run = start(["serve", "--listen", "[::1]:0", "--token-file", tokenFile], env);

    const url = /^AWS_CONTAINER_CREDENTIALS_FULL_URI=(http:\/\/\[::1\]:\d+\/v1\/credentials) /.exec(
      await run.line,
    )?.[1];
    const token = await readFile(tokenFile, "utf8");
    registerSecrets(token);
    expect(JSON.parse((await get(url ?? "", { Authorization: token })).body).AccessKeyId).toBe(issued.accessKeyId);
    run.stop();
    expect(await run.exitCode).toBe(0);
  });

  it("lets a request in flight finish after SIGTERM, then closes", async () => {
    const { env } = await podIdentityPod();
    const run = start(["serve", "--listen", "127.0.0.1:0", "--token-file", await freshTokenPath()], env);
    const url = new URL(READY_LINE.exec(await run.line)?.[1] ?? "");
    const socket = connect(Number(url.port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    let received = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      received += chunk;
    });
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    await new Promise((resolve) => setTimeout(resolve, 50));

    run.stop();
    socket.write("\r\n");
    await closed;

    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received).toContain("Connection: close");
    expect(await run.exitCode).toBe(0);
    expect(run.stderr()).toContain("pod-credentials serve: stopping: finishing the requests in flight");
  });

  it.each([
    "0.0.0.0:9911",
    "10.1.2.3:80",
    "localhost:9911",
    "::1:80",
    "[::]:80",
    "127.0.0.1",
    "127.0.0.1:65536",
    "127.0.0.1:-1",
    "",
  ])("refuses --listen %j as a usage error (exit 1), before reading any token", async (listen) => {
    const tokenFile = await freshTokenPath();
    const run = start(["serve", "--listen", listen, "--token-file", tokenFile], {});

    expect(await run.exitCode).toBe(1);
    expect(run.stderr()).toContain("--listen takes 127.0.0.1:PORT or [::1]:PORT (loopback only");
    await expect(readFile(tokenFile)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("is a usage error (exit 1) with an unknown option, and prints its usage with --help (exit 0)", async () => {
    const unknown = start(["serve", "--port", "80"], {});
    expect(await unknown.exitCode).toBe(1);
    expect(unknown.stderr()).toContain("Usage: pod-credentials serve");

    const help = start(["serve", "--help"], {});
    expect(await help.exitCode).toBe(0);
    expect(help.stdout()).toContain("--listen <address>   127.0.0.1:PORT or [::1]:PORT");
  });
});

describe("serve's --listen", () => {
  it("takes 127.0.0.1 and [::1] with a port; 0 picks one", () => {
    expect(parseListen("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseListen("[::1]:9911")).toEqual({ host: "::1", port: 9911 });
    expect(parseListen(" 127.0.0.1:65535 ")).toEqual({ host: "127.0.0.1", port: 65535 });
  });
});

describe("serve's token file", () => {
  it("is created when missing: 32 random bytes in base64url, no newline, mode 0600", async () => {
    const path = await freshTokenPath();

    const { token, created } = await loadOrCreateToken(path);
    registerSecrets(token);

    expect(created).toBe(true);
    expect(await readFile(path, "utf8")).toBe(token);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(await modeOf(path)).toBe(0o600);
    const second = await loadOrCreateToken(await freshTokenPath());
    registerSecrets(second.token);
    expect(second.token).not.toBe(token);
  });

  it("is used as it is when it exists and only its owner and group can read it", async () => {
    const path = await freshTokenPath();
    await writeFile(path, "a-token-the-operator-chose-0123456789", { mode: 0o640 });
    await chmod(path, 0o640);

    expect(await loadOrCreateToken(path)).toEqual({ token: "a-token-the-operator-chose-0123456789", created: false });
  });

  it.each([
    [0o644, "can be read or written by any user (mode 644)"],
    [0o602, "can be read or written by any user (mode 602)"],
  ])("is refused when its mode is %o", async (mode, problem) => {
    const path = await freshTokenPath();
    await writeFile(path, "a-token-the-operator-chose-0123456789");
    await chmod(path, mode);

    const error = await loadOrCreateToken(path).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: "PodCredentialsError" });
    expect((error as Error).message).toContain(`[serve] The token file ${path} ${problem}.`);
    expect((error as Error).message).toContain("Fix: make it readable by its owner and group only");
  });

  it.each([
    ["with a final newline", "a-token-the-operator-chose-0123456789\n"],
    ["empty", ""],
    ["too short to be unguessable", "short-token"],
    ["with a space", "a token the operator chose 0123456789"],
  ])("is refused %s: the SDKs send its content verbatim", async (_case, content) => {
    const path = await freshTokenPath();
    await writeFile(path, content, { mode: 0o600 });

    await expect(loadOrCreateToken(path)).rejects.toThrow(
      /must hold one token of at least 16 visible ASCII characters and nothing else .* Fix: write the token without a newline/,
    );
  });

  it("names the folder to mount when it cannot be created", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "pod-credentials-serve-")), "missing-folder", "token");

    await expect(loadOrCreateToken(path)).rejects.toThrow(
      `[serve] Cannot create the token file ${path} (ENOENT). Fix: mount a writable emptyDir volume at its folder`,
    );
  });

  it("makes serve exit 2 before listening when it is unusable", async () => {
    const path = await freshTokenPath();
    await writeFile(path, "a-token-the-operator-chose-0123456789", { mode: 0o644 });
    await chmod(path, 0o644);
    const { env } = await podIdentityPod();

    const run = start(["serve", "--listen", "127.0.0.1:0", "--token-file", path], env);

    expect(await run.exitCode).toBe(2);
    expect(run.stderr()).toMatch(/^pod-credentials serve: PodCredentialsError: \[serve\] The token file /);
  });
});
