/**
 * How a {@link requestMetadata} call failed.
 *
 * - `timeout`: no complete answer (connect, headers and body) within the deadline.
 * - `connection`: the connection could not be made or broke before the answer was complete (`code` says how, for
 *   example `ECONNREFUSED`, `ECONNRESET`, `EHOSTUNREACH`), or the URL cannot be requested at all (`ERR_INVALID_URL`).
 * - `tooLarge`: the answer is larger than the caller's byte limit.
 * - `aborted`: the caller's `AbortSignal` fired.
 */
export type MetadataRequestErrorKind = "timeout" | "connection" | "tooLarge" | "aborted";

/** Options of a {@link MetadataRequestError}. */
export interface MetadataRequestErrorOptions {
  /** How the request failed. */
  kind: MetadataRequestErrorKind;
  /** The URL asked, with any `user:password@` removed. */
  url: string;
  /** The Node.js error code, when there is one (`ECONNREFUSED`). */
  code?: string | undefined;
  /** The underlying error (a Node.js socket error or the abort reason). Never holds a header value or the body. */
  cause?: unknown;
}

/**
 * A request to a metadata endpoint (EC2 IMDS, kube2iam, kiam) or to the EKS Pod Identity agent got no usable answer.
 *
 * Internal: sources catch it and turn it into a {@link CredentialSourceError} (or into "source absent") with a fix
 * for the operator, so it is not exported from the package. Match it by `name` like the public errors.
 *
 * The message names the URL and what went wrong. It never contains a header value (the `Authorization` header of the
 * Pod Identity agent is a secret token) nor any part of the body.
 *
 * @example
 * ```ts
 * try {
 *   await requestMetadata({ url, timeoutMs: 1000, maxBodyBytes: 65_536 });
 * } catch (error) {
 *   if (isMetadataRequestError(error) && error.kind === "connection" && error.code === "ECONNREFUSED") {
 *     // nothing listens there: the source is absent
 *   }
 * }
 * ```
 */
export class MetadataRequestError extends Error {
  override name = "MetadataRequestError";
  /** How the request failed. */
  readonly kind: MetadataRequestErrorKind;
  /** The URL asked, with any `user:password@` removed. */
  readonly url: string;
  /** The Node.js error code, when there is one (`ECONNREFUSED`, `ECONNRESET`, `ERR_INVALID_URL`). */
  readonly code?: string;

  constructor(message: string, options: MetadataRequestErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options.kind;
    this.url = options.url;
    if (options.code !== undefined) this.code = options.code;
  }
}

/** Whether a value is a {@link MetadataRequestError}, matched by `name`. */
export const isMetadataRequestError = (error: unknown): error is MetadataRequestError =>
  error instanceof Error && error.name === "MetadataRequestError";
