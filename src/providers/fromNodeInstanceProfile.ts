import { fromPodProviderChain, type PodCredentialProvider } from "../chain/fromPodProviderChain.js";
import type { NodeInstanceProfileOptions } from "../sources/instanceProfile/instanceProfileOptions.js";

/**
 * The node's own instance-profile role, from the EC2 instance metadata service (IMDSv2, falling back to IMDSv1 once
 * per process when a hop limit of 1 blocks IMDSv2, unless `AWS_EC2_METADATA_V1_DISABLED=true`). Choosing this
 * factory is the explicit consent that {@link fromPodProviderChain} otherwise requires; each resolution still logs a
 * warning that every pod on the node shares these credentials.
 *
 * @example
 * ```ts
 * import { EC2Client } from "@aws-sdk/client-ec2";
 * import { fromNodeInstanceProfile } from "pod-credentials";
 * const ec2 = new EC2Client({ credentials: fromNodeInstanceProfile() });
 * ```
 */
export const fromNodeInstanceProfile = (options: NodeInstanceProfileOptions = {}): PodCredentialProvider =>
  fromPodProviderChain({ ...options, sources: ["instanceProfile"], allowNodeCredentials: true });
