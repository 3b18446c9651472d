// A fake kiam agent: answers the role listing and the role's credentials, blocks (or proxies) everything else.
import { createFakeCredentials, type FakeCredentials } from "./fakeCredentials.js";
import type { FakeHandler } from "./fakeServer.js";
import { FakeServer, type FakeServerOptions, type RecordedRequest } from "./fakeServer.js";
import { type ModeOptions, ModeSwitch } from "./modeSwitch.js";
import { awsTimestamp, goError, goRedirect, goText } from "./wire.js";

const LISTING_PATH = /^\/[^/]+\/meta-data\/iam\/security-credentials\/$/;
const LISTING_NO_SLASH_PATH = /^\/[^/]+\/meta-data\/iam\/security-credentials$/;
const ROLE_PATH = /^\/[^/]+\/meta-data\/iam\/security-credentials\/(.+)$/;
const TOKEN_PATH = /^\/?[^/]+\/api\/token$/;
const TEN_MINUTES_MS = 10 * 60 * 1000;

/**
 * What the fake kiam agent says about the pod asking.
 *
 * - `ready`: the pod is known and annotated with `podRole`.
 * - `podNotFound`: the kiam server has not seen the pod yet: the listing is 500
 *   `rpc error: code = Unknown desc = no pod found`, the credentials 500 `error fetching credentials: no pod found`.
 * - `noRole`: the pod has no annotation: the listing is 404 `empty role`; credentials are forbidden by policy.
 * - `forbidden`: the credentials are 500 `error fetching credentials: forbidden by policy` (the policy refuses).
 * - `error`: the credentials are 500 `error fetching credentials: <errorMessage>` (an STS failure on the server).
 *
 * Real kiam retries a missing pod until its 5 s handler deadline before the 500; set `delayMs` to imitate that wait.
 *
 * @example
 * ```ts
 * import { fakeKiam, type KiamMode } from "pod-credentials/testing";
 * const mode: KiamMode = "podNotFound";
 * fakeKiam().setMode(mode, { times: 1 });
 * ```
 */
export type KiamMode = "ready" | "podNotFound" | "noRole" | "forbidden" | "error";

/**
 * Options of {@link fakeKiam}. All can be changed later with `configure`.
 *
 * @example
 * ```ts
 * import { fakeKiam } from "pod-credentials/testing";
 * const kiam = fakeKiam({ podRole: "arn:aws:iam::123456789012:role/orders-reader", version: 3 });
 * ```
 */
export interface FakeKiamOptions extends FakeServerOptions {
  /**
   * The mode at creation (see {@link KiamMode}); change it later with `setMode`.
   * @default "ready"
   */
  mode?: KiamMode | undefined;
  /**
   * The pod's `iam.amazonaws.com/role` annotation as written: a role name or a full ARN. The listing shows it as is.
   * @default "orders-reader"
   */
  podRole?: string | undefined;
  /**
   * The base ARN kiam resolves role names with, when it compares the requested role with the annotation.
   * @default "arn:aws:iam::123456789012:role/"
   */
  baseRoleArn?: string | undefined;
  /**
   * The credentials served; missing values are made up once, at creation (prefix `KIAM`).
   * @default createFakeCredentials("KIAM")
   */
  credentials?: Partial<FakeCredentials> | undefined;
  /**
   * A fixed `Expiration`. Unset: `lifetimeMs` after each request.
   * @default undefined
   */
  expiration?: Date | undefined;
  /**
   * Time left on served credentials when `expiration` is unset. kiam serves cached credentials and refreshes them
   * ahead of expiry, so real answers have about 5 to 15 minutes left.
   * @default 600_000
   */
  lifetimeMs?: number | undefined;
  /**
   * The reason in mode `error`: `error fetching credentials: <errorMessage>`.
   * @default "AccessDenied: Not authorized to perform sts:AssumeRole\n\tstatus code: 403, request id: 5d3a1a9e-0f6c-4c4e-9a59-2f1a4c8f2b10"
   */
  errorMessage?: string | undefined;
  /**
   * The kiam release to imitate for the paths it does not answer itself. 4: the IMDSv2 token PUT is proxied to
   * `upstream`, other paths are 404 `request blocked by allow-route-regexp "^$": <path>`. 3: the token PUT is
   * blocked like any other path, and the message says `whitelist-route-regexp`.
   * @default 4
   */
  version?: 3 | 4 | undefined;
  /**
   * The metadata service the token PUT is proxied to in version 4, for example `fakeImds().handler`. Unset: the
   * proxied PUT gets 502, as from Go's reverse proxy with nothing behind it.
   * @default undefined
   */
  upstream?: FakeHandler | undefined;
}

/**
 * The fake kiam agent. Serve {@link FakeKiam.handler} with {@link startLoopbackServer} or {@link mswHandlers}.
 *
 * @example
 * ```ts
 * import { fakeKiam } from "pod-credentials/testing";
 * const kiam = fakeKiam({ podRole: "orders-reader" });
 * kiam.setMode("forbidden");
 * ```
 */
export class FakeKiam extends FakeServer<FakeKiamOptions> {
  readonly #modes: ModeSwitch<KiamMode, object>;
  readonly #madeUp = createFakeCredentials("KIAM");

