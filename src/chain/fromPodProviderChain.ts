import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { consoleLogger, guardLogger, noopLogger, Redactor } from "../base/logging.js";
import type {
  Kube2iamOptions,
  NodeInstanceProfileOptions,
  PodCredentialsDescription,
  PodIdentityAgentOptions,
  PodProviderChainOptions,
  WebIdentityOptions,
} from "../base/options.js";
import { readSettings } from "../base/settings.js";
import type { IdentityProperties } from "../sources/source.js";
import { CredentialCache } from "./cache.js";
import { ChainReporter, type Resolution, SILENT_OBSERVER } from "./reporter.js";
import { ChainResolver } from "./resolve.js";

/**
 * A credential provider for any AWS SDK v3 client (an `AwsCredentialIdentityProvider`), that can also say where its
 * credentials came from.
 */
export interface PodCredentialProvider extends AwsCredentialIdentityProvider {
  /** The last successful resolution, without secrets; `undefined` before the first. */
  describe(): PodCredentialsDescription | undefined;
  /**
   * For a readiness endpoint: resolves with what {@link PodCredentialProvider.describe} says once usable credentials
   * are held (fetching them first if needed, sharing any resolution in flight), and rejects with the chain's error
   * otherwise (`NoPodCredentialsError`, `CredentialSourceError`, ...). Credentials stay usable until shortly before
   * they expire, also while a refresh is failing; within a failure's backoff it rejects at once, with no network
   * request, so a probe every few seconds costs nothing.
   */
  ready(): Promise<PodCredentialsDescription>;
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
 * Once a source has answered, every refresh uses that source only (it is pinned). Credentials are refreshed ahead of
 * expiry, in the background, at a jittered time; concurrent calls share one request; failures are kept briefly. The
 * first successful resolution logs one info line naming the source, role, account, expiration and skipped sources.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromPodProviderChain } from "pod-credentials";
 * const s3 = new S3Client({ credentials: fromPodProviderChain() });
 * ```
 */
export const fromPodProviderChain = (options: PodProviderChainOptions = {}): PodCredentialProvider => {
  const settings = readSettings(options);
  // Every text the provider puts out goes through one redactor that knows every secret it has seen.
  const redactor = new Redactor();
  // A logger that drops everything needs no guard and no redaction: the provider keeps no wrapper for it.
  const logger =
    options.logger === noopLogger
      ? noopLogger
      : guardLogger(options.logger ?? consoleLogger(settings.logLevel), redactor.text.bind(redactor));
  for (const warning of settings.warnings) logger.warn(warning);
  const observer =
    logger === noopLogger && options.onEvent === undefined
      ? SILENT_OBSERVER
      : new ChainReporter(logger, options.onEvent);
  const cache = new CredentialCache(new ChainResolver(settings, logger, redactor), settings.refresh, observer);
  const describe = () => describeLast(cache);
  const ready = async (): Promise<PodCredentialsDescription> => {
    await cache.get();
    // Set by the load that just succeeded (the cache records it before it hands the credentials out).
    return describeLast(cache) as PodCredentialsDescription;
  };
  // The cached call, inlined: one wall-clock read against the planned refresh time, then the same settled promise
  // every time. The wall clock, not a timer or the monotonic clock: those stop while the host is suspended.
  const provider = (properties?: IdentityProperties): Promise<AwsCredentialIdentity> =>
    properties?.forceRefresh !== true && Date.now() < cache.freshUntil
      ? (cache.fresh as Promise<AwsCredentialIdentity>)
      : cache.get(properties);
  return Object.assign(provider, { describe, ready });
};

/** What `describe()` says: the last resolution's description, with the cache's plan. */
const describeLast = (cache: CredentialCache<Resolution>): PodCredentialsDescription | undefined => {
  const { nextRefreshAt, refreshCount } = cache.status;
  const last = cache.last?.description;
  return (
    last && {
      ...last,
      resolvedAt: new Date(last.resolvedAt),
      nextRefreshAt: nextRefreshAt === undefined ? undefined : new Date(nextRefreshAt),
      refreshCount,
    }
  );
};

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

/**
 * kube2iam or kiam alone, verified: the metadata endpoint must be a proxy (it accepts an invalid IMDSv2 token, which
 * the real EC2 IMDS rejects) and must offer the role the pod declares; otherwise `NodeCredentialsRefusedError`.
 * Cached, logged and described like {@link fromPodProviderChain}.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromKube2iam } from "pod-credentials";
 * const s3 = new S3Client({ credentials: fromKube2iam({ expectedRole: "orders-reader" }) });
 * ```
 */
export const fromKube2iam = (options: Kube2iamOptions = {}): PodCredentialProvider =>
  fromPodProviderChain({ ...options, sources: ["kube2iam"] });

/**
 * The node's own instance-profile role, deliberately: calling this is the explicit opt-in, so node credentials are
 * allowed. Every pod on the node shares this role; each resolution logs a warning saying so.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromNodeInstanceProfile } from "pod-credentials";
 * const s3 = new S3Client({ credentials: fromNodeInstanceProfile() });
 * ```
 */
export const fromNodeInstanceProfile = (options: NodeInstanceProfileOptions = {}): PodCredentialProvider =>
  fromPodProviderChain({ ...options, sources: ["instanceProfile"], allowNodeCredentials: true });
