import type { AwsCredentialIdentity, Logger } from "@smithy/types";
import { CredentialSourceError, NoPodCredentialsError, PodCredentialsError } from "../base/errors.js";
import type { Redactor } from "../base/logging.js";
import type { CredentialHop, IdentityVerification, SkippedSource } from "../base/options.js";
import type { Settings, SourceName } from "../base/settings.js";
import { monotonicNow, withDeadline } from "../base/timing.js";
import { envSource } from "../sources/env.js";
import { instanceProfileSource } from "../sources/instanceProfile.js";
import { kube2iamSource } from "../sources/kube2iam.js";
import { podIdentitySource } from "../sources/podIdentity.js";
import { sharedConfigSource } from "../sources/sharedConfig.js";
import type {
  Detection,
  IdentityProperties,
  ResolutionContext,
  Source,
  SourceFactory,
  SourceResult,
} from "../sources/source.js";
import { sharedText } from "../sources/source.js";
import { webIdentitySource } from "../sources/webIdentity.js";
import { parseRoleReference } from "../wire/kubernetes.js";
import { stsTransportFor } from "../wire/sts.js";
import { type Chainer, inHopOne, roleChainer } from "./assumeRole.js";
import type { Resolution } from "./reporter.js";
import { identityVerifier, type Verifier } from "./verifyIdentity.js";

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
  /** What the source's detect() found; its `resolve` is called as its method. */
  readonly detected: Extract<Detection, { configured: true }>;
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

// The skipped sources and their reasons are the same for every provider made from the same environment: a provider
// keeps the one shared, frozen list (bounded, like sharedText).
const SHARED_SKIPPED = new Map<string, readonly SkippedSource[]>();
const MAX_SHARED_SKIPPED = 32;
const sharedSkipped = (skipped: readonly SkippedSource[]): readonly SkippedSource[] => {
  const key = JSON.stringify(skipped);
  const known = SHARED_SKIPPED.get(key);
  if (known !== undefined) return known;
  const frozen = Object.freeze(
    skipped.map(({ source, reason }) => Object.freeze({ source, reason: sharedText(reason) })),
  );
  if (SHARED_SKIPPED.size < MAX_SHARED_SKIPPED) SHARED_SKIPPED.set(key, frozen);
  return frozen;
};

/**
 * Tries the sources in order. A source that is not configured is skipped with its reason; the first configured
 * source decides: its credentials, or its error. Never moves on after a configured source fails.
 */
