import { randomUUID } from "node:crypto";
import { jwtExpired, parseJwt } from "./fakeJwt.js";
import type { ExpirationOptions, RecordedRequest } from "./fakeServer.js";
import { ModalFake, type ModalFakeOptions, type ModeOptions } from "./modalFake.js";
import { goError } from "./wire.js";

const SIX_HOURS_MS = 6 * 60 * 60 * 1000;
const EXPIRED = "token has invalid claims: token is expired";
const DOCUMENT_KEYS = ["AccessKeyId", "SecretAccessKey", "Token", "AccountId", "Expiration"];

/**
 * What the fake agent answers to a request that passed token validation (a 429 comes before validation).
 * - `ready`: the credentials.
 * - `throttled`: 429, the agent's rate limit.
 * - `upstreamError`: the EKS Auth service failed; the agent mirrors its status (`status`, default 500) and message.
 */
export type PodIdentityAgentMode = "ready" | "throttled" | "upstreamError";

/**
 * Parameters of a mode set with `setMode` on the fake Pod Identity agent.
 * @example
 * fakePodIdentityAgent().setMode("upstreamError", { status: 403, message: "AccessDeniedException: no association" });
 */
export interface PodIdentityAgentModeOptions extends ModeOptions {
  /** The status of a `throttled` (429) or `upstreamError` (500) answer. @default 429 or 500 */
  status?: number | undefined;
  /** The body (before Go's newline). @default "Rate exceeded" or "Internal Server Error" */
  message?: string | undefined;
}

/**
 * Options of {@link fakePodIdentityAgent}. All can be changed later with `configure`.
 * @example const agent = fakePodIdentityAgent({ expectedToken: createFakeJwt(), accountId: "210987654321" });
 */
export interface FakePodIdentityAgentOptions extends ModalFakeOptions<PodIdentityAgentMode>, ExpirationOptions {
  /** The only token accepted, as the raw `Authorization` header (no `Bearer`). Unset: any unexpired JWT. */
  expectedToken?: string | undefined;
  /** Why a parseable token other than `expectedToken` failed basic claim validations. @default as for an expired one */
  wrongTokenReason?: string | undefined;
  /** `AccountId` in the answer. @default "123456789012" */
  accountId?: string | undefined;
  /**
   * The service account's role: the fake STS knows the served credentials as its session
   * `eks-<clusterName>-<pod>-<uuid>`, as EKS Auth names them. @default "arn:aws:iam::<accountId>:role/orders-reader"
   */
  roleArn?: string | undefined;
  /** The cluster in the session name. @default "cluster" */
  clusterName?: string | undefined;
}

/** The fake Pod Identity agent, made by {@link fakePodIdentityAgent}. Modes count `/v1/credentials` requests. */
export class FakePodIdentityAgent extends ModalFake<
  PodIdentityAgentMode,
  FakePodIdentityAgentOptions,
  PodIdentityAgentModeOptions
> {
  readonly #sessionId = randomUUID();

  constructor(options: FakePodIdentityAgentOptions = {}) {
    super(options, "ready", "PODID");
  }

  /** The role the served credentials belong to: `roleArn`, or `orders-reader` in `accountId`. */
  get roleArn(): string {
    return this.options.roleArn ?? `arn:aws:iam::${this.options.accountId ?? "123456789012"}:role/orders-reader`;
  }

  protected respond(request: RecordedRequest): Response {
    if (request.path !== "/v1/credentials" || request.method !== "GET") return goError(404, "404 page not found");
    const [mode, params] = this.takeMode();
    if (mode === "throttled") return goError(params.status ?? 429, params.message ?? "Rate exceeded");
    const token = request.headers.authorization ?? "";
    if (token === "") return goError(400, "Service account token cannot be empty");
    const parsed = parseJwt(token);
    if (!parsed.ok) return goError(400, `Service account token cannot be parsed: ${parsed.reason}`);
    const { expectedToken, wrongTokenReason = EXPIRED } = this.options;
    const wrongToken = expectedToken !== undefined && token !== expectedToken ? wrongTokenReason : undefined;
    const invalidClaims = jwtExpired(parsed.claims, this.now()) ? EXPIRED : wrongToken;
    if (invalidClaims !== undefined)
      return goError(400, `Service account token failed basic claim validations: ${invalidClaims}`);
    if (mode === "upstreamError") return goError(params.status ?? 500, params.message ?? "Internal Server Error");
    const session = `eks-${this.options.clusterName ?? "cluster"}-orders-${this.#sessionId}`.slice(0, 64);
    const served = this.serveCredentials(this.roleArn, session, SIX_HOURS_MS, DOCUMENT_KEYS);
    // AccountId is no credentials field: set here, it keeps its place among the keys.
    return Response.json({ ...served, AccountId: this.options.accountId ?? "123456789012" });
  }
}

/**
 * Creates a fake EKS Pod Identity agent (the server at `169.254.170.23`):
 * - Only `GET /v1/credentials`; other paths are Go's 404 `404 page not found`.
 * - `Authorization` carries the raw service-account token. Missing: 400 `Service account token cannot be empty`;
 *   not a JWT: 400 `... cannot be parsed: ...`; expired or not `expectedToken`: 400 `... failed basic claim
 *   validations: ...`. Errors are `text/plain; charset=utf-8` with a trailing newline.
 * - Success: JSON `{"AccessKeyId","SecretAccessKey","Token","AccountId","Expiration"}`.
 * @example
 * import { createFakeJwt, fakePodIdentityAgent, startLoopbackServer } from "pod-credentials/testing";
 * const agent = fakePodIdentityAgent({ expectedToken: createFakeJwt() }).setMode("throttled", { times: 1 });
 * const server = await startLoopbackServer(agent.handler);
 * process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `${server.url}/v1/credentials`;
 */
export const fakePodIdentityAgent = (options: FakePodIdentityAgentOptions = {}): FakePodIdentityAgent =>
  new FakePodIdentityAgent(options);
