import { randomUUID } from "node:crypto";
import {
  createFakeCredentials,
  type FakeCredentials,
  registerFakeCredentials,
  type StsCallerIdentity,
} from "./fakeCredentials.js";
import { FAKE_OIDC_ISSUER, jwtExpired, parseJwt } from "./fakeJwt.js";
import type { RecordedRequest } from "./fakeServer.js";
import { ModalFake, type ModalFakeOptions, type ModeOptions } from "./modalFake.js";
import { INVALID_TOKEN, parseAuthorization, verifySignature } from "./sigv4.js";
import { assumedRoleIdentity, awsTimestamp } from "./wire.js";

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ONE_HOUR_S = 3600;
const OIDC_PROVIDER = FAKE_OIDC_ISSUER.replace("https://", "");

/** An STS error a mode answers, with its status: 403 `AccessDenied`, `IDPRejectedClaim`, 500 `InternalFailure`, 400. */
export type StsErrorCode =
  | "InvalidIdentityToken"
  | "AccessDenied"
  | "ExpiredTokenException"
  | "Throttling"
  | "IDPCommunicationError"
  | "IDPRejectedClaim"
  | "InternalFailure";

/** What the fake STS answers: `ok`, or an {@link StsErrorCode} for every call. */
export type StsMode = "ok" | StsErrorCode;

/**
 * Parameters of a mode set with `setMode` on the fake STS.
 * @example fakeSts().setMode("InvalidIdentityToken", { times: 1, message: "Incorrect token audience" });
 */
export interface StsModeOptions extends ModeOptions {
  /** The error's `<Message>`. @default a message real STS sends for that code */
  message?: string | undefined;
}

const MESSAGES: Readonly<Record<StsErrorCode, string>> = {
  InvalidIdentityToken: `No OpenIDConnect provider found in your account for ${FAKE_OIDC_ISSUER}`,
  AccessDenied: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
  ExpiredTokenException: "Token expired: current date/time must be before the expiration date/time",
  Throttling: "Rate exceeded",
  IDPCommunicationError:
    "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  IDPRejectedClaim: "The identity provider rejected the claim",
  InternalFailure: "An internal error occurred. Try again.",
};

/** Real STS's status for each error code it does not answer with 400. */
const STATUS: Readonly<Record<string, number>> = {
  AccessDenied: 403,
  IDPRejectedClaim: 403,
  InternalFailure: 500,
  InvalidClientTokenId: 403,
  ExpiredToken: 403,
  SignatureDoesNotMatch: 403,
  MissingAuthenticationToken: 403,
  UnknownOperationException: 404,
};

/** One call the fake STS received, with the form fields parsed. */
export interface StsCall {
  /** `Action`, for example `AssumeRoleWithWebIdentity`. */
  readonly action: string;
  /** `RoleArn`, as sent. */
  readonly roleArn: string | undefined;
  /** `RoleSessionName`, as sent. */
  readonly roleSessionName: string | undefined;
  /** `WebIdentityToken`, as sent (the token STS received). */
  readonly webIdentityToken: string | undefined;
  /** `DurationSeconds`, when sent. */
  readonly durationSeconds: number | undefined;
  /** `Version`, `2011-06-15` from every SDK. */
  readonly version: string | undefined;
  /** The region of the SigV4 credential scope in `Authorization`, when the call was signed. */
  readonly region: string | undefined;
  /** The access key id that signed the call, when it was signed. */
  readonly signedWith: string | undefined;
  /** The `Host` the call was sent to. */
  readonly host: string;
  /** What came of the SigV4 signature: `rejected` for an unknown key or token, expiry, skew, a mismatch. */
  readonly signature: "unsigned" | "verified" | "rejected";
  /** Whom the verified signature belongs to (its `GetCallerIdentity` ARN), when known. */
  readonly callerArn: string | undefined;
  /** `ExternalId` (AssumeRole), as sent. */
  readonly externalId: string | undefined;
  /** `Policy`, the session policy (AssumeRole), as sent. */
  readonly policy: string | undefined;
  /** `Tags.member.N.Key` and `.Value` (AssumeRole), in order. */
  readonly tags: ReadonlyArray<Readonly<Record<"key" | "value", string>>>;
  /** `TransitiveTagKeys.member.N` (AssumeRole), in order. */
  readonly transitiveTagKeys: readonly string[];
  /** `SourceIdentity` (AssumeRole), as sent. */
  readonly sourceIdentity: string | undefined;
  /** Every form and query field, as sent. */
  readonly fields: Readonly<Record<string, string>>;
}

