// A fake EKS Pod Identity agent: GET /v1/credentials with the service-account token in Authorization.
import { createFakeCredentials, type FakeCredentials } from "./fakeCredentials.js";
import { jwtExpired, parseJwt } from "./fakeJwt.js";
import { FakeServer, type FakeServerOptions, type RecordedRequest } from "./fakeServer.js";
import { type ModeOptions, ModeSwitch } from "./modeSwitch.js";
import { awsTimestamp, goError, goNotFound } from "./wire.js";

const CREDENTIALS_PATH = "/v1/credentials";
const SIX_HOURS_MS = 6 * 60 * 60 * 1000;

/**
 * What the fake agent answers to a request that passed token validation (a 429 comes before validation).
 *
 * - `ready`: the credentials.
 * - `throttled`: 429, the agent's rate limit.
 * - `upstreamError`: the EKS Auth service failed; the agent mirrors its status (`status`, default 500) and message.
 *
 * @example
 * ```ts
 * import { fakePodIdentityAgent, type PodIdentityAgentMode } from "pod-credentials/testing";
 * const mode: PodIdentityAgentMode = "throttled";
 * fakePodIdentityAgent().setMode(mode, { times: 2 });
 * ```
 */
export type PodIdentityAgentMode = "ready" | "throttled" | "upstreamError";

/**
 * Parameters of a mode set with `setMode` on the fake Pod Identity agent.
 *
 * @example
 * ```ts
 * import { fakePodIdentityAgent, type PodIdentityAgentModeOptions } from "pod-credentials/testing";
 * const denied: PodIdentityAgentModeOptions = { status: 403, message: "AccessDeniedException: no association" };
 * fakePodIdentityAgent().setMode("upstreamError", denied);
 * ```
 */
export interface PodIdentityAgentModeOptions extends ModeOptions {
  /**
   * The status of a `throttled` (429) or `upstreamError` (500) answer.
   * @default 429 or 500
   */
  status?: number | undefined;
  /**
   * The body (before Go's newline).
   * @default "Rate exceeded" or "Internal Server Error"
   */
  message?: string | undefined;
}

/**
 * Options of {@link fakePodIdentityAgent}. All can be changed later with `configure`.
 *
 * @example
 * ```ts
 * import { createFakeJwt, fakePodIdentityAgent } from "pod-credentials/testing";
 * const token = createFakeJwt();
 * const agent = fakePodIdentityAgent({ expectedToken: token, accountId: "210987654321" });
 * ```
 */
export interface FakePodIdentityAgentOptions extends FakeServerOptions {
  /**
   * The mode at creation (see {@link PodIdentityAgentMode}); change it later with `setMode`.
   * @default "ready"
   */
  mode?: PodIdentityAgentMode | undefined;
  /**
   * The only token accepted, compared with the raw `Authorization` header (no `Bearer`). Unset: any parseable,
   * unexpired JWT is accepted.
   * @default undefined
   */
  expectedToken?: string | undefined;
  /**
   * The message after `Service account token failed basic claim validations: ` for a parseable token that is not
   * `expectedToken`.
   * @default "token has invalid claims: token is expired"
   */
  wrongTokenReason?: string | undefined;
  /**
   * The credentials served; missing values are made up once, at creation (prefix `PODID`).
   * @default createFakeCredentials("PODID")
   */
  credentials?: Partial<FakeCredentials> | undefined;
  /**
   * @default "123456789012"
   */
  accountId?: string | undefined;
  /**
   * A fixed `Expiration`. Unset: `lifetimeMs` after each request.
   * @default undefined
   */
  expiration?: Date | undefined;
  /**
   * Time left on served credentials when `expiration` is unset; the agent hands out credentials for about 6 hours.
   * @default 21_600_000
   */
  lifetimeMs?: number | undefined;
}

/**
 * The fake Pod Identity agent. Serve {@link FakePodIdentityAgent.handler} with {@link startLoopbackServer} or
 * {@link mswHandlers}.
 *
 * @example
 * ```ts
 * import { fakePodIdentityAgent } from "pod-credentials/testing";
 * const agent = fakePodIdentityAgent();
 * agent.setMode("throttled", { times: 1 });
 * ```
 */
