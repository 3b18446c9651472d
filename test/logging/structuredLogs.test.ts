// Structured logs: through pinoLogger and winstonLogger, every line the chain logs carries the fields pino and
// winston index (source, roleArn, accountId, expiration, skipped), taken by the real pino and winston, never a secret;
// any other logger gets the message alone, as before.
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import winston from "winston";
import { guardLogger, logFields } from "../../src/base/logging.js";
import { fromPodProviderChain, pinoLogger, winstonLogger } from "../../src/index.js";
import { fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import { serve } from "../doctor/servers.js";
import { ACCOUNT_ID, ORDERS_ROLE_ARN, secretCredentials, secretToken, temporaryFile } from "../support/fakes.js";
import { recordOutput } from "../support/leakCheck.js";

/** A stream that keeps each JSON line a logger writes. */
const jsonLines = () => {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
};

/** A pod with EKS Pod Identity: the agent on loopback, so IRSA is skipped first. */
const podIdentityPod = async () => {
  const token = secretToken({ claims: { aud: ["pods.eks.amazonaws.com"] } });
  const issued = secretCredentials("STRUCT");
  const agent = fakePodIdentityAgent({ credentials: issued, expectedToken: token, accountId: ACCOUNT_ID });
  const env = {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${await serve(agent)}/v1/credentials`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: await temporaryFile("eks-pod-identity-token", token),
  };
  return { env, secrets: [token, issued.accessKeyId, issued.secretAccessKey, issued.sessionToken ?? ""] };
};

const expectNoSecret = (output: unknown, secrets: readonly string[]) => {
  const text = JSON.stringify(output);
  recordOutput(text);
  for (const secret of secrets) expect(text).not.toContain(secret);
};

describe("structured logs", () => {
  it("gives pino the resolution's fields as its own, the message as msg", async () => {
    const { env, secrets } = await podIdentityPod();
    const { lines, stream } = jsonLines();
    const credentials = fromPodProviderChain({ env, logger: pinoLogger(pino({ level: "info" }, stream)) });
    const { expiration } = await credentials();

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: expect.stringMatching(/^pod-credentials: using podIdentity credentials in account 123456789012, expiring /),
      source: "podIdentity",
      accountId: ACCOUNT_ID,
      expiration: expiration?.toISOString(),
      skipped: [{ source: "webIdentity", reason: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set" }],
    });
    expect(Object.keys(lines[0] ?? {}).sort()).toEqual(
      ["accountId", "expiration", "hostname", "level", "msg", "pid", "skipped", "source", "time"].sort(),
    );
    expectNoSecret(lines, secrets);
  });

  it("gives pino the source and the error's name on a failure, at error level", async () => {
    const token = secretToken();
    const sts = fakeSts({ expectedToken: token });
    sts.setMode("AccessDenied");
    const { lines, stream } = jsonLines();
    const credentials = fromPodProviderChain({
      env: {
        AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", token),
        AWS_ROLE_ARN: ORDERS_ROLE_ARN,
        AWS_ENDPOINT_URL_STS: await serve(sts),
        AWS_REGION: "eu-west-1",
      },
      logger: pinoLogger(pino({ level: "debug" }, stream)),
    });
    await expect(credentials()).rejects.toThrow(/AccessDenied/);

    const above = lines.filter(({ level }) => Number(level) >= 30);
    expect(above.map(({ level, source, roleArn, error }) => ({ level, source, roleArn, error }))).toEqual([
      { level: 50, source: "webIdentity", roleArn: undefined, error: "CredentialSourceError" },
    ]);
    expectNoSecret(lines, [token]);
  });

  it("gives winston the same fields as meta, merged into the entry", async () => {
    const { env, secrets } = await podIdentityPod();
    const { lines, stream } = jsonLines();
    const logger = winston.createLogger({
      level: "info",
      format: winston.format.json(),
      transports: [new winston.transports.Stream({ stream })],
    });
    await fromPodProviderChain({ env, logger: winstonLogger(logger) })();

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "info",
      message: expect.stringMatching(/^pod-credentials: using podIdentity credentials/),
      source: "podIdentity",
      accountId: ACCOUNT_ID,
      skipped: [{ source: "webIdentity", reason: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set" }],
    });
    expectNoSecret(lines, secrets);
  });

  it("gives a pino logger passed as is the message alone, and any other logger too", async () => {
    const { env } = await podIdentityPod();
    const { lines, stream } = jsonLines();
    await fromPodProviderChain({ env, logger: pino(stream) })();
    const calls: unknown[][] = [];
    const plain = { debug() {}, info: (...content: unknown[]) => calls.push(content), warn() {}, error() {} };
    await fromPodProviderChain({ env, logger: plain })();

    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0] ?? {})).not.toContain("source");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual([expect.stringMatching(/^pod-credentials: using podIdentity credentials/)]);
  });

  it("redacts the fields like the line: a secret in a field never reaches the logger", () => {
    const secret = "SECRETSECRETSECRETSECRET";
    const { lines, stream } = jsonLines();
    const logger = guardLogger(pinoLogger(pino(stream)), (text) => text.split(secret).join("[redacted]"));
    logger.info(
      `a line with ${secret}`,
      logFields({ source: "kube2iam", skipped: [{ source: "webIdentity", reason: `a reason with ${secret}` }] }),
    );

    expect(lines).toEqual([
      expect.objectContaining({
        msg: "a line with [redacted]",
        source: "kube2iam",
        skipped: [{ source: "webIdentity", reason: "a reason with [redacted]" }],
      }),
    ]);
  });

  it("leaves out fields that are not known, so pino and winston index no undefined", () => {
    expect(logFields({ source: "env", roleArn: undefined, accountId: undefined })).toEqual({ source: "env" });
  });
});
