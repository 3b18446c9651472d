import { CredentialSourceError } from "../base/errors.js";
import { quoteRemoteText } from "../base/logging.js";
import type { SourceName } from "../base/settings.js";
import type { HttpResponse } from "../wire/http.js";

// The EC2 metadata protocol as IMDS, kube2iam and kiam speak it and what their answers mean; and the credentials
// document that they and the EKS Pod Identity agent all answer with.

/** The IAM role listing; the role's credentials are at this path plus the role as listed. */
export const SECURITY_CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/";
/** The IMDSv2 session-token path. */
export const TOKEN_PATH = "/latest/api/token";
/** The header that carries an IMDSv2 session token. */
export const TOKEN_HEADER = "x-aws-ec2-metadata-token";
/** The header that asks for a session token of this many seconds. */
export const TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";

/**
 * A token the real EC2 IMDS can never have issued. IMDS answers a request that carries an invalid token with 401;
 * kube2iam and kiam ignore the header on the credentials paths and answer. Sent on every request to a metadata proxy,
 * so that the node's credentials are never fetched even if the proxy disappears between two requests.
 */
export const INVALID_IMDS_TOKEN = "pod-credentials-probe-not-a-valid-imds-token";

/** The first line of a role listing, trimmed: IMDS and the proxies list one role. */
export const firstListedRole = (body: string): string => body.trim().split(/\r?\n/)[0]?.trim() ?? "";

/**
 * What an answer on the metadata credentials paths means, for kube2iam, kiam and the real EC2 IMDS.
 *
 * - `realImds`: 401 to our deliberately invalid token: the real IMDS answered; no proxy intercepts this pod.
 * - `role`: 200 with a role (the listing).
 * - `noRole`: the proxy holds no role for this pod (kube2iam: 200 empty or 404 `unable to find role for IP`; kiam:
 *   404 `empty role`).
 * - `podNotYetKnown`: the proxy has not seen the pod yet (kube2iam: 404 `pod with specificed IP "…" not found`;
 *   kiam: 500 `… no pod found` or `… pod not found`).
 * - `refused`: a final "no" (kube2iam: 403 `Invalid role …`, 404 `role requested … not valid for namespace …`;
 *   kiam: 500 `… forbidden by policy`; or any other error status).
 */
export type ProxyAnswer =
  | { readonly kind: "realImds" }
  | { readonly kind: "role"; readonly role: string }
  | { readonly kind: "noRole"; readonly message: string }
  | { readonly kind: "podNotYetKnown"; readonly message: string }
  | { readonly kind: "refused"; readonly status: number; readonly message: string };

/** Texts only kube2iam writes, and texts only kiam writes. */
const KUBE2IAM_TEXTS = /specifi?c?ed IP|unable to find role for IP|^Invalid role|not valid for namespace of pod/i;
const KIAM_TEXTS = /^empty role$|error fetching credentials|allow-route-regexp|whitelist-route-regexp/i;

/** `"kube2iam: <message>"` or `"kiam: <message>"` when the text says which proxy wrote it; the message otherwise. */
export const attributeToProxy = (message: string): string =>
  KUBE2IAM_TEXTS.test(message) ? `kube2iam: ${message}` : KIAM_TEXTS.test(message) ? `kiam: ${message}` : message;

const POD_NOT_YET_KNOWN = /pod with specifi?c?ed IP\b.*not found|no pod found|pod not found/i;
const NO_ROLE = /unable to find role for IP|^empty role$/i;

/** Classifies an answer to `GET /latest/meta-data/iam/security-credentials/` (the role listing). */
export const classifyListingAnswer = (response: HttpResponse): ProxyAnswer => {
  if (response.status !== 200) return classifyErrorAnswer(response);
  const role = firstListedRole(response.body);
  // Only kube2iam answers an empty listing (a pod annotated with an empty role, and no default role).
  return role === "" ? { kind: "noRole", message: "kube2iam: the role listing is empty" } : { kind: "role", role };
};

/** Classifies an error answer (any status but 200) on the listing or credentials path. */
export const classifyErrorAnswer = (response: HttpResponse): Exclude<ProxyAnswer, { kind: "role" }> => {
  if (response.status === 401) return { kind: "realImds" };
  const text = quoteRemoteText(response.body) || "(no message)";
  const message = attributeToProxy(text);
  if (POD_NOT_YET_KNOWN.test(text)) return { kind: "podNotYetKnown", message };
  if (NO_ROLE.test(text)) return { kind: "noRole", message };
  return { kind: "refused", status: response.status, message };
};

/** Where a document came from (named in every error), and the fixes of that source's errors. */
export interface CredentialsDocumentOrigin {
  source: SourceName;
  /** The URL that answered, without any `user:password@`. */
  url: string;
  fix: {
    /** What to check when the answer is not a credentials document; follows "the endpoint at URL is not …: ". */
    notCredentials: string;
    /** The whole fix when the endpoint answered a `Code` other than `Success`: it could not get credentials. */
    refused: string;
  };
}

