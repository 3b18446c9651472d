// The environment of every benchmark child: built from scratch, never inherited. Nothing AWS_* or POD_CREDENTIALS_*
// comes from the parent; every endpoint the SDK or our chain could reach points at loopback (a fake, or a port where
// nothing listens), HOME is an empty folder (no ~/.aws), and the annotations file is an empty one of ours.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Folders and ports shared by every child of one run. */
export const createSandbox = async () => {
  const root = mkdtempSync(join(tmpdir(), "pod-credentials-bench-"));
  const home = join(root, "home");
  mkdirSync(home);
  const annotationsFile = join(root, "annotations");
  writeFileSync(annotationsFile, "");
  const [closedPortA, closedPortB, closedPortC] = [await unusedPort(), await unusedPort(), await unusedPort()];
  return {
    root,
    home,
    annotationsFile,
    /** Loopback URLs where nothing listens: a connection there is refused at once. */
    refusingMetadataUrl: `http://127.0.0.1:${closedPortA}`,
    refusingStsUrl: `http://127.0.0.1:${closedPortB}`,
    refusingAgentUrl: `http://127.0.0.1:${closedPortC}/v1/credentials`,
    /** Whether HOME is still empty (nothing wrote an ~/.aws or a cache into it). */
    homeStillEmpty: () => readdirSync(home).length === 0,
  };
};

/**
 * The environment of one child. `settings` adds or overrides variables; a value of `undefined` removes one.
 * AWS_CONTAINER_CREDENTIALS_FULL_URI defaults to a refusing loopback URL; a scenario in which no container source may
 * be configured at all (nothing configured, kube2iam, the node's instance profile) removes it, and with
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI never set, neither implementation then contacts a container endpoint.
 */
export const childEnv = (sandbox, settings = {}) => {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: sandbox.home,
    NODE_NO_WARNINGS: "1", // hides the SDK's notice that its 2027 releases need Node 22
    AWS_REGION: "us-east-1",
    AWS_EC2_METADATA_SERVICE_ENDPOINT: sandbox.refusingMetadataUrl,
    AWS_ENDPOINT_URL_STS: sandbox.refusingStsUrl,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: sandbox.refusingAgentUrl,
    POD_CREDENTIALS_ANNOTATIONS_FILE: sandbox.annotationsFile,
    POD_CREDENTIALS_LOG_LEVEL: "silent",
  };
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  for (const name of ["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL_STS"]) {
    if (!/^http:\/\/127\.\d+\.\d+\.\d+:\d+/.test(env[name] ?? ""))
      throw new Error(`${name} must point at loopback, got ${env[name]}`);
  }
  const agent = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  if (agent !== undefined && !/^http:\/\/127\.\d+\.\d+\.\d+:\d+\//.test(agent))
    throw new Error(`AWS_CONTAINER_CREDENTIALS_FULL_URI must point at loopback, got ${agent}`);
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI !== undefined)
    throw new Error("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI would reach 169.254.170.2");
  return env;
};

const unusedPort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
