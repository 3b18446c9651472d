import type { CredentialSourceError } from "./CredentialSourceError.js";
import type { InvalidConfigurationError } from "./InvalidConfigurationError.js";
import type { NodeCredentialsRefusedError } from "./NodeCredentialsRefusedError.js";
import type { NoPodCredentialsError } from "./NoPodCredentialsError.js";
import type { PodCredentialsError } from "./PodCredentialsError.js";

/**
 * The `name` of every error class this package throws. Compare `error.name` with these rather than using
 * `instanceof`, which fails when two copies of the package are installed.
 *
 * @example
 * ```ts
 * import { POD_CREDENTIALS_ERROR_NAMES } from "pod-credentials";
 * const isRefused = (e: Error) => e.name === POD_CREDENTIALS_ERROR_NAMES.NodeCredentialsRefusedError;
 * ```
 */
export const POD_CREDENTIALS_ERROR_NAMES = Object.freeze({
  /** The base class of every error of this package. */
  PodCredentialsError: "PodCredentialsError",
  /** A configured source is broken. */
  CredentialSourceError: "CredentialSourceError",
  /** No pod-scoped source is configured. */
  NoPodCredentialsError: "NoPodCredentialsError",
  /** Only the node's identity is on offer, and it is refused. */
  NodeCredentialsRefusedError: "NodeCredentialsRefusedError",
  /** A bad option or environment variable. */
  InvalidConfigurationError: "InvalidConfigurationError",
} as const);

/** The name of one of this package's error classes. */
export type PodCredentialsErrorName = keyof typeof POD_CREDENTIALS_ERROR_NAMES;

/**
 * The error class of each name, for {@link isPodCredentialsError}'s narrowing.
 *
 * @example
 * ```ts
 * import type { ErrorsByName } from "pod-credentials";
 * type Refused = ErrorsByName["NodeCredentialsRefusedError"];
 * ```
 */
export interface ErrorsByName {
  /** {@link PodCredentialsError} */
  PodCredentialsError: PodCredentialsError;
  /** {@link CredentialSourceError} */
  CredentialSourceError: CredentialSourceError;
  /** {@link NoPodCredentialsError} */
  NoPodCredentialsError: NoPodCredentialsError;
  /** {@link NodeCredentialsRefusedError} */
  NodeCredentialsRefusedError: NodeCredentialsRefusedError;
  /** {@link InvalidConfigurationError} */
  InvalidConfigurationError: InvalidConfigurationError;
}

/**
 * Whether a value is an error from this package, optionally of one class, matched by `name` so that it works across
 * two copies of the package.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain, isPodCredentialsError } from "pod-credentials";
 * await fromPodProviderChain()().catch((error: unknown) => {
 *   if (isPodCredentialsError(error, "NoPodCredentialsError")) process.exitCode = 2;
 *   throw error;
 * });
 * ```
 */
export function isPodCredentialsError(error: unknown): error is PodCredentialsError;
export function isPodCredentialsError<N extends PodCredentialsErrorName>(
  error: unknown,
  name: N,
): error is ErrorsByName[N];
export function isPodCredentialsError(error: unknown, name?: PodCredentialsErrorName): boolean {
  if (typeof error !== "object" || error === null) return false;
  const actual = (error as { name?: unknown }).name;
  if (typeof actual !== "string" || !Object.hasOwn(POD_CREDENTIALS_ERROR_NAMES, actual)) return false;
  return name === undefined || name === "PodCredentialsError" || actual === name;
}
