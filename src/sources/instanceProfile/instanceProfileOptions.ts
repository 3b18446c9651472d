import type { CommonOptions } from "../../config/commonOptions.js";

/**
 * Options of the `instanceProfile` source: the node's own role, from the EC2 instance metadata service.
 *
 * @example
 * ```ts
 * import { fromNodeInstanceProfile } from "pod-credentials";
 * const credentials = fromNodeInstanceProfile({ metadataEndpoint: "http://[fd00:ec2::254]" });
 * ```
 */
export interface NodeInstanceProfileOptions extends CommonOptions {
  /**
   * The instance metadata endpoint.
   * @default process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT, else by AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE, else `http://169.254.169.254`
   */
  metadataEndpoint?: string | undefined;
}
