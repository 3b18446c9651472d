import type { AwsCredentialIdentity, Logger } from "@smithy/types";
import { CredentialSourceError } from "../base/errors.js";
import type { Settings, SourceName } from "../base/settings.js";
import { type HttpRequest, type HttpResponse, httpRequest, isHttpRequestError } from "../wire/http.js";

/** What an SDK client passes to a credential provider; `callerClientConfig` carries its region. */
export interface IdentityProperties {
  callerClientConfig?: { region?: unknown; [key: string]: unknown } | undefined;
  forceRefresh?: boolean | undefined;
  [key: string]: unknown;
}

/** What a source needs from the chain at resolution time. */
export interface ResolutionContext {
  readonly identityProperties: IdentityProperties | undefined;
  readonly logger: Logger;
  /**
   * When the provider was first called (on the `monotonicNow()` clock): start-up races are retried until
   * `startupTimeoutMs` after it.
   */
  readonly firstCallAt: number;
  /** Aborts when the resolution's overall deadline passes. */
  readonly signal?: AbortSignal | undefined;
  /** The resolution's overall deadline (`monotonicNow()` clock); retries of "try again" answers stop before it. */
  readonly deadlineAt?: number | undefined;
  /** Told each "not yet" answer that is about to be retried; the deadline error quotes the last one. */
  readonly onRetry?: ((message: string) => void) | undefined;
  /** Told every secret the source reads (a token), so that no output of the provider can ever show it. */
  readonly secret?: ((value: string) => void) | undefined;
}

/** Credentials from one source, with what it knows of the identity behind them. */
export interface SourceResult {
  readonly credentials: AwsCredentialIdentity;
  readonly roleArn?: string | undefined;
  readonly roleName?: string | undefined;
  readonly accountId?: string | undefined;
}

/** What `detect()` found: a configured source and how to get its credentials, or the reason it is skipped. */
export type Detection =
  | {
      readonly configured: true;
      /** By variable and file names, never values: `"AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN"`. */
      readonly configuredBy: string;
      /** Gets credentials; throws `CredentialSourceError` or `NodeCredentialsRefusedError`. */
      resolve(context: ResolutionContext): Promise<SourceResult>;
    }
  | { readonly configured: false; readonly reason: string };

/**
 * One place credentials can come from. `detect` looks at settings and local files only (no network), so that a pod
 * with nothing configured fails fast; it throws `CredentialSourceError` when the source is half-configured.
 */
export interface Source {
  readonly name: SourceName;
  detect(): Promise<Detection>;
}

/** Builds a source from the chain's settings. */
export type SourceFactory = (settings: Settings) => Source;

// The texts a provider keeps from its configuration (what configured its source, why others were skipped, a token
// file's path, an endpoint) are the same for every provider made from the same environment: keyed on themselves, a
// process keeps one copy of each rather than one per provider (it may make thousands: the bench's footprint
// scenario measured about 200 bytes each).
const SHARED_TEXTS = new Map<string, string>();
const MAX_SHARED_TEXTS = 64;

/**
 * A text a provider keeps from its configuration, as one copy shared with every provider that keeps the same text.
 * Only for texts that are never secret (names, paths, URLs without a query); at most 64 are shared, the rest kept as
 * they are.
 */
export const sharedText = (text: string): string => {
  const known = SHARED_TEXTS.get(text);
  if (known !== undefined) return known;
  if (SHARED_TEXTS.size < MAX_SHARED_TEXTS) SHARED_TEXTS.set(text, text);
  return text;
};

/** Real metadata servers and agents answer in a few hundred bytes; a larger answer is not one of theirs. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** How {@link ask} names a failure: the source, what was asked (`"The metadata endpoint"`), the fix, the target. */
export interface AskFailure {
  readonly source: SourceName;
  readonly what: string;
  readonly fix: string;
  /** The URL as it may be shown; the request's URL by default. */
  readonly target?: string | undefined;
}

/**
 * One bounded HTTP request for a source: no answer in time, a refused connection or an oversized body become a
 * `CredentialSourceError` saying what gave no usable answer and how to fix it. Any status is returned: what it means
 * is the source's business.
 */
export const ask = async (request: Omit<HttpRequest, "maxBodyBytes">, failure: AskFailure): Promise<HttpResponse> => {
  try {
    return await httpRequest({ ...request, maxBodyBytes: MAX_RESPONSE_BYTES });
  } catch (error) {
    if (!isHttpRequestError(error)) throw error;
    throw new CredentialSourceError(`${failure.what} gave no usable answer: ${error.message}.`, {
      source: failure.source,
      target: failure.target ?? request.url,
      cause: error,
      fix: failure.fix,
    });
  }
};
