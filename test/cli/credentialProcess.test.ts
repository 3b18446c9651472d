// `pod-credentials credential-process`, in-process through runCli: exactly the credential_process document on
// standard output, the chain's error with its fix on standard error, the doctor's exit codes, nothing on disk.
import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { credentialProcessDocument, runCli } from "../../src/cli/runCli.js";
import { fakeImds } from "../../src/testing/index.js";
import { serve, unusedLoopbackUrl } from "../doctor/servers.js";
import { podIdentityPod } from "../serve/harness.js";
import { secretCredentials, temporaryFolderEach } from "../support/fakes.js";
import { recordOutput } from "../support/leakCheck.js";

const run = async (argv: readonly string[], env: Record<string, string>) => {
  const out: string[] = [];
  const err: string[] = [];
  const exitCode = await runCli({
    argv,
    env,
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    version: "9.9.9",
  });
  recordOutput(err.join(""));
  return { exitCode, stdout: out.join(""), stderr: err.join("") };
};

describe("pod-credentials credential-process", () => {
  const home = temporaryFolderEach("credential-process-home");

  it("prints one line, the Version 1 document, and nothing else; exit 0, and no file written", async () => {
    const { env, issued, agent } = await podIdentityPod();

    const { exitCode, stdout, stderr } = await run(["credential-process"], { ...env, HOME: home() });

    expect(exitCode).toBe(0);
    expect(stderr).toBe("");
    expect(stdout.endsWith("\n")).toBe(true);
    expect(stdout.split("\n")).toHaveLength(2);
    const document = JSON.parse(stdout);
    expect(Object.keys(document)).toEqual(["Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"]);
    expect(document).toMatchObject({
      Version: 1,
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(agent.requests).toHaveLength(1);
    expect(await readdir(home())).toEqual([]);
  });

  it("leaves out SessionToken and Expiration for keys that have neither", () => {
    expect(credentialProcessDocument({ accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret" })).toEqual({
      Version: 1,
      AccessKeyId: "AKIAEXAMPLE",
      SecretAccessKey: "secret",
    });
  });

  it("exits 2 with the chain's error and its fix on standard error, once, and nothing on standard output", async () => {
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedLoopbackUrl() };

    const { exitCode, stdout, stderr } = await run(["credential-process"], env);

    expect(exitCode).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(stderr).toMatch(
      /^pod-credentials credential-process: NoPodCredentialsError: No pod-scoped AWS credentials are configured for this pod \(.*\)\. Fix: configure a pod-scoped identity: /,
    );
  });

  it("exits 2 on a configured source that fails, naming the source", async () => {
    const { env, agent } = await podIdentityPod();
    agent.setMode("upstreamError", { status: 500, message: "Internal Server Error" });

    const { exitCode, stdout, stderr } = await run(["credential-process"], {
      ...env,
      POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "0",
    });

    expect({ exitCode, stdout }).toEqual({ exitCode: 2, stdout: "" });
    expect(stderr).toMatch(/^pod-credentials credential-process: CredentialSourceError: \[podIdentity\] .* Fix: /);
  });

  it("prints the node's credentials only when the node is opted in, with the library's warning on standard error", async () => {
    const node = secretCredentials("NODE");
    const imds = fakeImds({ credentials: node, roleName: "eks-node-role" });
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(imds), POD_CREDENTIALS_ALLOW_NODE: "true" };

    const { exitCode, stdout, stderr } = await run(["credential-process"], env);

    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout).AccessKeyId).toBe(node.accessKeyId);
    expect(stderr).toMatch(/ warn pod-credentials: using the node's instance-profile role eks-node-role: every pod on/);
  });

  it("takes POD_CREDENTIALS_LOG_LEVEL for its standard error: info adds the line naming the source", async () => {
    const { env } = await podIdentityPod();

    const { exitCode, stderr } = await run(["credential-process"], { ...env, POD_CREDENTIALS_LOG_LEVEL: "info" });

    expect(exitCode).toBe(0);
    expect(stderr).toMatch(/^\S+Z info pod-credentials: using podIdentity credentials/);
  });

  it("is a usage error (exit 1) with any argument", async () => {
    const { exitCode, stdout, stderr } = await run(["credential-process", "--profile", "x"], {});

    expect({ exitCode, stdout }).toEqual({ exitCode: 1, stdout: "" });
    expect(stderr).toContain('credential-process takes no arguments, not "--profile"');
  });
});
