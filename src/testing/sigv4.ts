// Internal: AWS Signature Version 4 as a server checks it, written from the specification rather than with
// @smithy/signature-v4, so a defect the SDK's signer shares with its own verifier cannot pass unnoticed. Clients differ
// in what they sign (botocore: content-type, host, x-amz-date, x-amz-security-token; the JS SDK v3 also
// content-length, x-amz-content-sha256 and amz-sdk-*), so the canonical request is rebuilt from the headers the
// client lists in SignedHeaders, whatever they are.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { RecordedRequest } from "./fakeServer.js";

const ALGORITHM = "AWS4-HMAC-SHA256";

/** The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header. */
export interface SigV4Authorization {
  readonly accessKeyId: string;
  /** `YYYYMMDD` of the credential scope. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  /** Lower case, in the order the client listed them. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/**
 * The header's parts, or the names of the parameters it lacks (as STS lists them in `IncompleteSignature`);
 * undefined for a request that is not signed with SigV4.
 */
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
  const missing = [
    ...(credential === null ? ["Credential"] : []),
    ...(signedHeaders === "" ? ["SignedHeaders"] : []),
    ...(signature === "" ? ["Signature"] : []),
  ];
  if (credential === null || missing.length > 0) return missing;
  const [, accessKeyId = "", date = "", region = "", service = ""] = credential;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(";"), signature };
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
      const at = pair.indexOf("=");
      const [name, value] = at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
      return [encode(decode(name)), encode(decode(value))] as const;
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");

const sha256 = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

/**
 * Whether `request` carries the signature `secretAccessKey` makes for it: the canonical request (method, the path
 * with each segment encoded again as services other than S3 expect, the canonical query, the signed headers with
 * their values trimmed and inner spaces folded, the SHA-256 of the body actually received), the string to sign for
 * the scope and `amzDate`, and the key derived from the secret for the scope's date, region and service.
 */
export const signatureMatches = (
  request: RecordedRequest,
  authorization: SigV4Authorization,
  amzDate: string,
  secretAccessKey: string,
): boolean => {
  const host = new URL(request.url).host;
  const canonicalHeaders = authorization.signedHeaders.map((name) => {
    const value = request.headers[name] ?? (name === "host" ? host : "");
    return `${name}:${value.trim().replace(/\s+/g, " ")}\n`;
  });
  const canonicalRequest = [
    request.method,
    request.path.split("/").map(encode).join("/"),
    canonicalQuery(request.search),
    canonicalHeaders.join(""),
    authorization.signedHeaders.join(";"),
    sha256(request.body),
  ].join("\n");
  const { date, region, service } = authorization;
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = [date, region, service, "aws4_request"].reduce<string | Buffer>(
    (previous, part) => hmac(previous, part),
    `AWS4${secretAccessKey}`,
  );
  const expected = Buffer.from(hmac(key, stringToSign).toString("hex"));
  const received = Buffer.from(authorization.signature);
  return expected.length === received.length && timingSafeEqual(expected, received);
};

/** `20300101T000000Z` (SigV4's basic ISO 8601) as a date, or undefined when it is not one. */
export const parseAmzDate = (text: string | undefined): Date | undefined => {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? "");
  if (match === null) return undefined;
  const [, year, month, day, hours, minutes, seconds] = match;
  const date = new Date(`${year}-${month}-${day}T${hours}:${minutes}:${seconds}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

/** A date in SigV4's basic ISO 8601: `20300101T000000Z`. */
export const amzDateOf = (date: Date): string => `${date.toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