  constructor(options: FakeKiamOptions = {}) {
    super(options);
    this.#modes = new ModeSwitch<KiamMode, object>(options.mode ?? "ready", {});
  }

  /** The current mode. */
  get mode(): KiamMode {
    return this.#modes.mode;
  }

  /**
   * Changes the mode, for good or (with `times`) for the next requests to the listing and credentials paths only,
   * after which the fake goes back to the mode it had. Returns the fake, for chaining.
   */
  setMode(mode: KiamMode, options: ModeOptions = {}): this {
    this.#modes.set(mode, {}, options.times);
    return this;
  }

  /** The credentials the fake serves. */
  get credentials(): FakeCredentials {
    return { ...this.#madeUp, ...this.options.credentials };
  }

  protected override onReset(): void {
    this.#modes.reset();
  }

  protected respond(request: RecordedRequest, original: Request): Promise<Response> | Response {
    if (request.path === "/ping") return goText("pong");
    if (LISTING_NO_SLASH_PATH.test(request.path)) return goRedirect(`${request.path}/${request.search}`, 308);
    if (LISTING_PATH.test(request.path)) return this.#listing();
    const role = ROLE_PATH.exec(request.path)?.[1];
    if (role !== undefined) return this.#roleCredentials(decodeURIComponent(role));
    const version = this.options.version ?? 4;
    if (version === 4 && request.method === "PUT" && TOKEN_PATH.test(request.path))
      return this.#proxy(request, original);
    const flag = version === 4 ? "allow-route-regexp" : "whitelist-route-regexp";
    return goError(404, `request blocked by ${flag} "^$": ${request.path}`);
  }

  #roleArn(role: string): string {
    return role.toLowerCase().startsWith("arn:")
      ? role
      : `${this.options.baseRoleArn ?? "arn:aws:iam::123456789012:role/"}${role}`;
  }

  #listing(): Response {
    switch (this.#modes.take().mode) {
      case "podNotFound":
        return goError(500, "rpc error: code = Unknown desc = no pod found");
      case "noRole":
        return goError(404, "empty role");
      case "ready":
      case "forbidden":
      case "error":
        return goText(this.options.podRole ?? "orders-reader");
    }
  }

  #roleCredentials(wantedRole: string): Response {
    const mode = this.#modes.take().mode;
    const fail = (reason: string): Response => goError(500, `error fetching credentials: ${reason}`);
    switch (mode) {
      case "podNotFound":
        return fail("no pod found");
      case "noRole":
      case "forbidden":
        return fail("forbidden by policy");
      case "error":
        return fail(
          this.options.errorMessage ??
            "AccessDenied: Not authorized to perform sts:AssumeRole\n\tstatus code: 403, request id: 5d3a1a9e-0f6c-4c4e-9a59-2f1a4c8f2b10",
        );
      case "ready":
        break;
    }
    if (this.#roleArn(wantedRole) !== this.#roleArn(this.options.podRole ?? "orders-reader"))
      return fail("forbidden by policy");
    const credentials = this.credentials;
    const now = this.now();
    const expiration = this.options.expiration ?? new Date(now.getTime() + (this.options.lifetimeMs ?? TEN_MINUTES_MS));
    // kiam's sts.Credentials struct, fields in declaration order (encoding/json keeps it).
    const document = {
      Code: "Success",
      Type: "AWS-HMAC",
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      Expiration: awsTimestamp(expiration),
      LastUpdated: awsTimestamp(now),
    };
    // kiam sets Content-Type: application/json only after writing the body, too late: Go has sniffed text/plain.
    return goText(`${JSON.stringify(document)}\n`);
  }

  async #proxy(request: RecordedRequest, original: Request): Promise<Response> {
    const upstream = this.options.upstream;
    if (upstream === undefined) return new Response(null, { status: 502 });
    const headers = new Headers(original.headers);
    headers.delete("x-forwarded-for");
    const hasBody = request.body !== "";
    return upstream(new Request(request.url, { method: request.method, headers, body: hasBody ? request.body : null }));
  }
}

/**
 * Creates a fake kiam agent, faithful to uswitch/kiam's `pkg/aws/metadata`:
 *
 * - `GET /{version}/meta-data/iam/security-credentials/` answers the annotation as written (a name or a full ARN),
 *   404 `empty role` when there is none; without the trailing slash it is a 308 redirect to it.
 * - `GET .../security-credentials/<role>` answers `JSON.stringify` of kiam's struct plus `"\n"`, keys Code, Type,
 *   AccessKeyId, SecretAccessKey, Token, Expiration, LastUpdated; failures are 500
 *   `error fetching credentials: <reason>`.
 * - No `Server` header; `X-aws-ec2-metadata-token` is ignored.
 * - `/ping` answers `pong`; every other path is 404 `request blocked by allow-route-regexp "^$": <path>` (kiam 4
 *   proxies the token PUT; kiam 3 blocks it too).
 *
 * @example
 * ```ts
 * import { fakeKiam, startLoopbackServer } from "pod-credentials/testing";
 * const kiam = fakeKiam({ podRole: "orders-reader" });
 * const server = await startLoopbackServer(kiam.handler);
 * await server.close();
 * ```
 */
export const fakeKiam = (options: FakeKiamOptions = {}): FakeKiam => new FakeKiam(options);