const walkSources = async (
  settings: Settings,
  build: (name: SourceName) => Source,
  context: ResolutionContext,
  onTrying: (source: SourceName) => void,
): Promise<{ pinned: Pinned; result: SourceResult }> => {
  const skipped: SkippedSource[] = [];
  const skip = (source: SourceName, reason: string) => {
    skipped.push({ source, reason });
    context.logger.debug(`pod-credentials: skipped ${source}: ${reason}`);
  };
  for (const name of settings.sources) {
    if (name === "instanceProfile" && !settings.allowNodeCredentials) {
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
    const pinned = { source: source.name, detected, skipped: sharedSkipped(skipped) };
    return { pinned, result: rejectExpired(source.name, await detected.resolve(context)) };
  }
  throw new NoPodCredentialsError(skipped);
};

/** What the resolver keeps of the settings until a source is pinned: the walk needs them, a pinned source does not. */
interface Walk {
  readonly settings: Settings;
  /** Built when first tried: a source that is tried again (after a failure) is the same one. */
  readonly sources: Map<SourceName, Source>;
}

/**
 * Resolves credentials for one provider: walks the sources the first time, then asks only the source that answered
 * (it is pinned: a failing refresh reports that source's error and never moves on); with `verifyIdentity`, STS says
 * whose the source's credentials are; with `assumeRole`, they assume the target role (hop 2). Every resolution, all
 * hops included, runs within the overall deadline. Returns what the cache keeps. Bad verification or chaining
 * settings throw `InvalidConfigurationError` here, when the provider is created.
 *
 * Every text that leaves it goes through `redactor`: its errors, and the description's texts. A class, not a closure:
 * its state is one object's fields, and its method is shared by every provider.
 */
export class ChainResolver {
  // Dropped once a source is pinned: a provider keeps only the source it uses, and of the settings only what that
  // source and the hops after it need.
  #walk: Walk | undefined;
  readonly #resolutionTimeoutMs: number;
  readonly #logger: Logger;
  readonly #redactor: Redactor;
  readonly #verify: Verifier | undefined;
  readonly #chain: Chainer | undefined;
  #pinned: Pinned | undefined;
  #firstCallAt: number | undefined;

  constructor(settings: Settings, logger: Logger, redactor: Redactor) {
    this.#walk = { settings, sources: new Map() };
    this.#resolutionTimeoutMs = settings.resolutionTimeoutMs;
    this.#logger = logger;
    this.#redactor = redactor;
    // STS is only called by the chain to verify or to chain a role (IRSA's own STS calls share the same transport).
    const transport = settings.verifyIdentity || settings.assumeRole ? stsTransportFor(settings) : undefined;
    this.#verify = transport && identityVerifier(settings, transport);
    this.#chain = transport && roleChainer(settings, transport);
  }

  /** One resolution (the cache calls it, one at a time). */
  async load(identityProperties: IdentityProperties | undefined): Promise<Resolution> {
    // The tokens a resolution reads (and hop 1's credentials) are held by nothing of ours once it ends, so the
    // redactor holds them only while it runs: no text put out later can contain them. The credentials returned, and
    // their secrets, are kept for good.
    try {
      const started = monotonicNow();
      this.#firstCallAt ??= started;
      let trying = this.#pinned?.source;
      let lastAnswer: string | undefined;
      let hop: string | undefined;
      const secret = (value: string) => this.#redactor.hold(value);
      const context: ResolutionContext = {
        identityProperties,
        logger: this.#logger,
        firstCallAt: this.#firstCallAt,
        deadlineAt: started + this.#resolutionTimeoutMs,
        secret,
        onRetry: (message) => {
          // Quoted in the deadline error, which has its own fix: the answer's fix would make two.
          lastAnswer = message.split(" Fix: ")[0];
        },
      };
      const resolution = await withDeadline(
        this.#resolutionTimeoutMs,
        async (signal) => {
          const withSignal = { ...context, signal };
          const hopOne = async () => {
            if (this.#chain) hop = "hop 1";
            const found = this.#pinned
              ? {
                  pinned: this.#pinned,
                  result: rejectExpired(this.#pinned.source, await this.#pinned.detected.resolve(withSignal)),
                }
              : await walkSources(
                  (this.#walk as Walk).settings,
                  (name) => buildSource(this.#walk as Walk, name),
                  withSignal,
                  (name) => (trying = name),
                );
            // Hop 1's secrets never leave the provider either, though only hop 2's are returned.
            for (const value of [found.result.credentials.secretAccessKey, found.result.credentials.sessionToken]) {
              if (value) secret(value);
            }
            const { source, detected } = found.pinned;
            const { configuredBy } = detected;
            const verification = await this.#verify?.(source, configuredBy, found.result, withSignal);
            return { ...found, verification };
          };
          const first = this.#chain
            ? await hopOne().catch((error: unknown) => Promise.reject(inHopOne(error)))
            : await hopOne();
          if (!this.#chain) return first;
          hop = "hop 2";
          const { result } = first;
          const second = await this.#chain(
            first.pinned.source,
            result.roleArn ?? result.roleName,
            result.credentials,
            withSignal,
          );
          return { ...first, second };
        },
        () => resolutionTimedOut(this.#resolutionTimeoutMs, trying, lastAnswer, hop),
      );
      const { pinned: answered, result, verification } = resolution;
      this.#logger.debug(`pod-credentials: ${this.#pinned ? "refreshed" : "resolved"} from ${answered.source}`);
      this.#pinned ??= answered;
      this.#walk = undefined;
      const second = "second" in resolution ? resolution.second : undefined;
      return describeResolution(answered, result, verification, second, this.#redactor);
    } catch (error) {
      throw this.#redactor.error(error);
    } finally {
      this.#redactor.release();
    }
  }
}

const buildSource = (walk: Walk, name: SourceName): Source => {
  const built = walk.sources.get(name) ?? SOURCE_FACTORIES[name](walk.settings);
  walk.sources.set(name, built);
  return built;
};

/**
 * What the cache keeps: the credentials returned (the last hop's) and what `describe()` says of every hop, its texts
 * through the redactor (which from now on knows the returned credentials' secrets).
 */
const describeResolution = (
  answered: Pinned,
  result: SourceResult,
  verification: IdentityVerification | undefined,
  second: { readonly credentials: AwsCredentialIdentity; readonly hop: CredentialHop } | undefined,
  redactor: Redactor,
): Resolution => {
  const { source, detected, skipped } = answered;
  const { configuredBy } = detected;
  const { credentials, roleArn } = result;
  // Pod Identity never says its role: STS's answer to the verification does (name and account; ARNs of sessions
  // have no path, so no role ARN is made up).
  const verified = verification && parseRoleReference(verification.callerArn);
  const roleName = result.roleName ?? verified?.name;
  const accountId = result.accountId ?? credentials.accountId ?? verification?.accountId;
  const returned = second?.credentials ?? credentials;
  redactor.add(returned.secretAccessKey, returned.sessionToken);
  const shown = (text: string | undefined) => (text === undefined ? undefined : redactor.text(text));
  // A number, not a Date, for as long as the provider keeps it: describe() makes the Date.
  const resolvedAt = Date.now();
  if (second === undefined) {
    // One literal of one shape, its fields inside the object: a provider keeps it until its next refresh.
    const description = {
      source,
      configuredBy: redactor.text(configuredBy),
      roleArn: shown(roleArn),
      roleName: shown(roleName),
      accountId,
      expiration: credentials.expiration,
      skipped,
      resolvedAt,
    };
    return { credentials, description: verification ? { ...description, verification } : description };
  }
  const { hop } = second;
  const sourceHop = { configuredBy, roleArn, roleName, accountId, expiration: credentials.expiration };
  const hops: CredentialHop[] = [{ hop: 1, via: source, ...sourceHop }, hop];
  const expirations = [credentials.expiration, hop.expiration].filter((date): date is Date => date !== undefined);
  return {
    credentials: second.credentials,
    // Refreshed ahead of the earlier expiration: a refresh gets hop 1's credentials again, then hop 2's.
    refreshBy: expirations.length === 0 ? undefined : new Date(Math.min(...expirations.map((date) => date.getTime()))),
    description: {
      source,
      configuredBy: redactor.text(configuredBy),
      roleArn: shown(hop.roleArn),
      roleName: shown(hop.roleName),
      accountId: hop.accountId,
      expiration: hop.expiration,
      skipped,
      resolvedAt,
      ...(verification && { verification }),
      hops,
    },
  };
};

/** The error when a whole resolution misses its deadline; it names the source when one was being tried. */
const resolutionTimedOut = (
  ms: number,
  source: SourceName | undefined,
  lastAnswer: string | undefined,
  hop: string | undefined,
): Error => {
  const fix =
    "check that the endpoints the pod uses answer (see the debug log: POD_CREDENTIALS_LOG_LEVEL=debug), or raise " +
    "POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS.";
  const last = lastAnswer === undefined ? "" : ` The last answer, retried until then: ${lastAnswer}`;
  const problem = `${hop ? `${hop}: ` : ""}No credentials within the ${ms} ms resolution deadline.${last}`;
  return source ? new CredentialSourceError(problem, { source, fix }) : new PodCredentialsError(problem, { fix });
};
