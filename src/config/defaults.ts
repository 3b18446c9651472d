import type { CredentialSource } from "../sources/credentialSource.js";

/** The sources a chain tries when `sources` is not set; `instanceProfile` only runs when node credentials are allowed. */
export const DEFAULT_SOURCES: readonly CredentialSource[] = Object.freeze([
  "webIdentity",
  "podIdentity",
  "kube2iam",
  "instanceProfile",
]);

export const DEFAULT_ANNOTATIONS_FILE = "/etc/podinfo/annotations";
export const DEFAULT_METADATA_ENDPOINT = "http://169.254.169.254";
export const DEFAULT_METADATA_ENDPOINT_IPV6 = "http://[fd00:ec2::254]";
export const DEFAULT_CONTAINER_HOST = "http://169.254.170.2";
export const DEFAULT_TIMEOUT_MS = 1000;
export const DEFAULT_STARTUP_TIMEOUT_MS = 10_000;

/** Size caps on what we read: larger inputs are not what a real server or kubelet writes. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
export const MAX_TOKEN_FILE_BYTES = 16 * 1024;
export const MAX_ANNOTATIONS_FILE_BYTES = 256 * 1024;
