// Run by scripts/runtimes/run.mjs with each runtime (Node, Bun, Deno) inside a scratch project where the packed
// package is installed: imports both entry points as ES modules and resolves credentials against the package's own
// fakes on loopback, each provider isolated by its `env` option. Prints one JSON object: the checks and their results.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromPodProviderChain, isPodCredentialsError, noopLogger } from "pod-credentials";
import {
  createFakeCredentials,
  createFakeJwt,
  fakeImds,
  fakePodIdentityAgent,
  fakeSts,
  startLoopbackServer,
} from "pod-credentials/testing";

const ROLE_ARN = "arn:aws:iam::123456789012:role/orders-reader";
const checks = [];
const folder = await mkdtemp(join(tmpdir(), "pod-credentials-runtime-"));
const servers = [];
const serve = async (fake) => {
  const server = await startLoopbackServer(fake.handler);
  servers.push(server);
  return server.url;
};

/** Runs one check; a thrown error or a false answer fails it, with the reason in one line. */
const check = async (name, body) => {
  try {
    const detail = await body();
    checks.push({ name, ok: true, detail });
  } catch (error) {
    checks.push({
      name,
      ok: false,
      detail: `${error?.name ?? "Error"}: ${String(error?.message ?? error).split("\n")[0]}`,
    });
  }
};
const expectEqual = (actual, expected, what) => {
  if (actual !== expected)
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};

try {
  await check("nothing configured: NoPodCredentialsError before any request", async () => {
    const error = await fromPodProviderChain({ env: {}, logger: noopLogger })().catch((e) => e);
    expectEqual(isPodCredentialsError(error, "NoPodCredentialsError"), true, "error");
    return error.name;
  });

  await check("IRSA against the fake STS (SDK fromWebToken, one STS call)", async () => {
    const token = createFakeJwt();
    const issued = createFakeCredentials("RUNTIME");
    const sts = fakeSts({ credentials: issued, expectedToken: token });
    const tokenFile = join(folder, "token");
    await writeFile(tokenFile, token);
    const provider = fromPodProviderChain({
      env: {
        AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
        AWS_ROLE_ARN: ROLE_ARN,
        AWS_ENDPOINT_URL_STS: await serve(sts),
        AWS_REGION: "eu-west-1",
      },
      logger: noopLogger,
    });
    const credentials = await provider();
    expectEqual(credentials.accessKeyId, issued.accessKeyId, "access key id");
    expectEqual(provider.describe()?.source, "webIdentity", "source");
    expectEqual(sts.calls.length, 1, "STS calls");
    return `role ${provider.describe()?.roleArn}`;
  });

  await check("EKS Pod Identity against the fake agent", async () => {
    const token = createFakeJwt({ claims: { aud: ["pods.eks.amazonaws.com"] } });
    const issued = createFakeCredentials("PODID");
    const agent = fakePodIdentityAgent({ credentials: issued, expectedToken: token, accountId: "210987654321" });
    const tokenFile = join(folder, "eks-pod-identity-token");
    await writeFile(tokenFile, token);
    const provider = fromPodProviderChain({
      env: {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${await serve(agent)}/v1/credentials`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
      },
      logger: noopLogger,
    });
    const credentials = await provider();
    expectEqual(credentials.accessKeyId, issued.accessKeyId, "access key id");
    expectEqual(provider.describe()?.accountId, "210987654321", "account");
    expectEqual(agent.requests.length, 1, "agent requests");
    return `account ${provider.describe()?.accountId}`;
  });

  await check("kube2iam declared, the real IMDS answers: the node's role refused", async () => {
    const imds = fakeImds({ roleName: "eks-node-role" });
    const error = await fromPodProviderChain({
      env: { POD_CREDENTIALS_ROLE: "orders-reader", AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(imds) },
      startupTimeoutMs: 0,
      logger: noopLogger,
    })().catch((e) => e);
    expectEqual(isPodCredentialsError(error, "NodeCredentialsRefusedError"), true, `error (${error?.name})`);
    return error.name;
  });
} finally {
  await Promise.all(servers.map((server) => server.close()));
  await rm(folder, { recursive: true, force: true });
}
console.log(JSON.stringify({ checks }));
