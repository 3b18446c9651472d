import type { Logger } from "@smithy/types";
import { CredentialSourceError, NoPodCredentialsError, PodCredentialsError } from "../base/errors.js";
import type { SkippedSource } from "../base/options.js";
import type { Settings, SourceName } from "../base/settings.js";
import { monotonicNow, withDeadline } from "../base/timing.js";
import { envSource } from "../sources/env.js";
import { instanceProfileSource } from "../sources/instanceProfile.js";
import { kube2iamSource } from "../sources/kube2iam.js";
import { podIdentitySource } from "../sources/podIdentity.js";
import { sharedConfigSource } from "../sources/sharedConfig.js";
import type { IdentityProperties, ResolutionContext, Source, SourceFactory, SourceResult } from "../sources/source.js";
import { webIdentitySource } from "../sources/webIdentity.js";
import type { Resolution } from "./reporter.js";

/** Every source, by name: the chain builds the ones its settings name, in their order, when it first tries them. */
export const SOURCE_FACTORIES: Readonly<Record<SourceName, SourceFactory>> = Object.freeze({
  webIdentity: webIdentitySource,
  podIdentity: podIdentitySource,
  kube2iam: kube2iamSource,
  instanceProfile: instanceProfileSource,
  env: envSource,
  sharedConfig: sharedConfigSource,
});

const NODE_NOT_ALLOWED =
  "node credentials are not allowed (set POD_CREDENTIALS_ALLOW_NODE=true to accept the node's shared role)";

/** The source that answered, how it was configured, and what was skipped before it: pinned for every refresh. */
interface Pinned {
  readonly source: SourceName;
  readonly configuredBy: string;
  readonly resolve: (context: ResolutionContext) => Promise<SourceResult>;
  readonly skipped: readonly SkippedSource[];
}

/** Why credentials arrive expired, per source: an endpoint that keeps serving its last credentials, or a clock. */
const EXPIRED_FIX: Partial<Record<SourceName, string>> = {
  podIdentity:
    "the EKS Pod Identity agent hands out its last credentials, even expired, while it cannot reach the EKS Auth API: " +
    "check the agent's logs and its access to EKS Auth, then this node's clock (NTP).",
  instanceProfile:
    "the instance metadata service hands out its last credentials, even expired, while it cannot renew them: check " +
    "the instance's role and this node's clock (NTP).",
};

/**
 * Credentials that arrive already expired are an error, not a result: AWS rejects an expired session, so serving them
 * would only move the failure to every AWS call, where it says nothing of its cause. Unlike the SDK, this library does
 * not extend their expiration (docs/security-model.md, "Expired credentials").
 */
export const rejectExpired = (source: SourceName, result: SourceResult): SourceResult => {
  const expiration = result.credentials.expiration;
  if (expiration !== undefined && expiration.getTime() <= Date.now()) {
    throw new CredentialSourceError(
      `The credentials arrived already expired (expiration ${expiration.toISOString()}).`,
      {
        source,
        fix: EXPIRED_FIX[source] ?? "check the clock of this node (NTP) and of the endpoint that issued them.",
      },
    );
  }
  return result;
};

/**
 * Tries the sources in order. A source that is not configured is skipped with its reason; the first configured
 * source decides: its credentials, or its error. Never moves on after a configured source fails.
 */
const walkSources = async (
  sources: readonly SourceName[],
  build: (name: SourceName) => Source,
  allowNodeCredentials: boolean,
  context: ResolutionContext,
  onTrying: (source: SourceName) => void,
): Promise<{ pinned: Pinned; result: SourceResult }> => {
  const skipped: SkippedSource[] = [];
  const skip = (source: SourceName, reason: string) => {
    skipped.push({ source, reason });
    context.logger.debug(`pod-credentials: skipped ${source}: ${reason}`);
  };
  for (const name of sources) {
    if (name === "instanceProfile" && !allowNodeCredentials) {
      skip(name, NODE_NOT_ALLOWED);
      continue;
    }
    onTrying(name);
    const source = build(name);
    const detected = await source.detect();
    if (!detected.configured) {
      skip(source.name, detected.reason);
      continue;
    }
    context.logger.debug(`pod-credentials: trying ${source.name}, configured by ${detected.configuredBy}`);
    const pinned = { source: source.name, configuredBy: detected.configuredBy, resolve: detected.resolve, skipped };
    return { pinned, result: rejectExpired(source.name, await detected.resolve(context)) };
  }
  throw new NoPodCredentialsError(skipped);
};

/**
 * Resolves credentials for one provider: walks the sources the first time, then asks only the source that answered
 * (it is pinned: a failing refresh reports that source's error and never moves on), every resolution within the
 * overall deadline. Returns what the cache keeps.
 */
export const chainResolver = (settings: Settings, logger: Logger, secret?: (value: string) => void) => {
  // Built when first tried, and dropped once a source is pinned: a provider keeps only the source it uses.
  let sources: Map<SourceName, Source> | undefined = new Map();
  const build = (name: SourceName): Source => {
    const built = sources?.get(name) ?? SOURCE_FACTORIES[name](settings);
    sources?.set(name, built);
    return built;
  };
  let pinned: Pinned | undefined;
  let firstCallAt: number | undefined;
  return async (identityProperties: IdentityProperties | undefined): Promise<Resolution> => {
    const started = monotonicNow();
    firstCallAt ??= started;
    let trying = pinned?.source;
    let lastAnswer: string | undefined;
    const context: ResolutionContext = {
      identityProperties,
      logger,
      firstCallAt,
      deadlineAt: started + settings.resolutionTimeoutMs,
      secret,
      onRetry: (message) => {
        // Quoted in the deadline error, which has its own fix: the answer's fix would make two.
        lastAnswer = message.split(" Fix: ")[0];
      },
    };
    const { pinned: answered, result } = await withDeadline(
      settings.resolutionTimeoutMs,
      async (signal) => {
        const withSignal = { ...context, signal };
        if (!pinned) {
          const { allowNodeCredentials } = settings;
          return walkSources(settings.sources, build, allowNodeCredentials, withSignal, (name) => (trying = name));
        }
        return { pinned, result: rejectExpired(pinned.source, await pinned.resolve(withSignal)) };
      },
      () => resolutionTimedOut(settings.resolutionTimeoutMs, trying, lastAnswer),
    );
    logger.debug(`pod-credentials: ${pinned ? "refreshed" : "resolved"} from ${answered.source}`);
    pinned ??= answered;
    sources = undefined;
    const { source, configuredBy, skipped } = answered;
    const { credentials, roleArn, roleName } = result;
    const accountId = result.accountId ?? credentials.accountId;
    const description = { source, configuredBy, roleArn, roleName, accountId, skipped, resolvedAt: new Date() };
    return { credentials, description: { ...description, expiration: credentials.expiration } };
  };
};

/** The error when a whole resolution misses its deadline; it names the source when one was being tried. */
const resolutionTimedOut = (ms: number, source: SourceName | undefined, lastAnswer: string | undefined): Error => {
  const fix =
    "check that the endpoints the pod uses answer (see the debug log: POD_CREDENTIALS_LOG_LEVEL=debug), or raise " +
    "POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS.";
  const last = lastAnswer === undefined ? "" : ` The last answer, retried until then: ${lastAnswer}`;
  const problem = `No credentials within the ${ms} ms resolution deadline.${last}`;
  return source ? new CredentialSourceError(problem, { source, fix }) : new PodCredentialsError(problem, { fix });
};
