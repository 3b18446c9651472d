import type { CommonOptions } from "../../config/commonOptions.js";

/**
 * Options of the `webIdentity` (IRSA) source. Each one overrides the environment variable named in its doc.
 *
 * @example
 * ```ts
 * import { fromWebIdentity } from "pod-credentials";
 * const credentials = fromWebIdentity({ roleArn: "arn:aws:iam::123456789012:role/orders", roleSessionName: "orders-api" });
 * ```
 */
export interface WebIdentityOptions extends CommonOptions {
  /**
   * The projected service-account token file, re-read at every refresh (kubelet rotates it).
   * @default process.env.AWS_WEB_IDENTITY_TOKEN_FILE
   */
  webIdentityTokenFile?: string | undefined;
  /**
   * The role to assume with the token.
   * @default process.env.AWS_ROLE_ARN
   */
  roleArn?: string | undefined;
  /**
   * The session name STS records in CloudTrail.
   * @default process.env.AWS_ROLE_SESSION_NAME, else `pod-credentials-<hostname>` (in Kubernetes, the pod's name)
   */
  roleSessionName?: string | undefined;
  /**
   * The region of the STS endpoint.
   * @default the calling client's region, else process.env.AWS_REGION (then the SDK's own default)
   */
  region?: string | undefined;
}
