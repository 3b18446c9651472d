import { fromPodProviderChain, type PodCredentialProvider } from "../chain/fromPodProviderChain.js";
import type { Kube2iamOptions } from "../sources/kube2iam/kube2iamOptions.js";

/**
 * kube2iam or kiam alone, verified: the metadata endpoint must be a proxy (it accepts an invalid IMDSv2 token, which
 * the real EC2 IMDS rejects) and must offer the role the pod declares; otherwise `NodeCredentialsRefusedError`.
 * Cached, logged and described like {@link fromPodProviderChain}.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromKube2iam } from "pod-credentials";
 * const s3 = new S3Client({ credentials: fromKube2iam({ expectedRole: "orders-reader" }) });
 * ```
 */
export const fromKube2iam = (options: Kube2iamOptions = {}): PodCredentialProvider =>
  fromPodProviderChain({ ...options, sources: ["kube2iam"] });
