import type { CredentialSource } from "../sources/credentialSource.js";
import { PodCredentialsError } from "./PodCredentialsError.js";

/**
 * Options of a {@link CredentialSourceError}.
 *
 * @example
 * ```ts
 * import { CredentialSourceError } from "pod-credentials";
 * throw new CredentialSourceError("The agent answered HTTP 500.", { source: "podIdentity", status: 500, retryable: true });
 * ```
 */
export interface CredentialSourceErrorOptions {
  /** The source that is configured but failed. */
  source: CredentialSource;
  /** What to change to make the error go away. */
  fix?: string | undefined;
  /** The underlying error, already free of secrets. */
  cause?: unknown;
  /** The file, URL or role the error is about. */
  target?: string | undefined;
  /** The HTTP status the endpoint answered with, when the error came from an answer. */
  status?: number | undefined;
  /**
   * Whether the failure may clear up by itself (the proxy has not seen the pod yet, STS throttled the call).
   * @default false
   */
  retryable?: boolean | undefined;
}

/**
 * A source is configured but broken: the token file is missing, unreadable or empty; STS rejected the token; the
 * agent or the metadata proxy answered an error; the answer was malformed or too slow.
 *
 * The chain never moves on to a later, broader source after this error. `cause` holds the underlying error.
 *
 * @example
 * ```ts
 * import { fromWebIdentity, isPodCredentialsError } from "pod-credentials";
 * try {
 *   await fromWebIdentity()();
 * } catch (error) {
 *   if (isPodCredentialsError(error, "CredentialSourceError")) console.error(error.message);
 * }
 * ```
 */
export class CredentialSourceError extends PodCredentialsError {
  /** Always `"CredentialSourceError"`: match errors by name, which works across two copies of the package. */
  override name = "CredentialSourceError";
  declare readonly source: CredentialSource;
  /** The file, URL or role the error is about. */
  readonly target: string | undefined;
  /** The HTTP status of the answer that caused the error, when there was one. */
  readonly status: number | undefined;
  /** Whether the failure may clear up by itself (a start-up race, throttling); retried within the deadlines. */
  readonly retryable: boolean;

  constructor(problem: string, options: CredentialSourceErrorOptions) {
    super(problem, { source: options.source, fix: options.fix, cause: options.cause });
    this.target = options.target;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}
