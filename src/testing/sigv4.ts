// Internal: AWS Signature Version 4 as a server checks it, written from the specification rather than with
// @smithy/signature-v4, so a defect the SDK's signer shares with its own verifier cannot pass unnoticed. Clients differ
// in what they sign (the JS SDK v3 signs more headers than botocore), so the canonical request is rebuilt from the
// headers the client lists in SignedHeaders, whatever they are.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { type KnownFakeCredentials, knownFakeCredentials } from "./fakeCredentials.js";
import type { RecordedRequest } from "./fakeServer.js";

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_SKEW_MS = 15 * 60 * 1000;
export const INVALID_TOKEN = "The security token included in the request is invalid.";
const MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** What came of a request's signature; a rejection carries real STS's code and message. */
export type SignatureCheck =
  | { readonly status: "unsigned" }
  | { readonly status: "verified"; readonly caller: KnownFakeCredentials }
  | { readonly status: "rejected"; readonly error: [code: string, message: string] };

/**
 * Real STS's checks of a SigV4 signature, in its order: a complete header with a date, a key the fakes issued with
 * its session token, not expired, a scope of that day and of STS, a date within 15 minutes of `now`, then the
 * signature itself.
 */
export const verifySignature = (request: RecordedRequest, now: Date): SignatureCheck => {
  const authorization = parseAuthorization(request.headers.authorization);
  if (authorization === undefined) return { status: "unsigned" };
  const reject = (code: string, message: string): SignatureCheck => ({ status: "rejected", error: [code, message] });
  const amzDate = request.headers["x-amz-date"] ?? "";
  const signedAt = parseAmzDate(amzDate);
  if (Array.isArray(authorization) || signedAt === undefined) {
    const missing = Array.isArray(authorization) ? authorization : [];
    return reject("IncompleteSignature", incomplete(missing, signedAt === undefined));
  }
  const caller = knownFakeCredentials(authorization.accessKeyId);
  if (caller === undefined || (request.headers["x-amz-security-token"] ?? "") !== caller.sessionToken)
    return reject("InvalidClientTokenId", INVALID_TOKEN);
  if (caller.expiration !== undefined && caller.expiration.getTime() <= now.getTime())
    return reject("ExpiredToken", "The security token included in the request is expired");
  const day = amzDate.slice(0, 8);
  if (authorization.date !== day) {
    const message = "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP";
    return reject("SignatureDoesNotMatch", `${message}: '${authorization.date}' != '${day}', from '${amzDate}'.`);
  }
  if (authorization.service !== "sts")
    return reject("SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'. ");
  const skewed = skewMessage(amzDate, signedAt, now);
  if (skewed !== undefined) return reject("SignatureDoesNotMatch", skewed);
  if (!signatureMatches(request, authorization, amzDate, caller.secretAccessKey))
    return reject("SignatureDoesNotMatch", MISMATCH);
  return { status: "verified", caller };
};

/** The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header. */
interface SigV4Authorization {
  readonly accessKeyId: string;
  /** `YYYYMMDD` of the credential scope. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  /** Lower case, in the order the client listed them. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** The header's parts, the parameters it lacks (as `IncompleteSignature` lists them), or undefined if not SigV4. */
export const parseAuthorization = (header: string | undefined): SigV4Authorization | string[] | undefined => {
  if (header === undefined || !header.startsWith(`${ALGORITHM} `)) return undefined;
  const parameters = new Map(
    header
      .slice(ALGORITHM.length + 1)
      .split(",")
      .map((part) => {
        const [name = "", ...value] = part.trim().split("=");
        return [name, value.join("=")] as const;
      }),
  );
  const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(parameters.get("Credential") ?? "");
  const signedHeaders = parameters.get("SignedHeaders") ?? "";
  const signature = parameters.get("Signature") ?? "";
  const missing = ["Credential", "SignedHeaders", "Signature"].filter((name) =>
    name === "Credential" ? credential === null : !parameters.get(name),
  );
  if (credential === null || missing.length > 0) return missing;
  const [, accessKeyId = "", date = "", region = "", service = ""] = credential;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(";"), signature };
};

/** IncompleteSignature's message: each missing parameter, then the missing date. */
const incomplete = (missing: readonly string[], noDate: boolean): string =>
  [
    ...missing.map((name) => `Authorization header requires '${name}' parameter.`),
    ...(noDate ? ["Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."] : []),
  ].join(" ");

/** Real STS's message for a request signed more than 15 minutes before or after its clock; undefined within. */
const skewMessage = (amzDate: string, signedAt: Date, now: Date): string | undefined => {
  const skewMs = signedAt.getTime() - now.getTime();
  if (Math.abs(skewMs) <= MAX_SKEW_MS) return undefined;
  const sign = skewMs < 0 ? -1 : 1;
  const bound = amzDateOf(new Date(now.getTime() + sign * MAX_SKEW_MS));
  const window = `(${amzDateOf(now)} ${sign < 0 ? "-" : "+"} 15 min.)`;
  return sign < 0
    ? `Signature expired: ${amzDate} is now earlier than ${bound} ${window}`
    : `Signature not yet current: ${amzDate} is still later than ${bound} ${window}`;
};

/** RFC 3986 percent-encoding, as SigV4 wants it: everything but `A-Za-z0-9-_.~`. */
const encode = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** The query's pairs decoded, encoded again the SigV4 way, sorted by name then value. */
const canonicalQuery = (search: string): string =>
  search
    .replace(/^\?/, "")
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const [, name = "", value = ""] = /^([^=]*)=?(.*)$/s.exec(pair) ?? [];
      return [encode(decode(name)), encode(decode(value))] as const;
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");

const sha256 = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

/**
 * Whether `request` carries the signature `secret` makes for it. The path's segments are encoded again, as services
 * other than S3 expect; the body hashed is the one actually received.
 */
const signatureMatches = (request: RecordedRequest, auth: SigV4Authorization, amzDate: string, secret: string) => {
  const host = new URL(request.url).host;
  const canonicalHeaders = auth.signedHeaders.map((name) => {
    const value = request.headers[name] ?? (name === "host" ? host : "");
    return `${name}:${value.trim().replace(/\s+/g, " ")}\n`;
  });
  const canonicalRequest = [
    request.method,
    request.path.split("/").map(encode).join("/"),
    canonicalQuery(request.search),
    canonicalHeaders.join(""),
    auth.signedHeaders.join(";"),
    sha256(request.body),
  ].join("\n");
  const { date, region, service } = auth;
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256(canonicalRequest)].join("\n");
  let key: string | Buffer = `AWS4${secret}`;
  for (const part of [date, region, service, "aws4_request"]) key = hmac(key, part);
  const expected = Buffer.from(hmac(key, stringToSign).toString("hex"));
  const received = Buffer.from(auth.signature);
  return expected.length === received.length && timingSafeEqual(expected, received);
};

/** `20300101T000000Z` (SigV4's basic ISO 8601) as a date, or undefined when it is not one. */
const parseAmzDate = (text: string): Date | undefined => {
  const iso = text.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z");
  const date = new Date(iso);
  return iso === text || Number.isNaN(date.getTime()) ? undefined : date;
};

const amzDateOf = (date: Date): string => `${date.toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