const SECRET_FIELDS = ["AccessKeyId", "SecretAccessKey", "Token"];
const EXAMPLE = "2026-11-27T21:00:00Z";
/** RFC 3339 `date-time` with each field in range; `Date.parse` also takes "2026-11-27", "Nov 27 2026" or "1". */
const RFC3339 =
  /^(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))T((?:[01]\d|2[0-3]):[0-5]\d):([0-5]\d|60)(?:\.(\d+))?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/i;
/** `Expiration` is quoted only when made of digits and date punctuation, so a shifted secret is never echoed. */
const ECHOABLE_EXPIRATION = /^[0-9TtZz:+\-. ]{1,40}$/;
/** `Code` is quoted only when it is one short word, like IMDS's `AssumeRoleUnauthorizedAccess`. */
const ECHOABLE_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * Parses a credentials document: a JSON object (a leading BOM is dropped) with non-empty string `AccessKeyId`,
 * `SecretAccessKey`, `Token` and an RFC 3339 `Expiration` (fractions, offsets and leap seconds allowed). `Code`, when
 * present, must be `"Success"`; other fields are ignored, and so is an `AccountId` (sent by the Pod Identity agent)
 * that is not 12 digits, since the credentials work without it. Whether they are expired is for the caller to decide.
 *
 * Messages name the URL, the source and the fields at fault; they never hold the body, `Message`, nor the values of
 * `AccessKeyId`, `SecretAccessKey` or `Token`.
 *
 * @throws {CredentialSourceError} with `target` = `origin.url` when the document is refused.
 */
export const parseCredentialsDocument = (body: string, origin: CredentialsDocumentOrigin) => {
  const { url } = origin;
  let fields: Record<string, unknown> = {};
  const field = (name: string): unknown => (Object.hasOwn(fields, name) ? fields[name] : undefined);
  const refuse = (
    problem: string,
    fix = `the endpoint at ${url} is not a credentials endpoint: ${origin.fix.notCredentials}`,
  ) => {
    // A second line of defence: no text here quotes a secret field, but a secret may also stand in `Code`, say.
    const secret = (value: unknown): value is string => typeof value === "string" && value.length >= 8;
    const secrets = SECRET_FIELDS.map(field).filter(secret);
    const redact = (text: string) => secrets.reduce((result, value) => result.replaceAll(value, "[redacted]"), text);
    return new CredentialSourceError(redact(problem), { source: origin.source, target: url, fix: redact(fix) });
  };

  const text = body.replace(/^\uFEFF/, "");
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    const html = text.trim().startsWith("<") ? ": it looks like an HTML or XML page" : "";
    throw refuse(`The answer of ${url} ${text.trim() === "" ? "is empty" : `is not JSON${html}`}.`);
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw refuse(`The answer of ${url} is JSON but not an object (it is ${typeName(document)}).`);
  }
  fields = document as Record<string, unknown>;

  const code = field("Code");
  if (Object.hasOwn(fields, "Code") && code !== "Success") {
    const echoable = typeof code === "string" && ECHOABLE_CODE.test(code);
    const shown = echoable ? `Code "${code}"` : `a Code that is not "Success" (${typeName(code)})`;
    throw refuse(`${url} answered with ${shown} instead of credentials.`, origin.fix.refused);
  }
  const problems = [...SECRET_FIELDS, "Expiration"].flatMap((name) => {
    const value = field(name);
    if (value === undefined) return [`${name} is missing`];
    if (typeof value !== "string") return [`${name} is not a string (it is ${typeName(value)})`];
    return value.trim() === "" ? [`${name} is empty`] : [];
  });
  if (problems.length > 0) throw refuse(`The answer of ${url} is not a credentials document: ${problems.join(", ")}.`);
  const rawExpiration = field("Expiration") as string;
  const expiration = parseRfc3339(rawExpiration);
  if (expiration === undefined) {
    const echoable = ECHOABLE_EXPIRATION.test(rawExpiration);
    const shown = echoable ? `"${rawExpiration}"` : `(a string of ${rawExpiration.length} characters)`;
    throw refuse(`The answer of ${url} has an Expiration ${shown} that is not an RFC 3339 date-time like ${EXAMPLE}.`);
  }
  const accountId = field("AccountId");
  return {
    accessKeyId: field("AccessKeyId") as string,
    secretAccessKey: field("SecretAccessKey") as string,
    sessionToken: field("Token") as string,
    expiration,
    ...(typeof accountId === "string" && /^\d{12}$/.test(accountId) ? { accountId } : {}),
  };
};

/** The instant of an RFC 3339 date-time; a leap second (:60) is the instant just after :59.999. */
const parseRfc3339 = (text: string): Date | undefined => {
  const [, date = "", hourMinute, second, fraction = "", zone = ""] = RFC3339.exec(text) ?? [];
  // The pattern bounds every field but the day within the month, which Date.parse would roll over (02-30 is 03-02).
  if (second === undefined || !new Date(`${date}T00:00:00Z`).toISOString().startsWith(date)) return undefined;
  const milliseconds = fraction.slice(0, 3).padEnd(3, "0");
  const leap = second === "60";
  const time = Date.parse(`${date}T${hourMinute}:${leap ? "59" : second}.${milliseconds}${zone.toUpperCase()}`);
  return new Date(time + (leap ? 1000 : 0));
};

/** A JSON value's type, without the value. */
const typeName = (value: unknown): string => {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
};
