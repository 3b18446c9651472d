import type { CredentialSource } from "./credentialSource.js";

/**
 * A source the chain did not use, and why (for example `"AWS_WEB_IDENTITY_TOKEN_FILE is not set"`). Reasons name
 * environment variables and files, never their secret contents.
 *
 * @example
 * ```ts
 * import type { SkippedSource } from "pod-credentials";
 * const skipped: SkippedSource = { source: "podIdentity", reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not set" };
 * ```
 */
export interface SkippedSource {
  /** The source that was skipped. */
  readonly source: CredentialSource;
  /** Why, in words an operator understands. */
  readonly reason: string;
}
