import { randomBytes } from "node:crypto";
import { STATUS_CODES } from "node:http";
import { type ExpirationOptions, FakeServer, type FakeServerOptions, type RecordedRequest } from "./fakeServer.js";
import { hangResponse } from "./faults.js";
import { awsTimestamp } from "./wire.js";

const TOKEN_TTL_HEADER = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds";
const SIX_HOURS_MS = 6 * 60 * 60 * 1000;
const METADATA_PATH = /^\/(latest|\d{4}-\d{2}-\d{2})\/meta-data(\/.*)?$/;
/** The metadata folders: each answers its listing with or without a trailing slash. */
const FOLDERS = new Set(["", "/iam", "/iam/security-credentials", "/placement"]);
const DOCUMENT_KEYS = ["Code", "LastUpdated", "Type", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"];

/**
 * Options of {@link fakeImds}. All can be changed later with `configure`.
 * @example const imds = fakeImds({ roleName: "eks-node", v1Allowed: false, lifetimeMs: 60_000 });
 */
export interface FakeImdsOptions extends FakeServerOptions, ExpirationOptions {
  /** The instance profile's role, listed under `iam/security-credentials/`. @default "eks-node-role" */
  roleName?: string | undefined;
  /** Whether a GET without a token is answered (IMDSv1); a bad or expired token is 401 either way. @default true */
  v1Allowed?: boolean | undefined;
  /** The pod is one hop too far (hop limit 1): the token PUT gets no answer; IMDSv1 GETs work. @default false */
  hopLimitExceeded?: boolean | undefined;
  /** The instance has no instance profile: the role listing and everything under `iam/` is 404. @default false */
  noRole?: boolean | undefined;
  /** Under `instance-id`, and the node role's session name. @default "i-0123456789abcdef0" */
  instanceId?: string | undefined;
  /** The region under `placement/region`; the availability zone is the region plus `a`. @default "us-east-1" */
  region?: string | undefined;
  /** The account in the instance profile ARN under `iam/info`. @default "123456789012" */
  accountId?: string | undefined;
}

/** A token the fake IMDS issued, with its expiry. */
export interface IssuedImdsToken {
  /** As sent in `X-aws-ec2-metadata-token`. */
  readonly token: string;
  /** The TTL the client asked for. */
  readonly ttlSeconds: number;
  /** When the token stops being accepted, by the fake's clock. */
  readonly expiresAt: Date;
}

/** The fake IMDS, made by {@link fakeImds}. */
export class FakeImds extends FakeServer<FakeImdsOptions> {
  #tokens = new Map<string, IssuedImdsToken>();

  constructor(options: FakeImdsOptions = {}) {
    super(options, "IMDS");
  }

  /** Every session token issued by `PUT /latest/api/token`, oldest first. */
  get issuedTokens(): readonly IssuedImdsToken[] {
    return [...this.#tokens.values()];
  }

  /** Makes every token issued so far expired: the next GET carrying one is 401. */
  expireTokens(): this {
    const past = new Date(this.now().getTime() - 1000);
    for (const [token, issued] of this.#tokens) this.#tokens.set(token, { ...issued, expiresAt: past });
    return this;
  }

  protected override onReset(): void {
    this.#tokens.clear();
  }

  protected override faultHeaders(): Record<string, string> {
    return { Server: "EC2ws", "Content-Type": "text/plain" };
  }

  protected respond(request: RecordedRequest): Response {
    if (request.path === "/latest/api/token") return this.#token(request);
    const metadata = METADATA_PATH.exec(request.path);
    if (metadata === null) return this.#error(404);
    if (request.method !== "GET" && request.method !== "HEAD") return this.#error(405);
    const token = request.headers["x-aws-ec2-metadata-token"];
    const expiresAt = token === undefined ? undefined : (this.#tokens.get(token)?.expiresAt.getTime() ?? -Infinity);
    const leftMs = expiresAt === undefined ? undefined : expiresAt - this.now().getTime(); // undefined: IMDSv1
    if (leftMs === undefined ? this.options.v1Allowed === false : leftMs <= 0) return this.#error(401);
    const ttl = leftMs === undefined ? {} : { [TOKEN_TTL_HEADER]: String(Math.floor(leftMs / 1000)) };
    const body = this.#metadata(metadata[2] ?? "");
    return body === undefined ? this.#error(404) : this.#ok(body, ttl);
  }

  #token(request: RecordedRequest): Response {
    if (request.method !== "PUT") return this.#error(405, { Allow: "OPTIONS, PUT" });
    if (request.headers["x-forwarded-for"] !== undefined) return this.#error(403);
    if (this.options.hopLimitExceeded === true) return hangResponse();
    const ttlText = request.headers[TOKEN_TTL_HEADER.toLowerCase()]?.trim() ?? "";
    const ttl = Number(ttlText);
    if (!/^\d+$/.test(ttlText) || ttl < 1 || ttl > 21_600) return this.#error(400);
    const token = `AQAEA${randomBytes(42).toString("base64")}`;
    this.#tokens.set(token, { token, ttlSeconds: ttl, expiresAt: new Date(this.now().getTime() + ttl * 1000) });
    return this.#ok(token, { [TOKEN_TTL_HEADER]: String(ttl) });
  }

  #metadata(path: string): string | undefined {
    const { roleName = "eks-node-role", region = "us-east-1", accountId = "123456789012" } = this.options;
    const instanceId = this.options.instanceId ?? "i-0123456789abcdef0";
    const hasRole = this.options.noRole !== true;
    const root = ["ami-id", "hostname", ...(hasRole ? ["iam/"] : []), "instance-id", "local-ipv4", "placement/"];
    const iam = {
      "/iam": "info\nsecurity-credentials/",
      "/iam/info": imdsJson({
        Code: "Success",
        LastUpdated: awsTimestamp(this.now()),
        InstanceProfileArn: `arn:aws:iam::${accountId}:instance-profile/${roleName}`,
        InstanceProfileId: "AIPAFAKEINSTANCEPROFILE",
      }),
      "/iam/security-credentials": roleName,
    };
    const tree: Record<string, string> = {
      "": root.join("\n"),
      "/ami-id": "ami-0123456789abcdef0",
      "/hostname": "ip-10-0-0-1.ec2.internal",
      "/local-ipv4": "10.0.0.1",
      "/instance-id": instanceId,
      "/placement": "availability-zone\nregion",
      "/placement/region": region,
      "/placement/availability-zone": `${region}a`,
      ...(hasRole ? iam : {}),
    };
    const key = path.endsWith("/") && FOLDERS.has(path.slice(0, -1)) ? path.slice(0, -1) : path;
    if (Object.hasOwn(tree, key)) return tree[key];
    if (!hasRole || path !== `/iam/security-credentials/${roleName}`) return undefined;
    // STS knows the instance profile's sessions as the node role, named after the instance.
    const roleArn = `arn:aws:iam::${accountId}:role/${roleName}`;
    return imdsJson(this.serveCredentials(roleArn, instanceId, SIX_HOURS_MS, DOCUMENT_KEYS));
  }

  #ok(body: string, extra: Record<string, string>): Response {
    const headers = { "Content-Type": "text/plain", "Accept-Ranges": "none", Server: "EC2ws", ...extra };
    return new Response(body, { headers });
  }

  #error(status: number, extra: Record<string, string> = {}): Response {
    const title = `${status} - ${STATUS_CODES[status]}`;
    const page = `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
         "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>${title}</title>
 </head>
 <body>
  <h1>${title}</h1>
 </body>
</html>
`;
    return new Response(page, { status, headers: { "Content-Type": "text/html", Server: "EC2ws", ...extra } });
  }
}

