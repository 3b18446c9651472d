import type { CredentialSource } from "../sources/credentialSource.js";
import { PodCredentialsError } from "./PodCredentialsError.js";

/**
 * Options of a {@link NodeCredentialsRefusedError}.
 *
 * @example
 * ```ts
 * import { NodeCredentialsRefusedError } from "pod-credentials";
 * throw new NodeCredentialsRefusedError("The proxy offers another role.", {
 *   source: "kube2iam", expectedRole: "orders", offeredRole: "eks-node", fix: "check the annotation.",
 * });
 * ```
 */
export interface NodeCredentialsRefusedErrorOptions {
  /** The source that found node credentials (`kube2iam` or `instanceProfile`). */
  source: CredentialSource;
  /** What to change to make the error go away. */
  fix: string;
  /** The metadata endpoint that offered them. */
  endpoint?: string | undefined;
  /** The role the pod declares, when it declares one. */
  expectedRole?: string | undefined;
  /** The role the endpoint offered, when it named one. */
  offeredRole?: string | undefined;
}

/**
 * What is on offer is the node's identity, and node credentials are not allowed: the metadata endpoint is the real
 * EC2 instance metadata service (no kube2iam or kiam intercepts this pod's traffic), or it answers with a role other
 * than the one the pod declares.
 *
 * @example
 * ```ts
 * import { fromKube2iam, isPodCredentialsError } from "pod-credentials";
 * try {
 *   await fromKube2iam({ expectedRole: "orders-reader" })();
 * } catch (error) {
 *   if (isPodCredentialsError(error, "NodeCredentialsRefusedError")) console.error(error.offeredRole);
 * }
 * ```
 */
export class NodeCredentialsRefusedError extends PodCredentialsError {
  /** Always `"NodeCredentialsRefusedError"`: match errors by name, which works across two copies of the package. */
  override name = "NodeCredentialsRefusedError";
  declare readonly source: CredentialSource;
  /** The metadata endpoint that offered node credentials. */
  readonly endpoint: string | undefined;
  /** The role the pod declares, when it declares one. */
  readonly expectedRole: string | undefined;
  /** The role the endpoint offered, when it named one. */
  readonly offeredRole: string | undefined;

  constructor(problem: string, options: NodeCredentialsRefusedErrorOptions) {
    super(problem, { source: options.source, fix: options.fix });
    this.endpoint = options.endpoint;
    this.expectedRole = options.expectedRole;
    this.offeredRole = options.offeredRole;
  }
}
