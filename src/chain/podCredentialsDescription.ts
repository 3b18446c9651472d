import type { CredentialSource } from "../sources/credentialSource.js";
import type { SkippedSource } from "../sources/skippedSource.js";

/**
 * What a provider's last successful resolution found, without secrets: returned by `describe()`.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain } from "pod-credentials";
 * const credentials = fromPodProviderChain();
 * await credentials();
 * const { source, roleArn, expiration } = credentials.describe() ?? {};
 * ```
 */
export interface PodCredentialsDescription {
  /** The source the credentials came from. */
  readonly source: CredentialSource;
  /** What configured that source, by variable and file names (never values). */
  readonly configuredBy: string;
  /** The role's ARN, when known (IRSA always; kube2iam when the declared role is an ARN). */
  readonly roleArn?: string | undefined;
  /** The role's name, when known. */
  readonly roleName?: string | undefined;
  /** The AWS account, when known. */
  readonly accountId?: string | undefined;
  /** When the credentials expire; absent for static keys. */
  readonly expiration?: Date | undefined;
  /** When the credentials were fetched. */
  readonly resolvedAt: Date;
  /** The sources tried before this one, each with why it was skipped. */
  readonly skipped: readonly SkippedSource[];
  /** When the provider plans to refresh the credentials (a call after it starts the refresh); absent for static keys. */
  readonly nextRefreshAt?: Date | undefined;
  /** How many times the credentials were refreshed since the first resolution. */
  readonly refreshCount: number;
}