/** IMDS's JSON: pretty-printed as `"Key" : "value"`, without a final newline. */
const imdsJson = (fields: Record<string, string>): string =>
  `{\n${Object.entries(fields)
    .map(([key, value]) => `  ${JSON.stringify(key)} : ${JSON.stringify(value)}`)
    .join(",\n")}\n}`;

/**
 * Creates a fake EC2 instance metadata service, faithful to the real one where clients notice:
 * - `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` (1 to 21600) answers a token; a missing or
 *   bad TTL is 400; a PUT carrying `X-Forwarded-For` is 403.
 * - `GET /latest/meta-data/iam/security-credentials/` lists the role name (no trailing newline); `.../<role>`
 *   answers pretty-printed JSON. Also `instance-id`, `placement/region`, `placement/availability-zone`, `iam/info`.
 * - Errors are HTML pages (`<title>404 - Not Found</title>`); every answer carries `Server: EC2ws`.
 * @example
 * import { fakeImds, startLoopbackServer } from "pod-credentials/testing";
 * const imds = fakeImds({ hopLimitExceeded: true });
 * const server = await startLoopbackServer(imds.handler);
 * process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = server.url; // a token PUT now hangs; an IMDSv1 GET still answers
 */
export const fakeImds = (options: FakeImdsOptions = {}): FakeImds => new FakeImds(options);
