import { CredentialSourceError } from "../errors/CredentialSourceError.js";
import { NoPodCredentialsError } from "../errors/NoPodCredentialsError.js";
import type { SkippedSource } from "../sources/skippedSource.js";
import type { ConfiguredSource, ResolutionContext, Source, SourceResult } from "../sources/source.js";

/** The outcome of walking the chain: the source that answered, its result, and what was skipped before it. */
export interface ChainResolution {
  readonly source: Source;
  readonly configured: ConfiguredSource;
  readonly result: SourceResult;
  readonly skipped: readonly SkippedSource[];
}

const NODE_NOT_ALLOWED =
  "node credentials are not allowed (set POD_CREDENTIALS_ALLOW_NODE=true to accept the node's shared role)";

/**
 * Tries the sources in order. A source that is not configured is skipped with its reason; the first configured
 * source decides: its credentials, or its error. Never moves on after a configured source fails.
 */
export const resolveFromSources = async (
  sources: readonly Source[],
  allowNodeCredentials: boolean,
  context: ResolutionContext,
  onTrying: (source: Source["name"]) => void = () => {},
): Promise<ChainResolution> => {
  const skipped: SkippedSource[] = [];
  for (const source of sources) {
    if (source.name === "instanceProfile" && !allowNodeCredentials) {
      skipped.push({ source: source.name, reason: NODE_NOT_ALLOWED });
      context.logger.debug(`pod-credentials: skipped ${source.name}: ${NODE_NOT_ALLOWED}`);
      continue;
    }
    onTrying(source.name);
    const detected = await source.detect();
    if (!detected.configured) {
      skipped.push({ source: source.name, reason: detected.reason });
      context.logger.debug(`pod-credentials: skipped ${source.name}: ${detected.reason}`);
      continue;
    }
    context.logger.debug(`pod-credentials: trying ${source.name}, configured by ${detected.via}`);
    const result = await detected.resolve(context);
    rejectExpired(source, result);
    return { source, configured: detected, result, skipped };
  }
  throw new NoPodCredentialsError(skipped);
};

/** Credentials that arrive already expired are an error, not a result. */
export const rejectExpired = (source: Source, result: SourceResult): void => {
  const expiration = result.credentials.expiration;
  if (expiration !== undefined && expiration.getTime() <= Date.now()) {
    throw new CredentialSourceError(
      `The credentials arrived already expired (expiration ${expiration.toISOString()}).`,
      {
        source: source.name,
        fix: "check the clock of this node (NTP) and of the endpoint that issued them.",
      },
    );
  }
};
