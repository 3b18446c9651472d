import type { CredentialSource } from "../sources/credentialSource.js";
import type { NodeInstanceProfileOptions } from "../sources/instanceProfile/instanceProfileOptions.js";
import type { Kube2iamOptions } from "../sources/kube2iam/kube2iamOptions.js";
import type { PodIdentityAgentOptions } from "../sources/podIdentity/podIdentityOptions.js";
import type { WebIdentityOptions } from "../sources/webIdentity/webIdentityOptions.js";
import type { RefreshOptions } from "./refreshOptions.js";

/**
 * Options of {@link fromPodProviderChain}: the chain's own, and those of every source. Options win over the
 * environment variables named in their docs; the environment is read once, when the provider is created.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain } from "pod-credentials";
 * const credentials = fromPodProviderChain({ sources: ["podIdentity", "webIdentity"], startupTimeoutMs: 30_000 });
 * ```
 */
export interface PodProviderChainOptions
  extends WebIdentityOptions,
    PodIdentityAgentOptions,
    Kube2iamOptions,
    NodeInstanceProfileOptions,
    RefreshOptions {
  /**
   * Which sources run, and in what order. `env` and `sharedConfig` (local development) only run when named here.
   * Env: `POD_CREDENTIALS_SOURCES`, a comma-separated list.
   * @default ["webIdentity", "podIdentity", "kube2iam", "instanceProfile"]
   */
  sources?: readonly CredentialSource[] | undefined;
  /**
   * Whether the node's own instance-profile role may be used, as the last source. Every pod on the node shares it, so
   * it is refused unless this is `true`; when it is used, each resolution logs a warning.
   * Env: `POD_CREDENTIALS_ALLOW_NODE` (`true` or `false`).
   * @default false
   */
  allowNodeCredentials?: boolean | undefined;
}