/** Credentials the fake STS issued, with the session they belong to. */
export interface IssuedStsCredentials extends FakeCredentials {
  /** The call that issued them. */
  readonly action: "AssumeRoleWithWebIdentity" | "AssumeRole";
  /** Whether they come from role chaining: AssumeRole called with a role session's credentials. */
  readonly chained: boolean;
  /** The ARN of the credentials that called AssumeRole; undefined for AssumeRoleWithWebIdentity. */
  readonly callerArn: string | undefined;
  /** `SourceIdentity`, when the call set one. */
  readonly sourceIdentity: string | undefined;
  /** The role assumed. */
  readonly roleArn: string;
  /** The session name the call sent. */
  readonly roleSessionName: string;
  /** When the credentials expire (whole seconds, as sent). */
  readonly expiration: Date;
  /** `arn:aws:sts::<account>:assumed-role/<role name>/<session>`. */
  readonly assumedRoleArn: string;
  /** `AROA...:<session>`. */
  readonly assumedRoleId: string;
}

/** Who may assume a role with `AssumeRole`: its trust policy's principals and `sts:ExternalId` condition. */
export interface StsTrustPolicy {
  /** Role ARNs (any of its sessions), `arn:aws:iam::<account>:root` (the account), exact caller ARNs, or `"*"`. */
  readonly principals: readonly string[];
  /** The `ExternalId` the call must send. Unset: none is required. */
  readonly externalId?: string | undefined;
}

/**
 * Options of {@link fakeSts}. All can be changed later with `configure`.
 * @example
 * const sts = fakeSts({ expectedToken: createFakeJwt(), expectedRoleArn: "arn:aws:iam::123456789012:role/reader" });
 */
export interface FakeStsOptions extends ModalFakeOptions<StsMode> {
  /** The only web identity token accepted, others are `InvalidIdentityToken`. Unset: any (unexpired) token. */
  expectedToken?: string | undefined;
  /** The only role `AssumeRoleWithWebIdentity` may assume; any other is `AccessDenied`. Unset: any role. */
  expectedRoleArn?: string | undefined;
  /**
   * The trust policies `AssumeRole` checks, by role ARN (a role missing is `AccessDenied`). Unset: any caller whose
   * signature verifies may assume any role.
   * @example { "arn:aws:iam::210987654321:role/reports-writer": ["arn:aws:iam::123456789012:role/orders-reader"] }
   */
  trust?: Readonly<Record<string, readonly string[] | StsTrustPolicy>> | undefined;
  /** Session length when the call sends no `DurationSeconds`. @default 3600 */
  durationSeconds?: number | undefined;
  /** The account of assumed-role ARNs when the role ARN has none. @default "123456789012" */
  accountId?: string | undefined;
  /** `<Provider>` in the answer. @default the OIDC provider of {@link FAKE_OIDC_ISSUER} in the role's account */
  provider?: string | undefined;
  /** `<Audience>` in the answer. @default "sts.amazonaws.com" */
  audience?: string | undefined;
  /**
   * Whose are credentials that verify but that no fake served (`createFakeCredentials`, or recorded without an
   * identity), for `GetCallerIdentity` and `AssumeRole`. Unset: 403 `InvalidClientTokenId`, as for unknown keys.
   */
  callerIdentity?: StsCallerIdentity | undefined;
}

/** The fake STS, made by {@link fakeSts}. Point the SDK at it with `AWS_ENDPOINT_URL_STS`. */
export class FakeSts extends ModalFake<StsMode, FakeStsOptions, StsModeOptions> {
  #calls: StsCall[] = [];
  #issued: IssuedStsCredentials[] = [];

  constructor(options: FakeStsOptions = {}) {
    super(options, "ok", "STS");
  }