export class FakePodIdentityAgent extends FakeServer<FakePodIdentityAgentOptions> {
  readonly #modes: ModeSwitch<PodIdentityAgentMode, PodIdentityAgentModeOptions>;
  readonly #madeUp = createFakeCredentials("PODID");

  constructor(options: FakePodIdentityAgentOptions = {}) {
    super(options);
    this.#modes = new ModeSwitch<PodIdentityAgentMode, PodIdentityAgentModeOptions>(options.mode ?? "ready", {});
  }

  /** The current mode. */
  get mode(): PodIdentityAgentMode {
    return this.#modes.mode;
  }

  /**
   * Changes the mode, for good or (with `times`) for the next requests to `/v1/credentials` only, after which the
   * fake goes back to the mode it had. Returns the fake, for chaining.
   */
  setMode(mode: PodIdentityAgentMode, options: PodIdentityAgentModeOptions = {}): this {
    this.#modes.set(mode, options, options.times);
    return this;
  }

  /** The credentials the fake serves. */
  get credentials(): FakeCredentials {
    return { ...this.#madeUp, ...this.options.credentials };
  }

  protected override onReset(): void {
    this.#modes.reset();
  }

  protected respond(request: RecordedRequest): Response {
    if (request.path !== CREDENTIALS_PATH || request.method !== "GET") return goNotFound();
    const { mode, params } = this.#modes.take();
    if (mode === "throttled") return goError(params.status ?? 429, params.message ?? "Rate exceeded");
    const token = request.headers.authorization ?? "";
    if (token === "") return goError(400, "Service account token cannot be empty");
    const parsed = parseJwt(token);
    if (!parsed.ok) return goError(400, `Service account token cannot be parsed: ${parsed.reason}`);
    if (jwtExpired(parsed.claims, this.now())) {
      return goError(
        400,
        "Service account token failed basic claim validations: token has invalid claims: token is expired",
      );
    }
    const expected = this.options.expectedToken;
    if (expected !== undefined && token !== expected) {
      const reason = this.options.wrongTokenReason ?? "token has invalid claims: token is expired";
      return goError(400, `Service account token failed basic claim validations: ${reason}`);
    }
    if (mode === "upstreamError") return goError(params.status ?? 500, params.message ?? "Internal Server Error");
    const credentials = this.credentials;
    const expiration =
      this.options.expiration ?? new Date(this.now().getTime() + (this.options.lifetimeMs ?? SIX_HOURS_MS));
    const body = JSON.stringify({
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      AccountId: this.options.accountId ?? "123456789012",
      Expiration: awsTimestamp(expiration),
    });
    return new Response(body, { status: 200, headers: { "Content-Type": "application/json" } });
  }
}

/**
 * Creates a fake EKS Pod Identity agent (the server at `169.254.170.23`):
 *
 * - Only `GET /v1/credentials`; other paths are Go's 404 `404 page not found`.
 * - `Authorization` carries the raw service-account token (no `Bearer`). Missing: 400
 *   `Service account token cannot be empty`; not a JWT: 400 `Service account token cannot be parsed: ...`; expired
 *   or not `expectedToken`: 400 `Service account token failed basic claim validations: ...`. Errors are
 *   `text/plain; charset=utf-8` with a trailing newline.
 * - Success: JSON `{"AccessKeyId","SecretAccessKey","Token","AccountId","Expiration"}`, valid about 6 hours.
 *
 * @example
 * ```ts
 * import { createFakeJwt, fakePodIdentityAgent, startLoopbackServer } from "pod-credentials/testing";
 * const token = createFakeJwt();
 * const agent = fakePodIdentityAgent({ expectedToken: token });
 * const server = await startLoopbackServer(agent.handler);
 * process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `${server.url}/v1/credentials`;
 * await server.close();
 * ```
 */
export const fakePodIdentityAgent = (options: FakePodIdentityAgentOptions = {}): FakePodIdentityAgent =>
  new FakePodIdentityAgent(options);
