import { fromPodProviderChain, type PodCredentialProvider } from "../chain/fromPodProviderChain.js";
import type { PodIdentityAgentOptions } from "../sources/podIdentity/podIdentityOptions.js";

/**
 * EKS Pod Identity alone (or any container-credentials endpoint): asks the agent at
 * `AWS_CONTAINER_CREDENTIALS_FULL_URI` with the token from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, and reports the
 * agent's own reason when it refuses. Cached, logged and described like {@link fromPodProviderChain}.
 *
 * @example
 * ```ts
 * import { SQSClient } from "@aws-sdk/client-sqs";
 * import { fromPodIdentityAgent } from "pod-credentials";
 * const sqs = new SQSClient({ credentials: fromPodIdentityAgent() });
 * ```
 */
export const fromPodIdentityAgent = (options: PodIdentityAgentOptions = {}): PodCredentialProvider =>
  fromPodProviderChain({ ...options, sources: ["podIdentity"] });
