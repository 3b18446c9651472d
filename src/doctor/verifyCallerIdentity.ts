import { createHash, createHmac, type Hmac, type Hash as NodeHash } from "node:crypto";
import type { AwsCredentialIdentity, Hash, SourceData } from "@smithy/types";
import { displayUrl, quoteRemoteText } from "../base/logging.js";
import type { Environment } from "../base/settings.js";
import { httpRequest, isHttpRequestError } from "../wire/http.js";
import type { VerificationReport } from "./doctorReport.js";
import { errorReport } from "./redaction.js";

const API_VERSION = "2011-06-15";
const STS_TIMEOUT_MS = 5000;
const MAX_ANSWER_BYTES = 64 * 1024;

/** Options of {@link verifyCallerIdentity}. */
export interface VerifyOptions {
  /** The region to sign for and, without `AWS_ENDPOINT_URL_STS`, whose regional endpoint to call. */
  readonly region: string;
  /** The environment, for `AWS_ENDPOINT_URL_STS`. */
  readonly env: Environment;
  /** The role the chain reported (ARN or name), to compare with the caller's ARN. */
  readonly expectedRole?: string | null | undefined;
}

/** SHA-256 and HMAC-SHA-256 from `node:crypto`, in the shape `@smithy/signature-v4` takes. */
class NodeSha256 implements Hash {
  readonly #hash: NodeHash | Hmac;

  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBytes(secret));
  }

  update(data: SourceData): void {
    this.#hash.update(toBytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

const toBytes = (data: SourceData): Uint8Array =>
  typeof data === "string"
    ? Buffer.from(data, "utf8")
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** The STS endpoint: `AWS_ENDPOINT_URL_STS`, else the regional one (`https://sts.<region>.amazonaws.com`). */
export const stsEndpoint = (region: string, env: Environment): string => {
  const configured = env.AWS_ENDPOINT_URL_STS?.trim();
  if (configured) return configured;
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://sts.${region}.${suffix}`;
};

const unescapeXml = (text: string): string =>
  text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

const xmlField = (xml: string, name: string): string | null => {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1] === undefined ? null : quoteRemoteText(unescapeXml(match[1]), 400);
};

/** The last path segment of a role name or ARN (`arn:aws:iam::1:role/team/orders` → `orders`). */
const bareRoleName = (role: string): string => role.slice(role.lastIndexOf("/") + 1);

/** Whether `arn:aws:sts::<account>:assumed-role/<role>/<session>` names `expectedRole`; `null` when it cannot tell. */
export const arnMatchesRole = (arn: string | null, expectedRole: string | null | undefined): boolean | null => {
  if (!arn || !expectedRole) return null;
  const match = /:assumed-role\/([^/]+)\//.exec(arn);
  if (!match?.[1]) return null;
  return match[1] === bareRoleName(expectedRole);
};

/** A failed call, as a plain error with the operator's fix. */
class VerificationError extends Error {
  override name = "VerificationError";
  constructor(
    message: string,
    readonly fix: string,
    readonly status?: number,
  ) {
    super(`${message} Fix: ${fix}`);
  }
}

/**
 * Calls STS `GetCallerIdentity` with `credentials` and reports who they belong to. The request is the STS query API
 * (`GET /?Action=GetCallerIdentity&Version=2011-06-15`) signed with SigV4 by `@smithy/signature-v4`: the SDK's
 * nested STS client that `@aws-sdk/credential-providers` installs has no `GetCallerIdentityCommand`. Honours
 * `AWS_ENDPOINT_URL_STS`. The answer holds no secret; the credentials never appear in the report.
 */
export const verifyCallerIdentity = async (
  credentials: AwsCredentialIdentity,
  options: VerifyOptions,
): Promise<VerificationReport> => {
  const started = Date.now();
  const endpoint = stsEndpoint(options.region, options.env);
  const base = { region: options.region, endpoint: displayUrl(endpoint) };
  try {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new VerificationError(
        "AWS_ENDPOINT_URL_STS is not a URL.",
        "set it to an https URL such as https://sts.us-east-1.amazonaws.com.",
      );
    }
    const { SignatureV4 } = await import("@smithy/signature-v4");
    const signer = new SignatureV4({ service: "sts", region: options.region, credentials, sha256: NodeSha256 });
    const query = { Action: "GetCallerIdentity", Version: API_VERSION };
    const signed = await signer.sign({
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === "" ? {} : { port: Number(url.port) }),
      path: url.pathname === "" ? "/" : url.pathname,
      query,
      headers: { host: url.host },
    });
    const target = new URL(url.href);
    target.search = new URLSearchParams(query).toString();
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name, String(value)]));
    let answer: Awaited<ReturnType<typeof httpRequest>>;
    try {
      answer = await httpRequest({
        url: target.href,
        headers,
        timeoutMs: STS_TIMEOUT_MS,
        maxBodyBytes: MAX_ANSWER_BYTES,
      });
    } catch (error) {
      if (!isHttpRequestError(error)) throw error;
      throw new VerificationError(
        `Could not call STS GetCallerIdentity at ${base.endpoint}: ${error.message}.`,
        "check network access to STS (egress, proxies, AWS_ENDPOINT_URL_STS) and the region (--region or AWS_REGION).",
      );
    }
    if (answer.status !== 200) {
      const code = xmlField(answer.body, "Code") ?? `HTTP ${answer.status}`;
      const message = xmlField(answer.body, "Message") ?? quoteRemoteText(answer.body, 200);
      throw new VerificationError(
        `STS GetCallerIdentity failed with ${code} (HTTP ${answer.status}): ${message}`,
        "the credentials the chain returned are not accepted by STS: check the source's role and the clock of this node.",
        answer.status,
      );
    }
    const arn = xmlField(answer.body, "Arn");
    return {
      status: "ok",
      ...base,
      arn,
      account: xmlField(answer.body, "Account"),
      userId: xmlField(answer.body, "UserId"),
      matchesChainRole: arnMatchesRole(arn, options.expectedRole),
      error: null,
      elapsedMs: Date.now() - started,
    };
  } catch (error) {
    return {
      status: "failed",
      ...base,
      arn: null,
      account: null,
      userId: null,
      matchesChainRole: null,
      error: errorReport(error),
      elapsedMs: Date.now() - started,
    };
  }
};

/** The verification section when the chain gave no credentials to verify. */
export const skippedVerification = (region: string, env: Environment): VerificationReport => ({
  status: "skipped",
  region,
  endpoint: displayUrl(stsEndpoint(region, env)),
  arn: null,
  account: null,
  userId: null,
  matchesChainRole: null,
  error: null,
  elapsedMs: 0,
});