  /** Every call received, with its form fields parsed, oldest first. */
  get calls(): readonly StsCall[] {
    return [...this.#calls];
  }

  /** Every set of credentials issued, oldest first. */
  get issued(): readonly IssuedStsCredentials[] {
    return [...this.#issued];
  }

  protected override onReset(): void {
    super.onReset();
    this.#calls = [];
    this.#issued = [];
  }

  protected respond(request: RecordedRequest): Response {
    const checked = verifySignature(request, this.now());
    const caller = checked.status === "verified" ? (checked.caller.identity ?? this.options.callerIdentity) : undefined;
    const call = callOf(request, checked.status, caller?.arn);
    this.#calls.push(call);
    if (request.path !== "/" || (request.method !== "POST" && request.method !== "GET"))
      return this.#error("UnknownOperationException", `No operation at ${request.method} ${request.path}`);
    if (checked.status === "rejected") return this.#error(...checked.error);
    const version = call.version ?? "2011-06-15";
    if (!["AssumeRoleWithWebIdentity", "AssumeRole", "GetCallerIdentity"].includes(call.action))
      return this.#error("InvalidAction", `Could not find operation ${call.action} for version ${version}`);
    if (checked.status === "unsigned" && call.action !== "AssumeRoleWithWebIdentity")
      return this.#error("MissingAuthenticationToken", "Request is missing Authentication Token");
    const [mode, params] = this.takeMode();
    if (mode !== "ok") return this.#error(mode, params.message ?? MESSAGES[mode]);
    if (call.action === "AssumeRoleWithWebIdentity") return this.#assumeRoleWithWebIdentity(call);
    if (caller === undefined) return this.#error("InvalidClientTokenId", INVALID_TOKEN);
    if (call.action === "AssumeRole") return this.#assumeRole(call, caller);
    return this.#xml("GetCallerIdentity", { Arn: caller.arn, UserId: caller.userId, Account: caller.account });
  }

  #assumeRoleWithWebIdentity(call: StsCall): Response {
    const invalid = invalidFields(call, ["roleArn", "roleSessionName", "webIdentityToken"]);
    if (invalid !== undefined) return this.#error("ValidationError", invalid);
    const { roleArn = "", webIdentityToken: token = "" } = call;
    const { expectedToken, expectedRoleArn } = this.options;
    if (token === "" || (expectedToken !== undefined && token !== expectedToken))
      return this.#error("InvalidIdentityToken", MESSAGES.InvalidIdentityToken);
    const parsed = parseJwt(token);
    const now = this.now();
    if (parsed.ok && jwtExpired(parsed.claims, now)) {
      const message = `Token expired: current date/time ${Math.floor(now.getTime() / 1000)} must be before`;
      return this.#error("ExpiredTokenException", `${message} the expiration date/time${Number(parsed.claims.exp)}`);
    }
    if (expectedRoleArn !== undefined && roleArn !== expectedRoleArn)
      return this.#error("AccessDenied", MESSAGES.AccessDenied);
    const issued = this.#issue(call, now);
    const subject =
      parsed.ok && typeof parsed.claims.sub === "string" ? parsed.claims.sub : "system:serviceaccount:default:orders";
    return this.#xml("AssumeRoleWithWebIdentity", {
      SubjectFromWebIdentityToken: subject,
      Audience: this.options.audience ?? "sts.amazonaws.com",
      AssumedRoleUser: { Arn: issued.assumedRoleArn, AssumedRoleId: issued.assumedRoleId },
      Credentials: credentialsXml(issued, ["sessionToken", "secretAccessKey", "expiration", "accessKeyId"]),
      Provider: this.options.provider ?? `arn:aws:iam::${this.#account(roleArn)}:oidc-provider/${OIDC_PROVIDER}`,
    });
  }

  #assumeRole(call: StsCall, caller: StsCallerIdentity): Response {
    const invalid = invalidFields(call, ["roleArn", "roleSessionName"]);
    if (invalid !== undefined) return this.#error("ValidationError", invalid);
    const roleArn = call.roleArn ?? "";
    // Any role session calling AssumeRole is role chaining, the instance profile's and the pod's included.
    const chained = caller.arn.includes(":assumed-role/");
    if (chained && (call.durationSeconds ?? 0) > ONE_HOUR_S) {
      const limit = "the 1 hour session limit for roles assumed by role chaining";
      return this.#error("ValidationError", `The requested DurationSeconds exceeds ${limit}.`);
    }
    if (!this.#trusts(roleArn, caller, call.externalId)) {
      const refusal = `is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
      return this.#error("AccessDenied", `User: ${caller.arn} ${refusal}`);
    }
    const issued = this.#issue(call, this.now(), caller.arn, chained);
    // An estimate (real STS packs and compresses): the policy's and tags' characters against 2,048.
    const sessionData = [call.policy ?? "", ...call.tags.flatMap(({ key, value }) => [key, value])].join("").length;
    const packedSize = String(Math.max(1, Math.ceil((sessionData * 100) / 2048)));
    return this.#xml("AssumeRole", {
      SourceIdentity: issued.sourceIdentity,
      AssumedRoleUser: { Arn: issued.assumedRoleArn, AssumedRoleId: issued.assumedRoleId },
      Credentials: credentialsXml(issued, ["accessKeyId", "secretAccessKey", "sessionToken", "expiration"]),
      PackedPolicySize: call.policy === undefined && call.tags.length === 0 ? undefined : packedSize,
    });
  }

  /** Whether the role's trust policy lets `caller` assume it (any caller when no `trust` is configured). */
  #trusts(roleArn: string, caller: StsCallerIdentity, externalId: string | undefined): boolean {
    const entry = this.options.trust?.[roleArn];
    if (entry === undefined) return this.options.trust === undefined;
    const policy: StsTrustPolicy = "principals" in entry ? entry : { principals: entry };
    if (policy.externalId !== undefined && policy.externalId !== externalId) return false;
    const session = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(caller.arn);
    return policy.principals.some((principal) => {
      if (principal === "*" || principal === caller.arn) return true;
      const account = /^arn:[^:]+:iam::(\d{12}):root$/.exec(principal)?.[1];
      if (account !== undefined) return account === caller.account;
      const role = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(principal);
      return role !== null && session !== null && role[1] === session[1] && role[2] === session[2];
    });
  }

  #issue(call: StsCall, now: Date, callerArn?: string, chained = false): IssuedStsCredentials {
    const credentials = { ...createFakeCredentials("STS"), ...this.options.credentials };
    const { roleArn = "", roleSessionName = "" } = call;
    const seconds = call.durationSeconds ?? this.options.durationSeconds ?? ONE_HOUR_S;
    const identity = assumedRoleIdentity(roleArn, roleSessionName, this.#account(roleArn));
    const expiration = new Date(Math.floor(now.getTime() / 1000) * 1000 + seconds * 1000); // whole seconds, as sent
    const issued: IssuedStsCredentials = Object.freeze({
      ...credentials,
      action: callerArn === undefined ? "AssumeRoleWithWebIdentity" : "AssumeRole",
      chained,
      callerArn,
      sourceIdentity: call.sourceIdentity,
      roleArn,
      roleSessionName,
      expiration,
      assumedRoleArn: identity.arn,
      assumedRoleId: identity.userId,
    });
    registerFakeCredentials(credentials, { identity, expiration });
    this.#issued.push(issued);
    return issued;
  }

  #account(roleArn: string): string {
    return /^arn:[^:]*:iam::(\d{12}):/.exec(roleArn)?.[1] ?? this.options.accountId ?? "123456789012";
  }

  #xml(action: string, result: Xml): Response {
    return xmlResponse(200, `${action}Response`, (RequestId) => ({
      [`${action}Result`]: result,
      ResponseMetadata: { RequestId },
    }));
  }

  /** STS's error document: the caller is to blame (`Sender`) for a 4xx, STS itself (`Receiver`) for a 5xx. */
  #error(code: string, message: string): Response {
    const status = STATUS[code] ?? 400;
    const type = status >= 500 ? "Receiver" : "Sender";
    return xmlResponse(status, "ErrorResponse", (RequestId) => ({
      Error: { Type: type, Code: code, Message: message },
      RequestId,
    }));
  }
}

/** STS's ValidationError message for missing fields, a bad session name or role ARN, a duration out of bounds. */
const invalidFields = (call: StsCall, required: ReadonlyArray<"roleArn" | "roleSessionName" | "webIdentityToken">) => {
  const missing = required.filter((field) => call[field] === undefined);
  const details = missing.map((key) => `Value null at '${key}' failed to satisfy constraint: Member must not be null`);
  if (missing.length > 0)
    return `${missing.length} validation error${missing.length > 1 ? "s" : ""} detected: ${details.join("; ")}`;
  const constraint = (value: unknown, field: string, rule: string) =>
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must ${rule}`;
  if (!SESSION_NAME.test(call.roleSessionName ?? ""))
    return constraint(call.roleSessionName, "roleSessionName", "satisfy regular expression pattern: [\\w+=,.@-]*");
  if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(call.roleArn ?? "")) return `${call.roleArn} is invalid`;
  const seconds = call.durationSeconds;
  if (seconds !== undefined && !(seconds >= 900))
    return constraint(call.fields.DurationSeconds, "durationSeconds", "have value greater than or equal to 900");
  if (seconds !== undefined && seconds > 43_200)
    return constraint(seconds, "durationSeconds", "have value less than or equal to 43200");
  return undefined;
};

