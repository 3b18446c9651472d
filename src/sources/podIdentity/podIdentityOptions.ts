import type { CommonOptions } from "../../config/commonOptions.js";

/**
 * Options of the `podIdentity` source (EKS Pod Identity agent, or any container-credentials endpoint).
 *
 * @example
 * ```ts
 * import { fromPodIdentityAgent } from "pod-credentials";
 * const credentials = fromPodIdentityAgent({
 *   containerCredentialsFullUri: "http://169.254.170.23/v1/credentials",
 *   containerAuthorizationTokenFile: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
 * });
 * ```
 */
export interface PodIdentityAgentOptions extends CommonOptions {
  /**
   * The full URL of the credentials endpoint. EKS Pod Identity sets `http://169.254.170.23/v1/credentials`.
   * @default process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI
   */
  containerCredentialsFullUri?: string | undefined;
  /**
   * A path on `http://169.254.170.2` (ECS); wins over the full URI, as in the SDK.
   * @default process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
   */
  containerCredentialsRelativeUri?: string | undefined;
  /**
   * A file holding the authorization token, re-read at every request (EKS rotates it).
   * @default process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
   */
  containerAuthorizationTokenFile?: string | undefined;
  /**
   * The authorization token itself, when there is no token file.
   * @default process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN
   */
  containerAuthorizationToken?: string | undefined;
  /**
   * How long after the first call "not yet" answers (HTTP 429, 5xx) are retried: a new pod may not be known to the
   * agent at once. Env: `POD_CREDENTIALS_STARTUP_TIMEOUT_MS`.
   * @default 10000
   */
  startupTimeoutMs?: number | undefined;
}
