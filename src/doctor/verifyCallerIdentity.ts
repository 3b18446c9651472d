// `--verify`: STS GetCallerIdentity with the chain's credentials. The STS client that @aws-sdk/credential-providers
// installs (@aws-sdk/nested-clients/sts) has AssumeRole and AssumeRoleWithWebIdentity only, so the call is the STS
// query API, signed here with SigV4 and sent with the package's bounded HTTP client.
import { createHash, createHmac, type Hmac, type Hash as NodeHash } from "node:crypto";
import type { AwsCredentialIdentity, Hash, SourceData } from "@smithy/types";
import { displayUrl, quoteRemoteText } from "../base/logging.js";
import type { Environment } from "../base/settings.js";
import { type HttpResponse, httpRequest, isHttpRequestError } from "../wire/http.js";
import { errorReport, type VerificationReport } from "./doctorReport.js";

const QUERY = { Action: "GetCallerIdentity", Version: "2011-06-15" };
const STS_TIMEOUT_MS = 5000;
const MAX_ANSWER_BYTES = 64 * 1024;

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

const toBytes = (data: SourceData): string | Uint8Array =>
  typeof data === "string"
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

const getCallerIdentity = async (
  credentials: AwsCredentialIdentity,
  region: string,
  endpoint: URL,
): Promise<HttpResponse | string> => {
  // Loaded on demand: only --verify needs the signer.
  const { SignatureV4 } = await import("@smithy/signature-v4");
  const signer = new SignatureV4({ service: "sts", region, credentials, sha256: NodeSha256 });
  const signed = await signer.sign({
    method: "GET",
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port === "" ? {} : { port: Number(endpoint.port) }),
    path: endpoint.pathname === "" ? "/" : endpoint.pathname,
    query: QUERY,
    headers: { host: endpoint.host },
  });
  const target = new URL(endpoint.href);
  target.search = new URLSearchParams(QUERY).toString();
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name, String(value)]));
  const request = { url: target.href, headers, timeoutMs: STS_TIMEOUT_MS, maxBodyBytes: MAX_ANSWER_BYTES };
  // The answer, or why there was none.
  return httpRequest(request).catch((error: unknown) => {
    if (isHttpRequestError(error)) return error.message;
    throw error;
  });
};

/** The STS endpoint: `AWS_ENDPOINT_URL_STS`, else the regional one (`https://sts.<region>.amazonaws.com`). */
export const stsEndpoint = (region: string, env: Environment): string => {
  const configured = env.AWS_ENDPOINT_URL_STS?.trim();
  if (configured) return configured;
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://sts.${region}.${suffix}`;
};

const XML_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };

const xmlField = (xml: string, name: string): string | null => {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  const text = match?.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity: string) => XML_ENTITIES[entity] ?? "");
  return text === undefined ? null : quoteRemoteText(text, 400);
};

/**
 * Whether `arn:aws:sts::<account>:assumed-role/<role>/<session>` names `expectedRole` (a name or an ARN; paths
 * aside, since an assumed-role ARN has none); `null` when it cannot tell.
 */
export const arnMatchesRole = (arn: string | null, expectedRole: string | null | undefined): boolean | null => {
  if (!arn || !expectedRole) return null;
  const match = /:assumed-role\/([^/]+)\//.exec(arn);
  if (!match?.[1]) return null;
  return match[1] === expectedRole.slice(expectedRole.lastIndexOf("/") + 1);
};

/** Whom STS says `credentials` belong to (the chain's `expectedRole`?), or why it could not say; `skipped` without. */
export const verifyCallerIdentity = async (
  credentials: AwsCredentialIdentity | undefined,
  options: { readonly region: string; readonly env: Environment; readonly expectedRole?: string | undefined },
): Promise<VerificationReport> => {
  const started = Date.now();
  const endpoint = stsEndpoint(options.region, options.env);
  const report = (status: VerificationReport["status"], fields: Partial<VerificationReport> = {}) => ({
    status,
    region: options.region,
    endpoint: displayUrl(endpoint),
    arn: null,
    account: null,
    userId: null,
    matchesChainRole: null,
    error: null,
    elapsedMs: Date.now() - started,
    ...fields,
  });
  if (!credentials) return report("skipped", { elapsedMs: 0 });
  // A failure the operator can act on is reported, not thrown.
  const failed = (message: string, fix: string, status: number | null = null) =>
    report("failed", {
      error: { name: "VerificationError", message: `${message} Fix: ${fix}`, source: null, fix, status },
    });
  if (!URL.canParse(endpoint)) {
    return failed(
      "AWS_ENDPOINT_URL_STS is not a URL.",
      "set it to an https URL such as https://sts.us-east-1.amazonaws.com.",
    );
  }
  let answer: HttpResponse | string;
  try {
    answer = await getCallerIdentity(credentials, options.region, new URL(endpoint));
  } catch (error) {
    return report("failed", { error: errorReport(error) });
  }
  if (typeof answer === "string") {
    return failed(
      `Could not call STS GetCallerIdentity at ${displayUrl(endpoint)}: ${answer}.`,
      "check network access to STS (egress, proxies, AWS_ENDPOINT_URL_STS) and the region (--region or AWS_REGION).",
    );
  }
  if (answer.status !== 200) {
    const code = xmlField(answer.body, "Code") ?? `HTTP ${answer.status}`;
    const message = xmlField(answer.body, "Message") ?? quoteRemoteText(answer.body, 200);
    return failed(
      `STS GetCallerIdentity failed with ${code} (HTTP ${answer.status}): ${message}`,
      "the credentials the chain returned are not accepted by STS: check the source's role and the clock of this node.",
      answer.status,
    );
  }
  const arn = xmlField(answer.body, "Arn");
  return report("ok", {
    arn,
    account: xmlField(answer.body, "Account"),
    userId: xmlField(answer.body, "UserId"),
    matchesChainRole: arnMatchesRole(arn, options.expectedRole),
  });
};
