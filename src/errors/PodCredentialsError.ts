import type { CredentialSource } from "../sources/credentialSource.js";

/**
 * Options shared by every {@link PodCredentialsError}.
 *
 * @example
 * ```ts
 * import { PodCredentialsError, type PodCredentialsErrorOptions } from "pod-credentials";
 * const options: PodCredentialsErrorOptions = { source: "kube2iam", fix: "annotate the pod." };
 * throw new PodCredentialsError("No role.", options);
 * ```
 */
export interface PodCredentialsErrorOptions {
  /** The source the error is about, when there is one. */
  source?: CredentialSource | undefined;
  /** What to change to make the error go away, in one or two sentences. */
  fix?: string | undefined;
  /** The underlying error. Never holds a secret: sources wrap errors before they get here. */
  cause?: unknown;
}

/**
 * The base class of every error this package throws.
 *
 * Match errors by `name` rather than `instanceof`, so that two copies of the package in one `node_modules` still
 * agree: every subclass sets `name` to its own class name (see {@link POD_CREDENTIALS_ERROR_NAMES}).
 *
 * The message names the source and the file, URL or role involved, then the fix after `Fix:`. It never contains a
 * secret access key, a session token or a web-identity or pod-identity token.
 *
 * `tryNextLink` is always `false`, so that an SDK chain built around one of our providers (for example with
 * `createCredentialChain`) stops here instead of falling through to a broader identity.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain, isPodCredentialsError } from "pod-credentials";
 * try {
 *   await fromPodProviderChain()();
 * } catch (error) {
 *   if (isPodCredentialsError(error)) console.error(error.name, error.source, error.fix);
 *   throw error;
 * }
 * ```
 */
export class PodCredentialsError extends Error {
  /** Always `"PodCredentialsError"`: match errors by name, which works across two copies of the package. */
  override name = "PodCredentialsError";
  /** The source the error is about, when there is one. */
  readonly source: CredentialSource | undefined;
  /** What to change to make the error go away. */
  readonly fix: string | undefined;
  /** Always `false`: an SDK credential chain must not fall through to another provider after this error. */
  readonly tryNextLink = false;

  constructor(problem: string, options: PodCredentialsErrorOptions = {}) {
    super(composeMessage(problem, options), options.cause === undefined ? undefined : { cause: options.cause });
    this.source = options.source;
    this.fix = options.fix;
  }
}

const composeMessage = (problem: string, { source, fix }: PodCredentialsErrorOptions): string => {
  const prefix = source ? `[${source}] ` : "";
  const suffix = fix ? ` Fix: ${fix}` : "";
  return `${prefix}${problem}${suffix}`;
};
