import type { AwsCredentialIdentity } from "@smithy/types";
import { redactSecrets } from "../base/logging.js";
import { isSourceName as isCredentialSource } from "../base/settings.js";
import type { CredentialsSummary, ErrorReport } from "./doctorReport.js";

/** An access key id as the doctor shows it: `…` and its last four characters, never more. */
export const lastFour = (accessKeyId: string): string => `…${accessKeyId.length > 4 ? accessKeyId.slice(-4) : ""}`;

/** Credentials without their secrets. */
export const summarizeCredentials = (
  credentials: AwsCredentialIdentity,
  identity: { roleArn?: string | undefined; roleName?: string | undefined; accountId?: string | undefined } = {},
): CredentialsSummary => ({
  accessKeyId: lastFour(credentials.accessKeyId),
  roleArn: identity.roleArn ?? null,
  roleName: identity.roleName ?? null,
  accountId: identity.accountId ?? credentials.accountId ?? null,
  expiration: credentials.expiration?.toISOString() ?? null,
});

/** The secret parts of credentials, for {@link scrubSecrets}. */
export const secretsOf = (credentials: AwsCredentialIdentity | undefined): string[] =>
  credentials ? [credentials.secretAccessKey, credentials.sessionToken ?? ""].filter((value) => value !== "") : [];

/** Any thrown value as the report shows it. */
export const errorReport = (error: unknown): ErrorReport => {
  if (!(error instanceof Error)) {
    return { name: "Error", message: String(error), source: null, fix: null, status: null };
  }
  const fields = error as Error & { source?: unknown; fix?: unknown; status?: unknown };
  return {
    name: error.name,
    message: error.message,
    source: typeof fields.source === "string" && isCredentialSource(fields.source) ? fields.source : null,
    fix: typeof fields.fix === "string" ? fields.fix : null,
    status: typeof fields.status === "number" ? fields.status : null,
  };
};

/** The message of an error without its `Fix: …` part: what a one-line progress message shows. */
export const problemOf = (error: ErrorReport): string => {
  const index = error.message.indexOf(" Fix: ");
  return `${error.name}: ${index === -1 ? error.message : error.message.slice(0, index)}`;
};

/**
 * Replaces every secret found in any string inside `value` (deeply: arrays and plain objects) with `[redacted]`.
 * The last line of defence before the report is printed: the library already keeps secrets out of its messages.
 */
export const scrubSecrets = <T>(value: T, secrets: readonly string[]): T => {
  const watched = secrets.filter((secret) => secret.length >= 8);
  if (watched.length === 0) return value;
  const walk = (item: unknown): unknown => {
    if (typeof item === "string") return redactSecrets(item, watched);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === "object") {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    }
    return item;
  };
  return walk(value) as T;
};
