import type { ExpirationOptions, FakeHandler, RecordedRequest } from "./fakeServer.js";
import { ModalFake, type ModalFakeOptions } from "./modalFake.js";
import { CREDENTIALS_ROUTE, goError, goText, reverseProxy, roleArnOf, roleNameOf } from "./wire.js";

const THIRTY_MINUTES_MS = 30 * 60 * 1000;
const EC2WS = { Server: "EC2ws" };
// kube2iam's iam.Credentials struct, fields in declaration order.
const DOCUMENT_KEYS = ["AccessKeyId", "Code", "Expiration", "LastUpdated", "SecretAccessKey", "Token", "Type"];

/**
 * What the fake kube2iam says about the pod asking. Real kube2iam retries the pod lookup for 2 s
 * (`--backoff-max-elapsed-time`) before a 404: `delayMs` imitates it.
 * - `ready`: the pod is known and annotated with `podRole`.
 * - `podNotFound`: kube2iam has not seen the pod yet (the pod-start race): 404 `pod with specificed IP not found`.
 * - `noRole`: the pod has no role annotation and there is no default role: 404 `unable to find role for IP <ip>`.
 * - `emptyRole`: the annotation is present but empty: the listing is an empty 200.
 * - `defaultRole`: the pod has no annotation; kube2iam answers with its `--default-role`, which is not the pod's.
 * - `namespaceRestricted`: 404 `role requested <arn> not valid for namespace of pod at <ip> with namespace <ns>`.
 * - `stsError`: the listing works; the credentials are 500 with the STS error text.
 */
export type Kube2iamMode =
  | "ready"
  | "podNotFound"
  | "noRole"
  | "emptyRole"
  | "defaultRole"
  | "namespaceRestricted"
  | "stsError";

/**
 * Options of {@link fakeKube2iam}. All can be changed later with `configure`.
 * @example const kube2iam = fakeKube2iam({ podRole: "team/orders", upstream: fakeImds().handler });
 */
export interface FakeKube2iamOptions extends ModalFakeOptions<Kube2iamMode>, ExpirationOptions {
  /** The pod's `iam.amazonaws.com/role` annotation: a role name (with its path) or an ARN. @default "orders-reader" */
  podRole?: string | undefined;
  /** kube2iam's `--base-role-arn`: before names, cut from listed ARNs. @default "arn:aws:iam::123456789012:role/" */
  baseRoleArn?: string | undefined;
  /** kube2iam's `--default-role`, answered in mode `defaultRole`. @default "kube2iam-default" */
  defaultRole?: string | undefined;
  /** The pod's IP, as it appears in kube2iam's error messages. @default "10.1.2.3" */
  podIp?: string | undefined;
  /** The pod's namespace, as it appears in kube2iam's error messages. @default "default" */
  namespace?: string | undefined;
  /** The node's IP in `/healthz`. @default "10.0.0.1" */
  hostIp?: string | undefined;
  /** The instance id in `/healthz`. @default "i-0123456789abcdef0" */
  instanceId?: string | undefined;
  /** The body (before Go's newline) of the 500 in mode `stsError`. @default the SDK's error for a refused AssumeRole */
  stsErrorMessage?: string | undefined;
  /** Where every other path (the token PUT too) is proxied, such as `fakeImds().handler`. Unset: 502, as from Go. */
  upstream?: FakeHandler | undefined;
  /** Proxy with `X-Forwarded-For: <podIp>` as kube2iam before its IMDSv2 fix (IMDS: 403 to the PUT). @default false */
  forwardedFor?: boolean | undefined;
}

/** The fake kube2iam, made by {@link fakeKube2iam}. Modes count requests to the listing and credentials paths. */
export class FakeKube2iam extends ModalFake<Kube2iamMode, FakeKube2iamOptions> {
  constructor(options: FakeKube2iamOptions = {}) {
    super(options, "ready", "KUBE2IAM");
  }

  /** The full ARN of the pod's role (`baseRoleArn` + `podRole` unless `podRole` is an ARN). */
  get podRoleArn(): string {
    return this.#roleArn(this.options.podRole ?? "orders-reader");
  }

  protected respond(request: RecordedRequest, original: Request): Promise<Response> | Response {
    if (request.path === "/healthz") return this.#health();
    const route = CREDENTIALS_ROUTE.exec(request.path);
    if (route !== null) return route[1] ? this.#roleCredentials(decodeURIComponent(route[1])) : this.#listing();
    const forwardedFor = this.options.forwardedFor === true ? this.#podIp : undefined;
    return reverseProxy(this.options.upstream, request, original, forwardedFor);
  }

