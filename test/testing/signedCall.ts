// A call to the fake STS signed by the AWS SDK's own SigV4 signer (@smithy/signature-v4), as the JS SDK v3 signs it.
import { createHash, createHmac, type Hmac, type Hash as NodeHash } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, Hash, SourceData } from "@smithy/types";

/** The SHA-256 and HMAC the SDK's signer asks for, from node:crypto. */
export class NodeSha256 implements Hash {
  readonly #hash: NodeHash | Hmac;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === "string"
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

export interface SignedCallOptions {
  /** GET signs the fields in the query string (as the doctor does); POST sends them as a form (as the SDK does). */
  readonly method?: "GET" | "POST";
  readonly region?: string;
  readonly service?: string;
  readonly signingDate?: Date;
}

/** The URL and fetch options of an STS query-protocol call to `baseUrl`, signed with `credentials`. */
export const signedCall = async (
  baseUrl: string,
  fields: Record<string, string>,
  credentials: AwsCredentialIdentity,
  options: SignedCallOptions = {},
): Promise<{ url: string; init: RequestInit & { headers: Record<string, string>; body?: string } }> => {
  const endpoint = new URL(baseUrl);
  const method = options.method ?? "POST";
  const body = method === "POST" ? new URLSearchParams(fields).toString() : undefined;
  const signer = new SignatureV4({
    service: options.service ?? "sts",
    region: options.region ?? "us-east-1",
    credentials,
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    {
      method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port === "" ? {} : { port: Number(endpoint.port) }),
      path: "/",
      query: method === "GET" ? fields : {},
      headers: {
        host: endpoint.host,
        ...(body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }),
      },
      ...(body === undefined ? {} : { body }),
    },
    options.signingDate === undefined ? {} : { signingDate: options.signingDate },
  );
  const url = new URL("/", endpoint);
  if (method === "GET") url.search = new URLSearchParams(fields).toString();
  return {
    url: url.href,
    init: { method, headers: fetchHeaders(signed.headers), ...(body === undefined ? {} : { body }) },
  };
};

/** A signed request's headers as fetch takes them: without Host, which fetch sets itself to the same value. */
export const fetchHeaders = (signed: Record<string, unknown>): Record<string, string> => {
  const { host: _host, ...headers } = Object.fromEntries(
    Object.entries(signed).map(([name, value]) => [name, String(value)]),
  );
  return headers;
};
