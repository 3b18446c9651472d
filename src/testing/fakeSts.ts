// A fake AWS STS speaking the query protocol: AssumeRoleWithWebIdentity and GetCallerIdentity, real XML both ways.
import { createHash, randomUUID } from "node:crypto";
import { createFakeCredentials, type FakeCredentials } from "./fakeCredentials.js";
import { FAKE_OIDC_ISSUER, jwtExpired, parseJwt } from "./fakeJwt.js";
import type { RecordedRequest } from "./fakeServer.js";
import { ModalFake, type ModalFakeOptions, type ModeOptions } from "./modalFake.js";
import { awsTimestamp, roleNameOf, sigV4Scope } from "./wire.js";

const XML_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
const API_VERSION = "2011-06-15";
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * An STS error the fake can answer with, with real STS's status: 403 for `AccessDenied` and `IDPRejectedClaim`, 500
 * (`Receiver`) for `InternalFailure`, 400 for the others.
 */
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
 *
 * @example
 * ```ts
 * fakeSts().setMode("InvalidIdentityToken", { times: 1, message: "Incorrect token audience" });
 * ```
 */
export interface StsModeOptions extends ModeOptions {
  /** The error's `<Message>`. @default a message real STS sends for that code */
  message?: string | undefined;
}

/** Each error's status and the message real STS sends with it. */
const ERRORS: Readonly<Record<StsErrorCode, readonly [status: number, message: string]>> = {
  InvalidIdentityToken: [400, `No OpenIDConnect provider found in your account for ${FAKE_OIDC_ISSUER}`],
  AccessDenied: [403, "Not authorized to perform sts:AssumeRoleWithWebIdentity"],
  ExpiredTokenException: [400, "Token expired: current date/time must be before the expiration date/time"],
  Throttling: [400, "Rate exceeded"],
  IDPCommunicationError: [
    400,
    "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  ],
  IDPRejectedClaim: [403, "The identity provider rejected the claim"],
  InternalFailure: [500, "An internal error occurred. Try again."],
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
  /** Every form and query field, as sent. */
  readonly fields: Readonly<Record<string, string>>;
}

/** Credentials the fake STS issued, with the session they belong to. */
export interface IssuedStsCredentials extends FakeCredentials {
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

/** An identity `GetCallerIdentity` answers for keys the fake did not issue. */
export interface StsCallerIdentity {
  /** `<Arn>`, for example `arn:aws:sts::123456789012:assumed-role/eks-node-role/i-0123456789abcdef0`. */
  readonly arn: string;
  /** `<Account>`, twelve digits. */
  readonly account: string;
  /** `<UserId>`, for example `AROAFAKENODEROLE0000:i-0123456789abcdef0`. */
  readonly userId: string;
}

/**
 * Options of {@link fakeSts}. All can be changed later with `configure`.
 *
 * @example
 * ```ts
 * const sts = fakeSts({ expectedToken: createFakeJwt(), expectedRoleArn: "arn:aws:iam::123456789012:role/reader" });
 * ```
 */
export interface FakeStsOptions extends ModalFakeOptions<StsMode> {
  /**
   * The only web identity token accepted; any other is `InvalidIdentityToken`. Unset: any non-empty token is
   * accepted (a JWT whose `exp` has passed is `ExpiredTokenException` either way).
   */
  expectedToken?: string | undefined;
  /** The only role that may be assumed; any other is `AccessDenied`. Unset: any role. */
  expectedRoleArn?: string | undefined;
  /** Session length when the call sends no `DurationSeconds`. @default 3600 */
  durationSeconds?: number | undefined;
  /** The account of assumed-role ARNs when the role ARN has none. @default "123456789012" */
  accountId?: string | undefined;
  /**
   * `<Provider>` in the answer.
   * @default "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
   */
  provider?: string | undefined;
  /** `<Audience>` in the answer. @default "sts.amazonaws.com" */
  audience?: string | undefined;
  /** What `GetCallerIdentity` answers for keys the fake did not issue. Unset: 403 `InvalidClientTokenId`. */
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
    const fields: Record<string, string> = Object.fromEntries(new URLSearchParams(request.search));
    const contentType = request.headers["content-type"] ?? "";
    if (request.method === "POST" && (contentType === "" || contentType.includes("application/x-www-form-urlencoded")))
      Object.assign(fields, Object.fromEntries(new URLSearchParams(request.body)));
    const scope = sigV4Scope(request.headers.authorization);
    const duration = fields.DurationSeconds;
    const call: StsCall = Object.freeze({
      action: fields.Action ?? "",
      roleArn: fields.RoleArn,
      roleSessionName: fields.RoleSessionName,
      webIdentityToken: fields.WebIdentityToken,
      durationSeconds: duration === undefined ? undefined : Number(duration),
      version: fields.Version,
      region: scope?.region,
      signedWith: scope?.accessKeyId,
      host: request.headers.host ?? new URL(request.url).host,
      fields: Object.freeze(fields),
    });
    this.#calls.push(call);

    if (request.path !== "/" || (request.method !== "POST" && request.method !== "GET")) {
      return this.#error(404, "UnknownOperationException", `No operation at ${request.method} ${request.path}`);
    }
    if (call.action !== "AssumeRoleWithWebIdentity" && call.action !== "GetCallerIdentity") {
      return this.#error(
        400,
        "InvalidAction",
        `Could not find operation ${call.action} for version ${call.version ?? API_VERSION}`,
      );
    }
    const [mode, params] = this.takeMode();
    if (mode !== "ok") {
      const [status, message] = ERRORS[mode];
      return this.#error(status, mode, params.message ?? message);
    }
    return call.action === "GetCallerIdentity" ? this.#callerIdentity(call) : this.#assumeRoleWithWebIdentity(call);
  }

  #assumeRoleWithWebIdentity(call: StsCall): Response {
    const missing = (["roleArn", "roleSessionName", "webIdentityToken"] as const).filter(
      (field) => call[field] === undefined,
    );
    if (missing.length > 0) {
      const details = missing.map(
        (field) => `Value null at '${field}' failed to satisfy constraint: Member must not be null`,
      );
      return this.#error(
        400,
        "ValidationError",
        `${missing.length} validation error${missing.length > 1 ? "s" : ""} detected: ${details.join("; ")}`,
      );
    }
    const roleArn = call.roleArn ?? "";
    const sessionName = call.roleSessionName ?? "";
    const token = call.webIdentityToken ?? "";
    if (!SESSION_NAME.test(sessionName)) {
      return this.#error(
        400,
        "ValidationError",
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
      return this.#error(400, "ValidationError", `${roleArn} is invalid`);
    }
    const expected = this.options.expectedToken;
    if (token === "" || (expected !== undefined && token !== expected)) {
      return this.#error(400, "InvalidIdentityToken", ERRORS.InvalidIdentityToken[1]);
    }
    const parsed = parseJwt(token);
    const now = this.now();
    if (parsed.ok && jwtExpired(parsed.claims, now)) {
      const exp = Number(parsed.claims.exp);
      return this.#error(
        400,
        "ExpiredTokenException",
        `Token expired: current date/time ${Math.floor(now.getTime() / 1000)} must be before the expiration date/time${exp}`,
      );
    }
    if (this.options.expectedRoleArn !== undefined && roleArn !== this.options.expectedRoleArn) {
      return this.#error(403, "AccessDenied", ERRORS.AccessDenied[1]);
    }
    const issued = this.#issue(roleArn, sessionName, call.durationSeconds, now);
    const subject =
      parsed.ok && typeof parsed.claims.sub === "string" ? parsed.claims.sub : "system:serviceaccount:default:orders";
    const provider =
      this.options.provider ??
      `arn:aws:iam::${this.#account(roleArn)}:oidc-provider/${FAKE_OIDC_ISSUER.replace("https://", "")}`;
    return this.#xml("AssumeRoleWithWebIdentity", [
      `<SubjectFromWebIdentityToken>${escapeXml(subject)}</SubjectFromWebIdentityToken>`,
      `<Audience>${escapeXml(this.options.audience ?? "sts.amazonaws.com")}</Audience>`,
      "<AssumedRoleUser>",
      `  <Arn>${escapeXml(issued.assumedRoleArn)}</Arn>`,
      `  <AssumedRoleId>${escapeXml(issued.assumedRoleId)}</AssumedRoleId>`,
      "</AssumedRoleUser>",
      "<Credentials>",
      `  <SessionToken>${escapeXml(issued.sessionToken)}</SessionToken>`,
      `  <SecretAccessKey>${escapeXml(issued.secretAccessKey)}</SecretAccessKey>`,
      `  <Expiration>${awsTimestamp(issued.expiration)}</Expiration>`,
      `  <AccessKeyId>${escapeXml(issued.accessKeyId)}</AccessKeyId>`,
      "</Credentials>",
      `<Provider>${escapeXml(provider)}</Provider>`,
    ]);
  }

  #callerIdentity(call: StsCall): Response {
    if (call.signedWith === undefined) {
      return this.#error(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    }
    const issued = this.#issued.find((candidate) => candidate.accessKeyId === call.signedWith);
    const identity: StsCallerIdentity | undefined =
      issued === undefined
        ? this.options.callerIdentity
        : { arn: issued.assumedRoleArn, account: this.#account(issued.roleArn), userId: issued.assumedRoleId };
    if (identity === undefined) {
      return this.#error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    }
    return this.#xml("GetCallerIdentity", [
      `<Arn>${escapeXml(identity.arn)}</Arn>`,
      `<UserId>${escapeXml(identity.userId)}</UserId>`,
      `<Account>${escapeXml(identity.account)}</Account>`,
    ]);
  }

  #issue(
    roleArn: string,
    roleSessionName: string,
    durationSeconds: number | undefined,
    now: Date,
  ): IssuedStsCredentials {
    const credentials = { ...createFakeCredentials("STS"), ...this.options.credentials };
    const seconds = durationSeconds ?? this.options.durationSeconds ?? 3600;
    const roleId = `AROA${createHash("sha256").update(roleArn).digest("hex").toUpperCase().slice(0, 17)}`;
    const issued: IssuedStsCredentials = Object.freeze({
      ...credentials,
      roleArn,
      roleSessionName,
      expiration: new Date(Math.floor(now.getTime() / 1000) * 1000 + seconds * 1000), // whole seconds, as sent
      assumedRoleArn: `arn:aws:sts::${this.#account(roleArn)}:assumed-role/${roleNameOf(roleArn)}/${roleSessionName}`,
      assumedRoleId: `${roleId}:${roleSessionName}`,
    });
    this.#issued.push(issued);
    return issued;
  }

  #account(roleArn: string): string {
    return /^arn:[^:]*:iam::(\d{12}):/.exec(roleArn)?.[1] ?? this.options.accountId ?? "123456789012";
  }

  #xml(action: string, result: string[]): Response {
    const requestId = randomUUID();
    return xmlResponse(200, requestId, [
      `<${action}Response xmlns="${XML_NAMESPACE}">`,
      `  <${action}Result>`,
      ...result.map((line) => `    ${line}`),
      `  </${action}Result>`,
      "  <ResponseMetadata>",
      `    <RequestId>${requestId}</RequestId>`,
      "  </ResponseMetadata>",
      `</${action}Response>`,
    ]);
  }

  /** STS's error document: the caller is to blame (`Sender`) for a 4xx, STS itself (`Receiver`) for a 5xx. */
  #error(status: number, code: string, message: string): Response {
    const requestId = randomUUID();
    return xmlResponse(status, requestId, [
      `<ErrorResponse xmlns="${XML_NAMESPACE}">`,
      "  <Error>",
      `    <Type>${status >= 500 ? "Receiver" : "Sender"}</Type>`,
      `    <Code>${escapeXml(code)}</Code>`,
      `    <Message>${escapeXml(message)}</Message>`,
      "  </Error>",
      `  <RequestId>${requestId}</RequestId>`,
      "</ErrorResponse>",
    ]);
  }
}

