import type { ExpirationOptions, FakeHandler, RecordedRequest } from "./fakeServer.js";
import { ModalFake, type ModalFakeOptions } from "./modalFake.js";
import { CREDENTIALS_ROUTE, goError, goRedirect, goText, reverseProxy, roleArnOf } from "./wire.js";

const TOKEN_PATH = /^\/?[^/]+\/api\/token$/;
const TEN_MINUTES_MS = 10 * 60 * 1000;
const DEFAULT_ERROR =
  "AccessDenied: Not authorized to perform sts:AssumeRole\n\tstatus code: 403, request id: 5d3a1a9e-0f6c-4c4e-9a59-2f1a4c8f2b10";
// kiam's sts.Credentials struct, fields in declaration order.
const DOCUMENT_KEYS = ["Code", "Type", "AccessKeyId", "SecretAccessKey", "Token", "Expiration", "LastUpdated"];

/**
 * What the fake kiam agent says about the pod asking. Real kiam retries a missing pod until its 5 s handler deadline
 * before the 500; set `delayMs` to imitate that wait.
 * - `ready`: the pod is known and annotated with `podRole`.
 * - `podNotFound`: the kiam server has not seen the pod yet: the listing is 500
 *   `rpc error: code = Unknown desc = no pod found`, the credentials 500 `error fetching credentials: no pod found`.
 * - `noRole`: the pod has no annotation: the listing is 404 `empty role`; credentials are forbidden by policy.
 * - `forbidden`: the credentials are 500 `error fetching credentials: forbidden by policy` (the policy refuses).
 * - `error`: the credentials are 500 `error fetching credentials: <errorMessage>` (an STS failure on the server).
 */
export type KiamMode = "ready" | "podNotFound" | "noRole" | "forbidden" | "error";

/**
 * Options of {@link fakeKiam}. All can be changed later with `configure`.
 * @example const kiam = fakeKiam({ podRole: "arn:aws:iam::123456789012:role/orders-reader", version: 3 });
 */
export interface FakeKiamOptions extends ModalFakeOptions<KiamMode>, ExpirationOptions {
  /** The pod's `iam.amazonaws.com/role` annotation (a name or an ARN), listed as is. @default "orders-reader" */
  podRole?: string | undefined;
  /** What kiam prefixes role names with to compare them. @default "arn:aws:iam::123456789012:role/" */
  baseRoleArn?: string | undefined;
  /** The reason in mode `error`: `error fetching credentials: <errorMessage>`.
   * @default "AccessDenied: Not authorized to perform sts:AssumeRole\n\tstatus code: 403, request id: 5d3a1a9e-0f6c-4c4e-9a59-2f1a4c8f2b10" */
  errorMessage?: string | undefined;
  /**
   * The kiam release, for the paths it does not answer: 4 proxies the token PUT to `upstream` and blocks the others
   * (404 `request blocked by allow-route-regexp "^$": <path>`); 3 blocks all, saying `whitelist-route-regexp`.
   * @default 4
   */
  version?: 3 | 4 | undefined;
  /** Where version 4 proxies the token PUT, such as `fakeImds().handler`. Unset: 502, as from Go's proxy. */
  upstream?: FakeHandler | undefined;
}

/** The fake kiam agent, made by {@link fakeKiam}. Modes count requests to the listing and credentials paths. */
export class FakeKiam extends ModalFake<KiamMode, FakeKiamOptions> {
  constructor(options: FakeKiamOptions = {}) {
    super(options, "ready", "KIAM");
  }

  protected respond(request: RecordedRequest, original: Request): Promise<Response> | Response {
    if (request.path === "/ping") return goText("pong");
    const route = CREDENTIALS_ROUTE.exec(request.path);
    if (route?.[1] !== undefined)
      return route[1] ? this.#roleCredentials(decodeURIComponent(route[1])) : this.#listing();
    if (route !== null) return goRedirect(`${request.path}/${request.search}`, 308);
    const version = this.options.version ?? 4;
    if (version === 4 && request.method === "PUT" && TOKEN_PATH.test(request.path))
      return reverseProxy(this.options.upstream, request, original);
    const flag = version === 4 ? "allow-route-regexp" : "whitelist-route-regexp";
    return goError(404, `request blocked by ${flag} "^$": ${request.path}`);
  }

  #listing(): Response {
    const [mode] = this.takeMode();
    if (mode === "podNotFound") return goError(500, "rpc error: code = Unknown desc = no pod found");
    return mode === "noRole" ? goError(404, "empty role") : goText(this.options.podRole ?? "orders-reader");
  }

  #roleCredentials(wantedRole: string): Response {
    const [mode] = this.takeMode();
    const fail = (reason: string): Response => goError(500, `error fetching credentials: ${reason}`);
    if (mode === "podNotFound") return fail("no pod found");
    if (mode === "noRole" || mode === "forbidden") return fail("forbidden by policy");
    if (mode === "error") return fail(this.options.errorMessage ?? DEFAULT_ERROR);
    const roleArn = roleArnOf(wantedRole, this.options.baseRoleArn);
    if (roleArn !== roleArnOf(this.options.podRole ?? "orders-reader", this.options.baseRoleArn))
      return fail("forbidden by policy");
    // kiam's server assumes the role with its default `--session` name, prefixed `kiam-`.
    const served = this.serveCredentials(roleArn, "kiam-kiam", TEN_MINUTES_MS, DOCUMENT_KEYS);
    // kiam sets Content-Type: application/json only after writing the body, too late: Go has sniffed text/plain.
    return goText(`${JSON.stringify(served)}\n`);
  }
}

/**
 * Creates a fake kiam agent, faithful to uswitch/kiam's `pkg/aws/metadata`:
 * - `GET /{version}/meta-data/iam/security-credentials/` answers the annotation as written (a name or an ARN);
 *   without the trailing slash it is a 308 redirect to it.
 * - `.../security-credentials/<role>` answers kiam's JSON plus `"\n"`; failures are 500
 *   `error fetching credentials: <reason>`. No `Server` header; `X-aws-ec2-metadata-token` is ignored.
 * - `/ping` answers `pong`; other paths are blocked (see `version`).
 * @example
 * import { fakeKiam, startLoopbackServer } from "pod-credentials/testing";
 * const kiam = fakeKiam({ podRole: "orders-reader" }).setMode("podNotFound", { times: 1 });
 * const server = await startLoopbackServer(kiam.handler);
 */
export const fakeKiam = (options: FakeKiamOptions = {}): FakeKiam => new FakeKiam(options);
