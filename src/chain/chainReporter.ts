import type { Logger } from "@smithy/types";
import type { CacheObserver, LoadFailure, LoadKind } from "../cache/credentialCache.js";
import type { CredentialSource } from "../sources/credentialSource.js";
import type { CredentialEvent, CredentialEventBase } from "./credentialEvent.js";
import { formatResolution, roleLabel } from "./formatResolution.js";
import type { PodCredentialsDescription } from "./podCredentialsDescription.js";
import type { ChainResolution } from "./resolveFromSources.js";

const NODE_ROLE_WARNING =
  "every pod on this node shares these credentials. Configure IRSA or EKS Pod Identity to give this pod its own role.";

/** A resolution as the chain remembers it: what `describe()` shows, plus the credentials. */
export interface DescribedResolution extends ChainResolution {
  readonly credentials: ChainResolution["result"]["credentials"];
  readonly description: Omit<PodCredentialsDescription, "nextRefreshAt" | "refreshCount">;
}

const sourceOf = (error: unknown): CredentialSource | undefined =>
  typeof error === "object" && error !== null
    ? ((error as { source?: CredentialSource }).source ?? undefined)
    : undefined;

const seconds = (ms: number): string => `${Math.max(0, Math.round(ms / 1000))} s`;

/**
 * Turns what the cache observes into log lines and `onEvent` events. Log lines and events name the source, role,
 * account and expiration, never a secret.
 */
export class ChainReporter implements CacheObserver<DescribedResolution> {
  #last: DescribedResolution | undefined;
  #lastFailure: string | undefined;

  /** The last successful resolution. */
  get last(): DescribedResolution | undefined {
    return this.#last;
  }

  constructor(
    private readonly logger: Logger,
    private readonly onEvent: ((event: CredentialEvent) => void) | undefined,
  ) {}

  loaded(value: DescribedResolution, kind: LoadKind, refreshCount = 0): void {
    const { description } = value;
    const previous = this.#last?.description;
    if (!previous || previous.source !== description.source || roleLabel(previous) !== roleLabel(description)) {
      this.logger.info(formatResolution(description));
    } else {
      this.logger.debug(
        `pod-credentials: refreshed ${description.source} credentials, now expiring ${description.expiration?.toISOString() ?? "never"}`,
      );
    }
    if (description.source === "instanceProfile") {
      const role = roleLabel(description);
      this.logger.warn(
        `pod-credentials: using the node's instance-profile role${role ? ` ${role}` : ""}: ${NODE_ROLE_WARNING}`,
      );
    }
    this.#last = value;
    this.#lastFailure = undefined;
    this.#emit(
      kind === "initial"
        ? { type: "resolved", ...this.#base(value) }
        : { type: "refreshed", refreshCount, ...this.#base(value) },
    );
  }

  loadFailed(error: unknown, failure: LoadFailure): void {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const now = Date.now();
    if (failure.servingCached && failure.usableUntil !== undefined) {
      this.logger.warn(
        `pod-credentials: refreshing ${this.#last?.description.source ?? "the"} credentials failed (${text}); serving the ` +
          `cached credentials for another ${seconds(failure.usableUntil - now)}; next attempt in ${seconds(failure.retryAt - now)}`,
      );
    } else if (text === this.#lastFailure) {
      this.logger.debug(`pod-credentials: ${text}`);
    } else {
      this.logger.error(`pod-credentials: ${text}`);
    }
    this.#lastFailure = text;
    this.#emit({
      type: "refreshFailed",
      ...(this.#last ? this.#base(this.#last) : { at: new Date(), source: sourceOf(error) }),
      error: {
        name: error instanceof Error ? error.name : "Error",
        message: error instanceof Error ? error.message : String(error),
      },
      servingCached: failure.servingCached,
      retryAt: new Date(failure.retryAt),
      consecutiveFailures: failure.consecutiveFailures,
    });
  }

  servedStale(value: DescribedResolution): void {
    this.#emit({ type: "servedStale", ...this.#base(value) });
  }

  expired(value: DescribedResolution): void {
    this.logger.warn(
      `pod-credentials: the cached ${value.description.source} credentials (expiring ${value.description.expiration?.toISOString()}) ` +
        "can no longer be served and no refresh has succeeded; calls now wait for a refresh",
    );
    this.#emit({ type: "expired", ...this.#base(value) });
  }

  #base({ description }: DescribedResolution): CredentialEventBase {
    return {
      at: new Date(),
      source: description.source,
      roleArn: description.roleArn,
      roleName: description.roleName,
      accountId: description.accountId,
      expiration: description.expiration,
    };
  }

  #emit(event: CredentialEvent): void {
    if (!this.onEvent) return;
    try {
      this.onEvent(event);
    } catch (error) {
      this.logger.warn(
        `pod-credentials: the onEvent handler threw on a ${event.type} event: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
