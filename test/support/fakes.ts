import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import {
  createFakeCredentials,
  createFakeJwt,
  type FakeCredentials,
  type FakeHandler,
  mswHandlers,
  registerFakeCredentials,
} from "../../src/testing/index.js";
import { registerSecrets } from "./leakCheck.js";
import { mswServer } from "./mswServer.js";

/** Fake credentials whose secret parts the leak check watches for. */
export const secretCredentials = (prefix: string): FakeCredentials => {
  const credentials = createFakeCredentials(prefix);
  registerSecrets(credentials.secretAccessKey, credentials.sessionToken);
  return credentials;
};

/** Whom STS GetCallerIdentity names for a session of the node's instance profile: the node's own role. */
export const NODE_IDENTITY = {
  arn: "arn:aws:sts::123456789012:assumed-role/eks-node-role/i-0123456789abcdef0",
  account: "123456789012",
  userId: "AROAFAKENODEROLE0000:i-0123456789abcdef0",
};

/**
 * The JSON document of something posing as the Pod Identity agent that passes the node's credentials through,
 * expiring at `expiration`: the fake STS answers GetCallerIdentity for them with NODE_IDENTITY. Leak-checked.
 */
export const nodeCredentialsDocument = (expiration: Date): string => {
  const node = secretCredentials("NODE");
  registerFakeCredentials(node, { identity: NODE_IDENTITY });
  return JSON.stringify({
    AccessKeyId: node.accessKeyId,
    SecretAccessKey: node.secretAccessKey,
    Token: node.sessionToken,
    Expiration: expiration.toISOString(),
  });
};

/** A fake service-account token the leak check watches for. */
export const secretToken = (options: Parameters<typeof createFakeJwt>[0] = {}): string => {
  const token = createFakeJwt(options);
  registerSecrets(token);
  return token;
};

/**
 * The variables EKS sets for Pod Identity, with the agent at its link-local address (msw answers it) and a day-long
 * token the leak check watches, then `extra`.
 */
export const podIdentityEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
  AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken({ expiresInSeconds: 86_400 }),
  ...extra,
});

/** Serves a fake through msw at `baseUrl` (intercepted before anything leaves the machine). */
export const serveWithMsw = async (baseUrl: string, fake: { handler: FakeHandler }): Promise<void> => {
  mswServer.use(...(await mswHandlers(baseUrl, fake.handler)));
};

/** Writes a file in a fresh temporary folder and returns its path. */
export const temporaryFile = async (name: string, content: string): Promise<string> => {
  const folder = await mkdtemp(join(tmpdir(), "pod-credentials-test-"));
  const path = join(folder, name);
  await writeFile(path, content);
  return path;
};

/** A fresh temporary folder for each test of the enclosing `describe` (or file), removed after it; call to get it. */
export const temporaryFolderEach = (prefix: string): (() => string) => {
  let folder = "";
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), `pod-credentials-${prefix}-`));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });
  return () => folder;
};

export const ACCOUNT_ID = "123456789012";
export const ORDERS_ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/orders-reader`;