const callOf = (request: RecordedRequest, signature: StsCall["signature"], callerArn: string | undefined): StsCall => {
  const fields: Record<string, string> = Object.fromEntries(new URLSearchParams(request.search));
  const contentType = request.headers["content-type"] ?? "";
  if (request.method === "POST" && (contentType === "" || contentType.includes("application/x-www-form-urlencoded")))
    Object.assign(fields, Object.fromEntries(new URLSearchParams(request.body)));
  const authorization = parseAuthorization(request.headers.authorization);
  const scope = Array.isArray(authorization) ? undefined : authorization;
  const duration = fields.DurationSeconds;
  return Object.freeze({
    action: fields.Action ?? "",
    roleArn: fields.RoleArn,
    roleSessionName: fields.RoleSessionName,
    webIdentityToken: fields.WebIdentityToken,
    durationSeconds: duration === undefined ? undefined : Number(duration),
    version: fields.Version,
    region: scope?.region,
    signedWith: scope?.accessKeyId,
    host: request.headers.host ?? new URL(request.url).host,
    signature,
    callerArn,
    externalId: fields.ExternalId,
    policy: fields.Policy,
    tags: membersOf((n) => fields[`Tags.member.${n}.Key`]).map((key, index) => ({
      key,
      value: fields[`Tags.member.${index + 1}.Value`] ?? "",
    })),
    transitiveTagKeys: membersOf((n) => fields[`TransitiveTagKeys.member.${n}`]),
    sourceIdentity: fields.SourceIdentity,
    fields: Object.freeze(fields),
  });
};

