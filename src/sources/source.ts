import type { AwsCredentialIdentity, Logger } from "@smithy/types";
import type { CredentialSource } from "./credentialSource.js";

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
  /** When the provider was first called (ms since epoch): start-up races are retried until `startupTimeoutMs` after it. */
  readonly firstCallAt: number;
  /** Aborts when the resolution's overall deadline passes. */
  readonly signal?: AbortSignal | undefined;
  /** The resolution's overall deadline (ms since epoch); retries of "try again" answers stop before it. */
  readonly deadlineAt?: number | undefined;
  /** Told each "not yet" answer that is about to be retried; the deadline error quotes the last one. */
  readonly onRetry?: ((message: string) => void) | undefined;
}

/** Credentials from one source, with what we know of the identity behind them. */
export interface SourceResult {
  readonly credentials: AwsCredentialIdentity;
  readonly roleArn?: string | undefined;
  readonly roleName?: string | undefined;
  readonly accountId?: string | undefined;
}

/** A source that is configured, with what configured it, and how to get credentials from it. */
export interface ConfiguredSource {
  readonly configured: true;
  /** What configured it, by variable and file names, never values: `"AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN"`. */
  readonly via: string;
  /** Gets credentials; throws `CredentialSourceError` or `NodeCredentialsRefusedError`. */
  resolve(context: ResolutionContext): Promise<SourceResult>;
}

/** A source that is not configured, and why. */
export interface AbsentSource {
  readonly configured: false;
  readonly reason: string;
}

/**
 * One place credentials can come from. `detect` looks at settings and local files only (no network), so that a pod
 * with nothing configured fails fast; it throws `CredentialSourceError` when the source is half-configured.
 */
export interface Source {
  readonly name: CredentialSource;
  detect(): Promise<ConfiguredSource | AbsentSource>;
}
