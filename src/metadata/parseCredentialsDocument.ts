import { CredentialSourceError } from "../base/errors.js";
import type { SourceName as CredentialSource } from "../base/settings.js";

/**
 * Credentials read from a credentials document: the answer of EC2 IMDS, kube2iam or kiam
 * (`/latest/meta-data/iam/security-credentials/<role>`) or of the EKS Pod Identity agent (`/v1/credentials`).
 */
export interface ParsedCredentials {
  /** `AccessKeyId`. */
  accessKeyId: string;
  /** `SecretAccessKey`. */
  secretAccessKey: string;
  /** `Token`: every one of these endpoints hands out temporary credentials, so it is required. */
  sessionToken: string;
  /** `Expiration`, parsed from its RFC 3339 text. */
  expiration: Date;
  /** `AccountId` (Pod Identity agent only), present when the document holds a 12-digit account id. */
  accountId?: string;
}

/** Where a document came from: named in every error. */
export interface CredentialsDocumentOrigin {
  /** The source that asked for it. */
  source: CredentialSource;
  /** The URL that answered (without any `user:password@`). */
  url: string;
}

/** The fields that must be non-empty strings, in the order they are reported. */
const REQUIRED_FIELDS = ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] as const;

/** The fields whose values must never appear in a message. */
const SECRET_FIELDS = ["AccessKeyId", "SecretAccessKey", "Token"] as const;

/** The example shown when `Expiration` is not a date-time. */
const EXPIRATION_EXAMPLE = "2026-11-27T21:00:00Z";

/**
 * RFC 3339 `date-time`: full date, `T`, full time with optional fraction, then `Z` or a numeric offset. Stricter than
 * `Date.parse`, which also takes "2026-11-27", "Nov 27 2026" or "1". Ranges are checked separately.
 */
const RFC3339_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * An `Expiration` value is echoed in messages only when it is made of digits and date punctuation: enough to show
 * "2026-11-27" or "1764277200", while a shifted field (a key or token where the date should be) is never echoed.
 */
const ECHOABLE_EXPIRATION = /^[0-9TtZz:+\-. ]{1,40}$/;

/** A `Code` value is echoed only when it is one short word, like IMDS's `AssumeRoleUnauthorizedAccess`. */
const ECHOABLE_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * Parses a credentials document from EC2 IMDS, kube2iam, kiam or the EKS Pod Identity agent.
 *
 * Accepted: a JSON object with non-empty string `AccessKeyId`, `SecretAccessKey`, `Token` and `Expiration` (an RFC 3339
 * date-time such as `2026-11-27T21:00:00Z`; fractional seconds and offsets are allowed). Key order and whitespace do
 * not matter. `Code`, when present, must be `"Success"`. Other fields (`Type`, `LastUpdated`, ...) are ignored.
 *
 * `AccountId` is returned only when it is a string of 12 digits. Any other value is ignored without an error: the
 * credentials work without it (it only enables account-based endpoints), so a malformed hint must not break them.
 *
 * This module only parses: whether the credentials are expired or about to expire is for the caller to decide.
 *
 * Messages name the URL, the source and the field at fault, and end with a fix. They never contain the body nor the
 * values of `AccessKeyId`, `SecretAccessKey` or `Token`. `Code` is quoted when it is one short word, and
 * `Expiration` when it is made of digits and date punctuation; `Message` is never quoted, since a proxy may put
 * anything there.
 *
 * @throws {CredentialSourceError} with `source` = `origin.source` and `target` = `origin.url` when the body is not
 *   JSON, not an object, has a `Code` other than `Success`, lacks a required field or has an invalid `Expiration`.
 *
 * @example
 * ```ts
 * const { status, body, url } = await requestMetadata({ url: credentialsUrl, timeoutMs: 1000, maxBodyBytes: 65_536 });
 * const credentials = parseCredentialsDocument(body, { source: "kube2iam", url });
 * credentials.expiration; // Date
 * ```
 */
export const parseCredentialsDocument = (body: string, origin: CredentialsDocumentOrigin): ParsedCredentials => {
  const { url } = origin;
  const text = body.startsWith("\uFEFF") ? body.slice(1) : body;

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    const trimmed = text.trim();
    const what =
      trimmed === ""
        ? "is empty"
        : trimmed.startsWith("<")
          ? "is not JSON: it looks like an HTML or XML page"
          : "is not JSON";
    throw sourceError(`The answer of ${url} ${what}.`, origin, wrongEndpointFix(origin), undefined);
  }

  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw sourceError(
      `The answer of ${url} is JSON but not an object (it is ${describeType(document)}).`,
      origin,
      wrongEndpointFix(origin),
      undefined,
    );
  }
  const fields = document as Record<string, unknown>;
  const field = (name: string): unknown => (Object.hasOwn(fields, name) ? fields[name] : undefined);

  if (Object.hasOwn(fields, "Code") && field("Code") !== "Success") {
    const code = field("Code");
    const shown =
      typeof code === "string" && ECHOABLE_CODE.test(code)
        ? `Code "${code}"`
        : `a Code that is not "Success" (${describeType(code)})`;
    throw sourceError(`${url} answered with ${shown} instead of credentials.`, origin, refusedFix(origin), fields);
  }

  const problems = REQUIRED_FIELDS.flatMap((name) => {
    const value = field(name);
    if (value === undefined) return [`${name} is missing`];
    if (typeof value !== "string") return [`${name} is not a string (it is ${describeType(value)})`];
    if (value.trim() === "") return [`${name} is empty`];
    return [];
  });
  if (problems.length > 0) {
    throw sourceError(
      `The answer of ${url} is not a credentials document: ${problems.join(", ")}.`,
      origin,
      wrongEndpointFix(origin),
      fields,
    );
  }

  const rawExpiration = field("Expiration") as string;
  const expiration = parseRfc3339(rawExpiration);
  if (expiration === undefined) {
    const shown = ECHOABLE_EXPIRATION.test(rawExpiration)
      ? `"${rawExpiration}"`
      : `(a string of ${rawExpiration.length} characters)`;
    throw sourceError(
      `The answer of ${url} has an Expiration ${shown} that is not an RFC 3339 date-time like ${EXPIRATION_EXAMPLE}.`,
      origin,
      wrongEndpointFix(origin),
      fields,
    );
  }

  const credentials: ParsedCredentials = {
    accessKeyId: field("AccessKeyId") as string,
    secretAccessKey: field("SecretAccessKey") as string,
    sessionToken: field("Token") as string,
    expiration,
  };
  const accountId = field("AccountId");
  if (typeof accountId === "string" && /^\d{12}$/.test(accountId)) credentials.accountId = accountId;
  return credentials;
};