/** The values of a query-protocol list (`.member.1`, `.member.2`, ...), in order, up to the first gap. */
const membersOf = (at: (n: number) => string | undefined): string[] => {
  const values: string[] = [];
  for (let n = 1, value = at(1); value !== undefined; n += 1, value = at(n)) values.push(value);
  return values;
};

/** Elements in document order: text, nested elements, or undefined for an element left out. */
type Xml = { readonly [name: string]: string | Xml | undefined };

/** One element a line, two spaces a level deeper, text escaped. */
const xmlLines = (elements: Xml): string[] =>
  Object.entries(elements).flatMap(([name, value]) => {
    if (typeof value === "string")
      return [`<${name}>${value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</${name}>`];
    return value === undefined ? [] : [`<${name}>`, ...xmlLines(value).map((line) => `  ${line}`), `</${name}>`];
  });

/** STS's answer: the document with a final newline, its request id also in `x-amzn-RequestId`. */
const xmlResponse = (status: number, root: string, children: (requestId: string) => Xml): Response => {
  const requestId = randomUUID();
  const [, ...lines] = xmlLines({ [root]: children(requestId) });
  return new Response([`<${root} xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`, ...lines, ""].join("\n"), {
    status,
    headers: { "Content-Type": "text/xml", "x-amzn-RequestId": requestId },
  });
};

/** `<Credentials>` with its elements in `order` (each action answers them in its own), named in PascalCase. */
const credentialsXml = (issued: IssuedStsCredentials, order: ReadonlyArray<keyof FakeCredentials | "expiration">) =>
  Object.fromEntries(
    order.map((key) => [
      `${key.charAt(0).toUpperCase()}${key.slice(1)}`,
      key === "expiration" ? awsTimestamp(issued.expiration) : issued[key],
    ]),
  );

/**
 * Creates a fake AWS STS speaking the query protocol (`POST /` with a form, or `GET /?Action=...`):
 * `AssumeRoleWithWebIdentity` (unsigned), `AssumeRole` and `GetCallerIdentity` (signed), in STS's XML. A SigV4
 * signature is checked as real STS checks it, against the credentials the fakes handed out (see
 * {@link registerFakeCredentials}), and `GetCallerIdentity` answers whose they are. `AssumeRole` checks `trust` and
 * caps role chaining at one hour.
 * @example
 * import { fakeSts, startLoopbackServer } from "pod-credentials/testing";
 * const sts = fakeSts({
 *   trust: { "arn:aws:iam::210987654321:role/reports": ["arn:aws:iam::123456789012:role/orders-reader"] },
 * }).setMode("Throttling", { times: 1 });
 * const server = await startLoopbackServer(sts.handler);
 * process.env.AWS_ENDPOINT_URL_STS = server.url;
 */
export const fakeSts = (options: FakeStsOptions = {}): FakeSts => new FakeSts(options);
