/**
 * The places a {@link fromPodProviderChain} chain can take credentials from.
 *
 * - `webIdentity`: IRSA, a projected service-account token exchanged through STS `AssumeRoleWithWebIdentity`.
 * - `podIdentity`: the EKS Pod Identity agent, or any container-credentials endpoint.
 * - `kube2iam`: a metadata proxy (kube2iam or kiam) that answers for the pod's annotated role, verified.
 * - `instanceProfile`: the node's own role from the EC2 instance metadata service (shared by every pod).
 * - `env`: static keys in `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (local development).
 * - `sharedConfig`: profiles and SSO from `~/.aws` (local development).
 *
 * @example
 * ```ts
 * import type { CredentialSource } from "pod-credentials";
 * const order: CredentialSource[] = ["podIdentity", "webIdentity"];
 * ```
 */
export type CredentialSource = "webIdentity" | "podIdentity" | "kube2iam" | "instanceProfile" | "env" | "sharedConfig";

/**
 * Every {@link CredentialSource}, in no particular order.
 *
 * @example
 * ```ts
 * import { CREDENTIAL_SOURCES } from "pod-credentials";
 * CREDENTIAL_SOURCES.includes("kube2iam"); // true
 * ```
 */
export const CREDENTIAL_SOURCES: readonly CredentialSource[] = Object.freeze([
  "webIdentity",
  "podIdentity",
  "kube2iam",
  "instanceProfile",
  "env",
  "sharedConfig",
]);

/** Whether a string names a {@link CredentialSource}. */
export const isCredentialSource = (value: string): value is CredentialSource =>
  (CREDENTIAL_SOURCES as readonly string[]).includes(value);