/**
 * Parses an RFC 3339 date-time, checking every range (month 1-12, day within the month, hour 0-23, minute 0-59,
 * second 0-60 where 60 is a leap second, offset up to 23:59). Fractions beyond milliseconds are truncated.
 */
const parseRfc3339 = (text: string): Date | undefined => {
  const match = RFC3339_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = "", zulu, sign, offsetHours, offsetMinutes] = match;
  const numbers = [year, month, day, hour, minute, second].map(Number);
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = numbers;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) return undefined;
  let offsetMs = 0;
  if (zulu === undefined) {
    const oh = Number(offsetHours);
    const om = Number(offsetMinutes);
    if (oh > 23 || om > 59) return undefined;
    offsetMs = (sign === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const milliseconds = Number(fraction.slice(0, 3).padEnd(3, "0"));
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  date.setUTCFullYear(y, mo - 1, d);
  // A leap second (:60) is the instant just after :59.999.
  date.setUTCHours(h, mi, Math.min(s, 59), milliseconds);
  const time = date.getTime() + (s === 60 ? 1000 : 0) - offsetMs;
  return Number.isNaN(time) ? undefined : new Date(time);
};

const daysInMonth = (year: number, month: number): number => {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
};

/** Names a JSON value's type without showing the value. */
const describeType = (value: unknown): string => {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "object":
      return "an object";
    default:
      return typeof value;
  }
};

/** The fix when the endpoint answered something that is not a credentials document. */
const wrongEndpointFix = ({ source, url }: CredentialsDocumentOrigin): string => {
  const notCredentials = `the endpoint at ${url} is not a credentials endpoint:`;
  switch (source) {
    case "instanceProfile":
      return (
        `${notCredentials} check AWS_EC2_METADATA_SERVICE_ENDPOINT ` +
        "(when it is not set, the endpoint is http://169.254.169.254)."
      );
    case "kube2iam":
      return (
        `${notCredentials} check AWS_EC2_METADATA_SERVICE_ENDPOINT and that kube2iam or kiam on this node answers ` +
        "for the pod (see the proxy's logs)."
      );
    case "podIdentity":
      return (
        `${notCredentials} check AWS_CONTAINER_CREDENTIALS_FULL_URI (the EKS Pod Identity agent is ` +
        "http://169.254.170.23/v1/credentials) and that the eks-pod-identity-agent DaemonSet runs on this node."
      );
    default:
      return `${notCredentials} check the URL this source is configured with.`;
  }
};

/** The fix when the endpoint answered with a `Code` other than `Success`: it could not get credentials. */
const refusedFix = ({ source, url }: CredentialsDocumentOrigin): string => {
  switch (source) {
    case "instanceProfile":
      return (
        "the instance metadata service could not get credentials for the node's role: check the node's instance " +
        "profile and that its role trusts ec2.amazonaws.com."
      );
    case "kube2iam":
      return (
        `kube2iam or kiam at ${url} could not get credentials for the pod's role: check the pod's ` +
        "iam.amazonaws.com/role annotation, that the role trusts the node role, and the proxy's logs."
      );
    case "podIdentity":
      return (
        `the EKS Pod Identity agent at ${url} could not get credentials: check the pod identity association of the ` +
        "pod's service account and the agent's logs."
      );
    default:
      return `the endpoint at ${url} could not get credentials: check its logs.`;
  }
};

/**
 * Builds the error, removing from its texts any secret value of the document. The texts built above never quote a
 * secret field; this is the second line of defence against a value that also appears elsewhere (in `Code`, say).
 */
const sourceError = (
  problem: string,
  origin: CredentialsDocumentOrigin,
  fix: string,
  fields: Record<string, unknown> | undefined,
): CredentialSourceError => {
  const secrets = fields
    ? SECRET_FIELDS.map((name) => (Object.hasOwn(fields, name) ? fields[name] : undefined)).filter(
        (value): value is string => typeof value === "string" && value.length >= 8,
      )
    : [];
  const redact = (text: string): string =>
    secrets.reduce((result, secret) => result.split(secret).join("[redacted]"), text);
  return new CredentialSourceError(redact(problem), { source: origin.source, target: origin.url, fix: redact(fix) });
};
