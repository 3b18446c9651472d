import type { AwsCredentialIdentity } from "@smithy/types";
import type { IdentityProperties } from "../sources/source.js";

/** Refresh credentials this long before they expire. */
export const DEFAULT_REFRESH_WINDOW_MS = 5 * 60_000;

/**
 * Keeps the last credentials until shortly before they expire. Concurrent callers share one load (single flight); a
 * call that finds valid credentials returns them without any I/O. Failures are not kept.
 */
export class CredentialCache {
  #credentials: AwsCredentialIdentity | undefined;
  #refreshAt = 0;
  #loading: Promise<AwsCredentialIdentity> | undefined;

  constructor(
    private readonly load: (properties: IdentityProperties | undefined) => Promise<AwsCredentialIdentity>,
    private readonly refreshWindowMs: number = DEFAULT_REFRESH_WINDOW_MS,
  ) {}

  get(properties?: IdentityProperties): Promise<AwsCredentialIdentity> {
    if (this.#credentials && properties?.forceRefresh !== true && Date.now() < this.#refreshAt) {
      return Promise.resolve(this.#credentials);
    }
    this.#loading ??= this.#loadOnce(properties);
    return this.#loading;
  }

  async #loadOnce(properties: IdentityProperties | undefined): Promise<AwsCredentialIdentity> {
    try {
      const credentials = await this.load(properties);
      this.#credentials = credentials;
      this.#refreshAt = credentials.expiration
        ? credentials.expiration.getTime() - this.refreshWindowMs
        : Number.POSITIVE_INFINITY;
      return credentials;
    } finally {
      this.#loading = undefined;
    }
  }
}
