import type { CredentialSource } from "../sources/credentialSource.js";

/**
 * What every {@link CredentialEvent} says about the credentials it concerns; never a secret.
 *
 * @example
 * ```ts
 * import type { CredentialEventBase } from "pod-credentials";
 * const label = (event: CredentialEventBase) => `${event.source}:${event.roleArn ?? event.roleName ?? "unknown"}`;
 * ```
 */
export interface CredentialEventBase {
  /** When the event happened. */
  readonly at: Date;
  /** The source the credentials come from (for `refreshFailed` before any success: the source tried, if known). */
  readonly source: CredentialSource | undefined;
  /** The role's ARN, when known. */
  readonly roleArn?: string | undefined;
  /** The role's name, when known. */
  readonly roleName?: string | undefined;
  /** The AWS account, when known. */
  readonly accountId?: string | undefined;
  /** The expiration of the credentials concerned (the new ones for `resolved`/`refreshed`, the cached ones otherwise). */
  readonly expiration?: Date | undefined;
}

/**
 * Events a provider emits through its `onEvent` option, so that services can export metrics. None carries a secret.
 *
 * - `resolved`: the first credentials were obtained.
 * - `refreshed`: credentials were refreshed (`refreshCount` counts them).
 * - `refreshFailed`: a resolution or refresh failed; `servingCached` says whether cached credentials are still
 *   served, `retryAt` when the next attempt may start.
 * - `servedStale`: cached credentials were served after a refresh failed (once per failure).
 * - `expired`: cached credentials reached the end of their usable time with no replacement; calls now wait.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain, type CredentialEvent } from "pod-credentials";
 * const counts = new Map<CredentialEvent["type"], number>();
 * const credentials = fromPodProviderChain({
 *   onEvent: (event) => counts.set(event.type, (counts.get(event.type) ?? 0) + 1),
 * });
 * ```
 */
export type CredentialEvent =
  | (CredentialEventBase & {
      /** The first credentials were obtained. */
      readonly type: "resolved";
    })
  | (CredentialEventBase & {
      /** Credentials were refreshed. */
      readonly type: "refreshed";
      /** How many refreshes succeeded since the first resolution, this one included. */
      readonly refreshCount: number;
    })
  | (CredentialEventBase & {
      /** A resolution or refresh failed. */
      readonly type: "refreshFailed";
      /** The error's name and message (already free of secrets). */
      readonly error: {
        /** The error class, e.g. `CredentialSourceError`. */
        readonly name: string;
        /** The error message, with its fix. */
        readonly message: string;
      };
      /** Whether cached credentials are still served while the refresh is retried. */
      readonly servingCached: boolean;
      /** No new attempt starts before this time. */
      readonly retryAt: Date;
      /** How many loads failed in a row, this one included. */
      readonly consecutiveFailures: number;
    })
  | (CredentialEventBase & {
      /** Cached credentials were served after a refresh failed (once per failure). */
      readonly type: "servedStale";
    })
  | (CredentialEventBase & {
      /** Cached credentials reached the end of their usable time with no replacement. */
      readonly type: "expired";
    });
