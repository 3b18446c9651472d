import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Logger } from "@smithy/types";
import { CredentialCache } from "../cache/credentialCache.js";
import type { IdentityProperties } from "../sources/source.js";
import { chainSettings } from "./chainSettings.js";
import { formatResolution, roleLabel } from "./formatResolution.js";
import type { PodCredentialsDescription } from "./podCredentialsDescription.js";
import type { PodProviderChainOptions } from "./podProviderChainOptions.js";
import { type ChainResolution, resolveFromSources } from "./resolveFromSources.js";

/**
 * A credential provider for any AWS SDK v3 client (an `AwsCredentialIdentityProvider`), that can also say where its
 * credentials came from.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromPodProviderChain } from "pod-credentials";
 * const credentials = fromPodProviderChain();
 * const s3 = new S3Client({ credentials });
 * await credentials();
 * console.log(credentials.describe()?.source);
 * ```
 */
export interface PodCredentialProvider extends AwsCredentialIdentityProvider {
  /** The last successful resolution, without secrets; `undefined` before the first. */
  describe(): PodCredentialsDescription | undefined;
}

const NODE_ROLE_WARNING =
  "every pod on this node shares these credentials. Configure IRSA or EKS Pod Identity to give this pod its own role.";

/**
 * The strict pod provider chain: IRSA (`webIdentity`), then EKS Pod Identity (`podIdentity`), then kube2iam/kiam
 * verified against the role the pod declares (`kube2iam`), then the node's instance profile (`instanceProfile`),
 * which is refused unless `allowNodeCredentials` (or `POD_CREDENTIALS_ALLOW_NODE=true`) allows it.
 *
 * A source that is not configured is skipped; a source that is configured but broken stops the chain with a
 * `CredentialSourceError`, never falling through to a broader identity. With nothing configured, the first call
 * throws `NoPodCredentialsError` without any network request. The configuration is read when the provider is created
 * (a bad value throws `InvalidConfigurationError` then); token files are read at every resolution.
 *
 * Credentials are cached until shortly before they expire; concurrent calls share one resolution. The first
 * successful resolution logs one info line naming the source, role, account, expiration and skipped sources.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromPodProviderChain } from "pod-credentials";
 * const s3 = new S3Client({ credentials: fromPodProviderChain() });
 * ```
 */
export const fromPodProviderChain = (options: PodProviderChainOptions = {}): PodCredentialProvider => {
  const settings = chainSettings(options);
  const { logger } = settings;
  for (const warning of settings.warnings) logger.warn(warning);
  let firstCallAt: number | undefined;
  let lastDescription: PodCredentialsDescription | undefined;
  let lastFailure: string | undefined;

  const resolve = async (identityProperties: IdentityProperties | undefined): Promise<AwsCredentialIdentity> => {
    firstCallAt ??= Date.now();
    let resolution: ChainResolution;
    try {
      resolution = await resolveFromSources(settings.sources, settings.allowNodeCredentials, {
        identityProperties,
        logger,
        firstCallAt,
      });
    } catch (error) {
      logFailure(logger, error, lastFailure);
      lastFailure = error instanceof Error ? error.message : String(error);
      throw error;
    }
    lastFailure = undefined;
    const description = describeResolution(resolution);
    if (!lastDescription || lastDescription.source !== description.source || roleLabel(lastDescription) !== roleLabel(description)) {
      logger.info(formatResolution(description));
    }
    if (description.source === "instanceProfile") {
      logger.warn(`pod-credentials: using the node's instance-profile role ${roleLabel(description) ?? ""}: ${NODE_ROLE_WARNING}`);
    }
    lastDescription = description;
    return resolution.result.credentials;
  };

  const cache = new CredentialCache(resolve);
  const provider = (identityProperties?: IdentityProperties) => cache.get(identityProperties);
  return Object.assign(provider, { describe: () => lastDescription });
};

const describeResolution = ({ source, configured, result, skipped }: ChainResolution): PodCredentialsDescription => ({
  source: source.name,
  configuredBy: configured.via,
  roleArn: result.roleArn,
  roleName: result.roleName,
  accountId: result.accountId ?? result.credentials.accountId,
  expiration: result.credentials.expiration,
  resolvedAt: new Date(),
  skipped,
});

/** A failed resolution is logged once at error level; the same failure again is logged at debug only. */
const logFailure = (logger: Logger, error: unknown, previous: string | undefined): void => {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof Error && error.message === previous) logger.debug(`pod-credentials: ${message}`);
  else logger.error(`pod-credentials: ${message}`);
};
