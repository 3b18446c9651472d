// Clients nobody here wrote sign calls to the fake STS on loopback: botocore through boto3, and the AWS CLI (v1 is
// botocore; v2 bundles its own). Their signatures must verify with the secret the fake issued, and a wrong secret must
// not. A client that is not installed is skipped with one line saying so.
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createFakeJwt,
  type FakeSts,
  fakeSts,
  type IssuedStsCredentials,
  type LoopbackServer,
  startLoopbackServer,
} from "../../src/testing/index.js";
import { assumeWithWebIdentity } from "./serveFake.js";

const run = promisify(execFile);
const TARGET = "arn:aws:iam::210987654321:role/reports-writer";
const POD_ARN = "arn:aws:sts::123456789012:assumed-role/orders-reader/orders-pod";
const CHAINED_ARN = "arn:aws:sts::210987654321:assumed-role/reports-writer/reports";
const MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** The same secret with its last character changed. */
const otherSecret = (secret: string): string => `${secret.slice(0, -1)}${secret.endsWith("x") ? "y" : "x"}`;

const works = (file: string, args: string[]): string | undefined => {
  try {
    return execFileSync(file, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
};

const hasBoto3 = works("python3", ["-c", "import boto3"]) !== undefined;
if (!hasBoto3) console.log("skipping botocore: python3 with boto3 is not installed");
/**
 * Every AWS CLI on the machine: the one on PATH (v1 from pip here) and the system package's v2 at /usr/bin/aws. Each
 * costs about a second of CPU per call, so they run only with REAL_AWS_CLIS=true (a separate CI step), not in npm test.
 */
const wantClis = process.env.REAL_AWS_CLIS === "true";
const CLIS = wantClis
  ? [...new Set([works("sh", ["-c", "command -v aws"]), existsSync("/usr/bin/aws") ? "/usr/bin/aws" : undefined])]
      .filter((path): path is string => path !== undefined && works(path, ["--version"]) !== undefined)
      .map((path) => ({ path, version: works(path, ["--version"])?.split(" ")[0] ?? "aws" }))
  : [];
if (!wantClis) console.log("skipping the AWS CLI: set REAL_AWS_CLIS=true to run it");
else if (CLIS.length === 0) console.log("skipping the AWS CLI: no aws on PATH or at /usr/bin/aws");

let sts: FakeSts;
let server: LoopbackServer;
let pod: IssuedStsCredentials;
beforeEach(async () => {
  sts = fakeSts({ trust: { [TARGET]: ["arn:aws:iam::123456789012:role/orders-reader"] } });
  server = await startLoopbackServer(sts.handler);
  const answer = await assumeWithWebIdentity(server.url, createFakeJwt(), {
    RoleArn: "arn:aws:iam::123456789012:role/orders-reader",
    RoleSessionName: "orders-pod",
  });
  expect(answer.status).toBe(200);
  pod = sts.issued[0] as IssuedStsCredentials;
});
afterEach(() => server.close());

/** The child's whole environment: the fake STS, and no configuration file or metadata service to fall back on. */
const clientEnv = (credentials: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const home = process.env.HOME ?? "/nonexistent";
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: join(home, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_STS: server.url,
    AWS_REGION: "eu-west-1",
    AWS_DEFAULT_REGION: "eu-west-1", // the only one the AWS CLI v1 reads
    ...credentials,
  };
};

describe.skipIf(!hasBoto3)("botocore (boto3) signing calls to the fake STS", () => {
  it("GetCallerIdentity and AssumeRole verify, chained credentials verify in turn, a wrong secret does not", async () => {
    const child = execFile("python3", [join(import.meta.dirname, "botoSts.py")], {
      env: clientEnv(),
      timeout: 30_000,
    });
    child.stdin?.end(JSON.stringify({ pod, target: TARGET }));
    const output = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (chunk) => (stdout += chunk));
      child.stderr?.on("data", (chunk) => (stderr += chunk));
      child.on("close", (code) =>
        code === 0 ? resolve(stdout) : reject(new Error(`python3 exited ${code}: ${stderr}`)),
      );
    });
    expect(JSON.parse(output)).toEqual({
      identity: { ok: POD_ARN },
      assumedArn: CHAINED_ARN,
      chainedIdentity: { ok: CHAINED_ARN },
      tooLong: {
        code: "ValidationError",
        message: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
      },
      wrongSecret: { code: "SignatureDoesNotMatch", message: MISMATCH },
    });
    expect(sts.calls.map((call) => [call.action, call.signature])).toEqual([
      ["AssumeRoleWithWebIdentity", "unsigned"],
      ["GetCallerIdentity", "verified"],
      ["AssumeRole", "verified"],
      ["GetCallerIdentity", "verified"],
      ["AssumeRole", "verified"],
      ["GetCallerIdentity", "rejected"],
    ]);
    expect(sts.calls[2]).toMatchObject({
      region: "eu-west-1",
      externalId: "orders-42",
      tags: [{ key: "team", value: "orders" }],
      transitiveTagKeys: ["team"],
      sourceIdentity: "orders-service",
    });
  });
});

describe.each(CLIS)("the AWS CLI at $path ($version) signing calls to the fake STS", ({ path }) => {
  // --endpoint-url too: the Debian 12 package's CLI v2 (2.9) predates AWS_ENDPOINT_URL_STS (2.13).
  const aws = (args: string[], env: NodeJS.ProcessEnv) =>
    run(path, ["sts", ...args, "--endpoint-url", server.url, "--output", "json"], { env, timeout: 30_000 });
  const podEnv = () =>
    clientEnv({
      AWS_ACCESS_KEY_ID: pod.accessKeyId,
      AWS_SECRET_ACCESS_KEY: pod.secretAccessKey,
      AWS_SESSION_TOKEN: pod.sessionToken,
    });

  it("sts get-caller-identity and sts assume-role verify", async () => {
    const identity = await aws(["get-caller-identity"], podEnv());
    expect(JSON.parse(identity.stdout)).toMatchObject({ Arn: POD_ARN, Account: "123456789012" });
    const assumed = await aws(["assume-role", "--role-arn", TARGET, "--role-session-name", "reports"], podEnv());
    expect(JSON.parse(assumed.stdout)).toMatchObject({ AssumedRoleUser: { Arn: CHAINED_ARN } });
    expect(sts.calls.slice(1).map((call) => [call.action, call.signature])).toEqual([
      ["GetCallerIdentity", "verified"],
      ["AssumeRole", "verified"],
    ]);
  });

  it("fails with SignatureDoesNotMatch when signed with a wrong secret", async () => {
    const env = { ...podEnv(), AWS_SECRET_ACCESS_KEY: otherSecret(pod.secretAccessKey) };
    const failure = await aws(["get-caller-identity"], env).catch((error: { stderr: string }) => error);
    expect("stderr" in failure ? failure.stderr : "").toContain(
      `An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: ${MISMATCH}`,
    );
  });
});
