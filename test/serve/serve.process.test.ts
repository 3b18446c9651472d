// The built program (`node dist/esm/cli/main.js`): serve's ready line, its answer to the token, and its exit on
// SIGTERM and SIGINT (main.ts wires the signals); credential-process's document on standard output.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findLeaks, registerSecrets } from "../support/leakCheck.js";
import { freshTokenPath, get, podIdentityPod } from "./harness.js";

const CLI = join(import.meta.dirname, "../../dist/esm/cli/main.js");

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does).`);
});

const programEnv = (env: Record<string, string>) => ({ PATH: process.env.PATH ?? "", NODE_NO_WARNINGS: "1", ...env });

describe("pod-credentials serve, run as a program", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("serves once ready and exits 0 on %s", async (signal) => {
    const { env, issued } = await podIdentityPod();
    const tokenFile = await freshTokenPath();
    const child = spawn(process.execPath, [CLI, "serve", "--listen", "127.0.0.1:0", "--token-file", tokenFile], {
      env: programEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const line = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        if (stdout.includes("\n")) resolve(stdout);
      });
      exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    const url = /^AWS_CONTAINER_CREDENTIALS_FULL_URI=(\S+) AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=(\S+)\n$/.exec(line);
    expect(url?.[2]).toBe(tokenFile);
    const token = await readFile(tokenFile, "utf8");
    registerSecrets(token);

    const answer = await get(url?.[1] ?? "", { Authorization: token });
    child.kill(signal);

    expect(JSON.parse(answer.body).AccessKeyId).toBe(issued.accessKeyId);
    expect(await exited).toBe(0);
    expect(stderr).toContain("info pod-credentials: using podIdentity credentials");
    expect(findLeaks([stderr], [token, issued.secretAccessKey, issued.sessionToken])).toEqual([]);
  });
});

describe("pod-credentials credential-process, run as a program", () => {
  it("prints the document on standard output and nothing on standard error", async () => {
    const { env, issued } = await podIdentityPod();

    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      execFile(process.execPath, [CLI, "credential-process"], { env: programEnv(env) }, (error, out, err) =>
        resolve({ stdout: out, stderr: err, code: error ? Number(error.code) : 0 }),
      );
    });

    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(stdout)).toMatchObject({ Version: 1, AccessKeyId: issued.accessKeyId });
  });
});
