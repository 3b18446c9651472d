import type { CommonOptions } from "../../config/commonOptions.js";

/**
 * Options of the `kube2iam` source (kube2iam and kiam metadata proxies).
 *
 * @example
 * ```ts
 * import { fromKube2iam } from "pod-credentials";
 * const credentials = fromKube2iam({ annotationsFile: "/etc/podinfo/annotations", startupTimeoutMs: 30_000 });
 * ```
 */
export interface Kube2iamOptions extends CommonOptions {
  /**
   * The role the pod declares: a name (`orders-reader`), `path/name`, or a full ARN. The proxy must offer exactly this
   * role; any other role is treated as the node's and refused.
   * @default process.env.POD_CREDENTIALS_ROLE, else the `iam.amazonaws.com/role` annotation in `annotationsFile`
   */
  expectedRole?: string | undefined;
  /**
   * The Kubernetes downward-API file that holds the pod's annotations.
   * @default process.env.POD_CREDENTIALS_ANNOTATIONS_FILE, else `/etc/podinfo/annotations`
   */
  annotationsFile?: string | undefined;
  /**
   * The metadata endpoint the proxy intercepts.
   * @default process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT, else `http://169.254.169.254`
   */
  metadataEndpoint?: string | undefined;
  /**
   * How long after the first call "not yet" answers are retried, with backoff: on a fresh node the proxy may not have
   * installed its redirect, or may not know the new pod or its annotation yet. Env: `POD_CREDENTIALS_STARTUP_TIMEOUT_MS`.
   * @default 10000
   */
  startupTimeoutMs?: number | undefined;
}
