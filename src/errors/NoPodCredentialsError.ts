import type { SkippedSource } from "../sources/skippedSource.js";
import { PodCredentialsError } from "./PodCredentialsError.js";

const HOW_TO_CONFIGURE =
  "configure a pod-scoped identity: IRSA (annotate the ServiceAccount with eks.amazonaws.com/role-arn), " +
  "EKS Pod Identity (create a pod identity association), or kube2iam/kiam (annotate the pod with " +
  "iam.amazonaws.com/role and expose it through a downward-API volume at /etc/podinfo, or set POD_CREDENTIALS_ROLE). " +
  "To accept the node's shared instance-profile role instead, set POD_CREDENTIALS_ALLOW_NODE=true.";

/**
 * No pod-scoped source is configured, and node credentials are not allowed. Thrown by the first call, before any
 * network request. The message lists every source with the reason it was skipped, and says how to configure one.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain, isPodCredentialsError } from "pod-credentials";
 * try {
 *   await fromPodProviderChain()();
 * } catch (error) {
 *   if (isPodCredentialsError(error, "NoPodCredentialsError")) {
 *     for (const { source, reason } of error.skipped) console.error(`${source}: ${reason}`);
 *   }
 * }
 * ```
 */
export class NoPodCredentialsError extends PodCredentialsError {
  /** Always `"NoPodCredentialsError"`: match errors by name, which works across two copies of the package. */
  override name = "NoPodCredentialsError";
  /** Every source the chain considered, with the reason it was skipped. */
  readonly skipped: readonly SkippedSource[];

  constructor(skipped: readonly SkippedSource[]) {
    const list = skipped.map(({ source, reason }) => `${source}: ${reason}`).join("; ");
    super(`No pod-scoped AWS credentials are configured for this pod (${list || "no sources enabled"}).`, {
      fix: HOW_TO_CONFIGURE,
    });
    this.skipped = Object.freeze([...skipped]);
  }
}
