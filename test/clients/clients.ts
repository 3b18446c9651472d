// The real AWS clients on this machine, found once: the AWS CLI v1 (botocore, from pip), the AWS CLI v2 (Debian's
// awscli package at /usr/bin/aws) and boto3. Each is run in an environment built from scratch, so nothing of the
// machine's AWS set-up reaches it and nothing it does leaves loopback.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

/** One client able to call `sts get-caller-identity`. */
export interface Client {
  readonly name: string;
  /** `aws --version`, or boto3's version. */
  readonly version: string;
  /** The command line, before the endpoint arguments. */
  readonly argv: readonly string[];
  /**
   * Whether it reads `AWS_ENDPOINT_URL_STS` (botocore since 1.31, the CLI v2 since 2.13); when it does not, the
   * fake STS is passed as `--endpoint-url` (boto3: `endpoint_url`).
   */
  readonly honoursEndpointVariable: boolean;
  /**
   * Whether it reads `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (botocore since EKS Pod Identity, late 2023); older
   * ones read only `AWS_CONTAINER_AUTHORIZATION_TOKEN`, the token itself.
   */
  readonly readsTokenFile: boolean;
}

const quiet = (file: string, args: readonly string[]): string | undefined => {
  try {
    return execFileSync(file, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 }).trim();
  } catch {
    return undefined;
  }
};

/** The real interpreter behind a pyenv shim (a shim needs the machine's HOME, which the clients do not get). */
const python = quiet("python3", ["-c", "import sys; print(sys.executable)"]);

/** Whether the botocore that `interpreter` imports as `module` knows the token file variable. */
const knowsTokenFile = (interpreter: string, module: string): boolean => {
  const path = quiet(interpreter, ["-c", `import ${module}.credentials as c; print(c.__file__)`]);
  return (
    path !== undefined &&
    existsSync(path) &&
    readFileSync(path, "utf8").includes("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
  );
};

const atLeast = (version: string, major: number, minor: number): boolean => {
  const [a = 0, b = 0] = version.split(".").map(Number);
  return a > major || (a === major && b >= minor);
};

const BOTO3_SCRIPT = [
  "import json, os, sys, boto3",
  "endpoint = sys.argv[1] if len(sys.argv) > 1 else None",
  "print(json.dumps(boto3.client('sts', endpoint_url=endpoint).get_caller_identity()))",
].join("\n");

const findClients = (): { found: Client[]; absent: string[] } => {
  const found: Client[] = [];
  const absent: string[] = [];
  const v1 = python && quiet(python, ["-m", "awscli", "--version"]);
  const botocore = python && quiet(python, ["-c", "import botocore; print(botocore.__version__)"]);
  if (python && v1?.startsWith("aws-cli/1.") && botocore) {
    found.push({
      name: "AWS CLI v1",
      version: v1.split(" ")[0] ?? v1,
      argv: [python, "-m", "awscli"],
      honoursEndpointVariable: atLeast(botocore, 1, 31),
      readsTokenFile: knowsTokenFile(python, "botocore"),
    });
  } else absent.push("AWS CLI v1 (python3 -m awscli)");
  const v2 = existsSync("/usr/bin/aws") ? quiet("/usr/bin/aws", ["--version"]) : undefined;
  if (v2?.startsWith("aws-cli/2.")) {
    const version = v2.split(" ")[0] ?? v2;
    found.push({
      name: "AWS CLI v2",
      version,
      argv: ["/usr/bin/aws"],
      honoursEndpointVariable: atLeast(version.replace("aws-cli/", ""), 2, 13),
      // The CLI v2 bundles its own botocore, run by the interpreter of /usr/bin/aws's first line.
      readsTokenFile: knowsTokenFile(
        readFileSync("/usr/bin/aws", "utf8")
          .split("\n")[0]
          ?.replace(/^#!\s*/, "")
          .split(" ")[0] ?? "python3",
        "awscli.botocore",
      ),
    });
  } else absent.push("AWS CLI v2 (/usr/bin/aws, Debian's awscli package)");
  const boto3 = python && quiet(python, ["-c", "import boto3; print(boto3.__version__)"]);
  if (python && boto3 && botocore) {
    found.push({
      name: "boto3",
      version: `boto3/${boto3}`,
      argv: [python, "-c", BOTO3_SCRIPT],
      honoursEndpointVariable: atLeast(botocore, 1, 31),
      readsTokenFile: knowsTokenFile(python, "botocore"),
    });
  } else absent.push("boto3 (python3 -c 'import boto3')");
  return { found, absent };
};

export const CLIENTS = findClients();

/** What a client printed and how it ended. */
export interface ClientRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `sts get-caller-identity` with exactly `env` (nothing inherited but PATH), against `stsUrl`. A refusing proxy
 * is set for anything not on loopback, so a request that would leave the machine fails instead.
 */
export const callerIdentity = (client: Client, stsUrl: string, env: Record<string, string>): Promise<ClientRun> => {
  const isBoto3 = client.name === "boto3";
  const endpointArgs = client.honoursEndpointVariable ? [] : isBoto3 ? [stsUrl] : ["--endpoint-url", stsUrl];
  const command = isBoto3 ? [] : ["sts", "get-caller-identity", "--output", "json"];
  const [file = "", ...args] = [...client.argv, ...command, ...endpointArgs];
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          AWS_ENDPOINT_URL_STS: stsUrl,
          AWS_REGION: "us-east-1",
          AWS_DEFAULT_REGION: "us-east-1",
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_PAGER: "",
          HTTP_PROXY: "http://127.0.0.1:9",
          HTTPS_PROXY: "http://127.0.0.1:9",
          NO_PROXY: "127.0.0.1,localhost,::1",
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ exitCode, stdout, stderr });
      },
    );
  });
};
