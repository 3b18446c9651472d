// `pod-credentials credential-process`: the strict chain for any AWS SDK or CLI, through a `credential_process`
// profile. Standard output carries the document and nothing else; every message goes to standard error.
import type { AwsCredentialIdentity } from "@smithy/types";
import type { Environment } from "../base/settings.js";
import { fromPodProviderChain } from "../chain/fromPodProviderChain.js";
import { logLevelOf, streamLogger } from "./streamLogger.js";

/** The streams and environment of one run. */
export interface CommandIo {
  readonly env: Environment;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** An ISO 8601 time in whole seconds, as AWS writes expirations (`2030-01-01T00:00:00Z`). */
export const awsTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The document a `credential_process` prints (Version 1): `SessionToken` and `Expiration` only when the credentials
 * have them (static keys have neither, and the SDKs then treat the keys as not expiring).
 */
export const credentialProcessDocument = (credentials: AwsCredentialIdentity) => ({
  Version: 1,
  AccessKeyId: credentials.accessKeyId,
  SecretAccessKey: credentials.secretAccessKey,
  ...(credentials.sessionToken === undefined ? {} : { SessionToken: credentials.sessionToken }),
  ...(credentials.expiration === undefined ? {} : { Expiration: awsTime(credentials.expiration) }),
});

/**
 * Resolves once through the chain, configured by the environment alone, and prints the document; exit 0. On failure,
 * the chain's error (name, message and `Fix:`) on standard error and exit 2, as the doctor's "no pod-scoped
 * credentials". Nothing is written to disk: each run resolves anew (an SDK calls it again near the expiration).
 *
 * The default log level is `warn` (the AWS CLI shows the process's standard error to its user): the node-role
 * warning is kept, the info line is not. Error lines are dropped because the command prints the same error itself.
 */
export const runCredentialProcess = async (io: CommandIo): Promise<number> => {
  try {
    const logger = streamLogger(io.stderr, logLevelOf(io.env, "warn"), ["error"]);
    const credentials = await fromPodProviderChain({ env: io.env, logger })();
    io.stdout.write(`${JSON.stringify(credentialProcessDocument(credentials))}\n`);
    return 0;
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.stderr.write(`pod-credentials credential-process: ${text}\n`);
    return 2;
  }
};

/** `pod-credentials credential-process`: takes no arguments (a usage error, exit 1, otherwise). */
export const credentialProcessCommand = (io: CommandIo, args: readonly string[]): Promise<number> | number => {
  if (args.length > 0) {
    io.stderr.write(
      `pod-credentials: credential-process takes no arguments, not "${args[0]}"; it is configured by the environment, as the library is.\n`,
    );
    return 1;
  }
  return runCredentialProcess(io);
};