  get #podIp(): string {
    return this.options.podIp ?? "10.1.2.3";
  }

  #roleArn(role: string): string {
    return roleArnOf(role, this.options.baseRoleArn);
  }

  /** kube2iam's role mapping: the pod's role ARN, or the error text of the 404. */
  #mapping(mode: Kube2iamMode): { roleArn: string } | { error: string } {
    if (mode === "podNotFound") return { error: "pod with specificed IP not found" };
    if (mode === "noRole") return { error: `unable to find role for IP ${this.#podIp}` };
    if (mode === "emptyRole") return { roleArn: this.#roleArn("") };
    if (mode === "defaultRole") return { roleArn: this.#roleArn(this.options.defaultRole ?? "kube2iam-default") };
    if (mode !== "namespaceRestricted") return { roleArn: this.podRoleArn };
    const namespace = `namespace of pod at ${this.#podIp} with namespace ${this.options.namespace ?? "default"}`;
    return { error: `role requested ${this.podRoleArn} not valid for ${namespace}` };
  }

  #listing(): Response {
    const mapping = this.#mapping(this.takeMode()[0]);
    if ("error" in mapping) return goError(404, mapping.error, EC2WS);
    const { roleArn } = mapping;
    const base = this.options.baseRoleArn ?? "arn:aws:iam::123456789012:role/";
    return goText(base !== "" && roleArn.startsWith(base) ? roleArn.slice(base.length) : roleArn, EC2WS);
  }

  #roleCredentials(wantedRole: string): Response {
    const [mode] = this.takeMode();
    const mapping = this.#mapping(mode);
    if ("error" in mapping) return goError(404, mapping.error, EC2WS);
    if (this.#roleArn(wantedRole) !== mapping.roleArn) return goError(403, `Invalid role ${wantedRole}`, EC2WS);
    if (mode === "stsError") return goError(500, this.options.stsErrorMessage ?? stsRefusal(mapping.roleArn), EC2WS);
    const session = `${fnv1a(this.#podIp)}-${roleNameOf(mapping.roleArn)}`.slice(0, 64);
    const served = this.serveCredentials(mapping.roleArn, session, THIRTY_MINUTES_MS, DOCUMENT_KEYS);
    return goText(`${JSON.stringify(served)}\n`, EC2WS);
  }

  #health(): Response {
    const { hostIp: hostIP = "10.0.0.1", instanceId = "i-0123456789abcdef0" } = this.options;
    return new Response(`${JSON.stringify({ hostIP, instanceId })}\n`, {
      headers: { "Content-Type": "application/json" },
    });
  }
}

/** What kube2iam's AWS SDK for Go says when the node role may not assume the pod's. */
const stsRefusal = (roleArn: string): string =>
  `operation error STS: AssumeRole, https response error StatusCode: 403, RequestID: 5d3a1a9e-0f6c-4c4e-9a59-2f1a4c8f2b10, api error AccessDenied: User: arn:aws:sts::123456789012:assumed-role/eks-node-role/i-0123456789abcdef0 is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;

/** kube2iam's session names start with the FNV-1a hash (32 bits, hex) of the pod's IP. */
const fnv1a = (text: string): string => {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash.toString(16);
};

/**
 * Creates a fake kube2iam, faithful to jtblin/kube2iam's `server.go`:
 * - `GET /{version}/meta-data/iam/security-credentials/` lists the pod's role, the base ARN cut off
 *   (`team/orders`), no trailing newline; `.../<role>` answers kube2iam's JSON plus `"\n"`, 403 `Invalid role <role>`
 *   for another role. Both ignore `X-aws-ec2-metadata-token` and carry `Server: EC2ws`.
 * - Errors are Go `http.Error`s: `text/plain; charset=utf-8`, a trailing newline.
 * - `/healthz` answers `{"hostIP":"10.0.0.1","instanceId":"i-0123456789abcdef0"}`; every other path, the token PUT
 *   included, is proxied to `upstream`.
 * @example
 * import { fakeImds, fakeKube2iam, startLoopbackServer } from "pod-credentials/testing";
 * const kube2iam = fakeKube2iam({ podRole: "orders-reader", upstream: fakeImds().handler });
 * kube2iam.setMode("podNotFound", { times: 2 }); // then ready
 * const server = await startLoopbackServer(kube2iam.handler);
 */
export const fakeKube2iam = (options: FakeKube2iamOptions = {}): FakeKube2iam => new FakeKube2iam(options);
