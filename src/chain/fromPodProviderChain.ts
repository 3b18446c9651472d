import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { CredentialCache, type LoadKind } from "../cache/credentialCache.js";
import { CredentialSourceError } from "../errors/CredentialSourceError.js";
import { PodCredentialsError } from "../errors/PodCredentialsError.js";
import type { CredentialSource } from "../sources/credentialSource.js";
import type { IdentityProperties, ResolutionContext } from "../sources/source.js";
import { withDeadline } from "../utils/withDeadline.js";
import { ChainReporter, type DescribedResolution } from "./chainReporter.js";
import { chainSettings } from "./chainSettings.js";
import type { PodCredentialsDescription } from "./podCredentialsDescription.js";
import type { PodProviderChainOptions } from "./podProviderChainOptions.js";
import { refreshPolicy } from "./refreshOptions.js";
import { type ChainResolution, rejectExpired, resolveFromSources } from "./resolveFromSources.js";

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
 * Once a source has answered, every refresh uses that source only (it is pinned): a failing refresh reports that
 * source's error and never moves to another source. Credentials are refreshed ahead of expiry, in the background,
 * at a jittered time; concurrent calls share one request; failures are kept briefly (see {@link RefreshOptions}).
 * The first successful resolution logs one info line naming the source, role, account, expiration and skipped sources.
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
  const policy = refreshPolicy(options);
  const { logger } = settings;
  for (const warning of settings.warnings) logger.warn(warning);
  const reporter = new ChainReporter(logger, options.onEvent);
  let firstCallAt: number | undefined;
  let pinned: ChainResolution | undefined;

  let trying: CredentialSource | undefined;
  const resolveWithin = async (context: ResolutionContext): Promise<ChainResolution> => {
    trying = pinned?.source.name;
    if (!pinned) {
      return resolveFromSources(settings.sources, settings.allowNodeCredentials, context, (source) => {
        trying = source;
      });
    }
    const { source, configured, skipped } = pinned;
    const result = await configured.resolve(context);
    rejectExpired(source, result);
    return { source, configured, skipped, result };
  };

  const load = async (
    identityProperties: IdentityProperties | undefined,
    kind: LoadKind,
  ): Promise<DescribedResolution> => {
    firstCallAt ??= Date.now();
    const started = Date.now();
    const deadlineAt = started + settings.resolutionTimeoutMs;
    let lastAnswer: string | undefined;
    const onRetry = (message: string) => {
      lastAnswer = message;
    };
    const resolution = await withDeadline(
      settings.resolutionTimeoutMs,
      (signal) =>
        resolveWithin({ identityProperties, logger, firstCallAt: firstCallAt ?? started, signal, deadlineAt, onRetry }),
      () => resolutionTimedOut(settings.resolutionTimeoutMs, trying, lastAnswer),
    );
    pinned ??= resolution;
    logger.debug(`pod-credentials: ${kind === "initial" ? "resolved" : "refreshed"} from ${resolution.source.name}`);
    return { ...resolution, credentials: resolution.result.credentials, description: describeResolution(resolution) };
  };

  const cache: CredentialCache<DescribedResolution> = new CredentialCache(load, policy, {
    loaded: (value, kind) => reporter.loaded(value, kind, cache.status.refreshCount),
    loadFailed: (error, failure) => reporter.loadFailed(error, failure),
    servedStale: (value) => reporter.servedStale(value),
    expired: (value) => reporter.expired(value),
  });
  const provider = (identityProperties?: IdentityProperties) => cache.get(identityProperties);
  return Object.assign(provider, {
    describe: (): PodCredentialsDescription | undefined => {
      const latest = reporter.last;
      if (!latest) return undefined;
      const { nextRefreshAt, refreshCount } = cache.status;
      return {
        ...latest.description,
        nextRefreshAt: nextRefreshAt === undefined ? undefined : new Date(nextRefreshAt),
        refreshCount,
      };
    },
  });
};

const describeResolution = ({
  source,
  configured,
  result,
  skipped,
}: ChainResolution): DescribedResolution["description"] => ({
  source: source.name,
  configuredBy: configured.via,
  roleArn: result.roleArn,
  roleName: result.roleName,
  accountId: result.accountId ?? result.credentials.accountId,
  expiration: result.credentials.expiration,
  resolvedAt: new Date(),
  skipped,
});

/** The error when a whole resolution misses its deadline; it names the source when one was pinned. */
const resolutionTimedOut = (
  ms: number,
  source: CredentialSource | undefined,
  lastAnswer: string | undefined,
): Error => {
  const fix =
    "check that the endpoints the pod uses answer (see the debug log: POD_CREDENTIALS_LOG_LEVEL=debug), or raise " +
    "POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS.";
  const last = lastAnswer === undefined ? "" : ` The last answer, retried until then: ${lastAnswer}`;
  const problem = `No credentials within the ${ms} ms resolution deadline.${last}`;
  return source ? new CredentialSourceError(problem, { source, fix }) : new PodCredentialsError(problem, { fix });
};