/** STS's answer: the document with a final newline, its request id also in `x-amzn-RequestId`. */
const xmlResponse = (status: number, requestId: string, lines: string[]): Response =>
  new Response(`${lines.join("\n")}\n`, {
    status,
    headers: { "Content-Type": "text/xml", "x-amzn-RequestId": requestId },
  });

const escapeXml = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Creates a fake AWS STS speaking the query protocol the SDKs use (`POST /`, form-urlencoded
 * `Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=...&RoleSessionName=...&WebIdentityToken=...`).
 *
 * - Success is STS's XML (`<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`
 *   with Credentials, SubjectFromWebIdentityToken, AssumedRoleUser, Provider, Audience, ResponseMetadata).
 * - Errors are `<ErrorResponse><Error><Type>Sender</Type><Code>...</Code><Message>...</Message></Error><RequestId>`
 *   with the code's status (see {@link StsErrorCode}).
 * - `GetCallerIdentity` answers the assumed role of the key that signed it (one this fake issued), or
 *   `callerIdentity`.
 * - `calls` records each call's fields (the token STS received, the region of the signature, the Host);
 *   `issued` the credentials handed out.
 *
 * @example
 * ```ts
 * import { fakeSts, startLoopbackServer } from "pod-credentials/testing";
 * const sts = fakeSts().setMode("Throttling", { times: 1 });
 * const server = await startLoopbackServer(sts.handler);
 * process.env.AWS_ENDPOINT_URL_STS = server.url;
 * await server.close();
 * ```
 */
export const fakeSts = (options: FakeStsOptions = {}): FakeSts => new FakeSts(options);
