import { fromPodProviderChain, type PodCredentialProvider } from "../chain/fromPodProviderChain.js";
import type { WebIdentityOptions } from "../sources/webIdentity/webIdentityOptions.js";

/**
 * IRSA alone: exchanges the projected service-account token (`AWS_WEB_IDENTITY_TOKEN_FILE`, re-read at every
 * refresh) for the role `AWS_ROLE_ARN` through STS `AssumeRoleWithWebIdentity`. Cached, logged and described like
 * {@link fromPodProviderChain}.
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
 * import { fromWebIdentity } from "pod-credentials";
 * const dynamo = new DynamoDBClient({ credentials: fromWebIdentity({ roleArn: "arn:aws:iam::123456789012:role/orders" }) });
 * ```
 */
export const fromWebIdentity = (options: WebIdentityOptions = {}): PodCredentialProvider =>
  fromPodProviderChain({ ...options, sources: ["webIdentity"] });
