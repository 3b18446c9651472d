import type { AwsCredentialIdentity, Logger } from "@smithy/types";
import { type LogFields, logFields } from "../base/logging.js";
import type { CredentialEvent, CredentialEventBase, PodCredentialsDescription } from "../base/options.js";
import type { SourceName } from "../base/settings.js";
import type { CacheObserver, LoadFailure, LoadKind } from "./cache.js";

/** A resolution as the chain caches it: the credentials, and what `describe()` says of them. */
export interface Resolution {
  readonly credentials: AwsCredentialIdentity;
  /** When to plan the refresh from, when earlier than the credentials' expiration (role chaining: hop 1's). */
  readonly refreshBy?: Date | undefined;
  /** `resolvedAt` may be kept as milliseconds since the epoch (a Date costs a provider 96 bytes more). */
  readonly description: Omit<PodCredentialsDescription, "nextRefreshAt" | "refreshCount" | "resolvedAt"> & {
    readonly resolvedAt: Date | number;
  };
}

const NODE_ROLE_WARNING =
  "every pod on this node shares these credentials. Configure IRSA or EKS Pod Identity to give this pod its own role.";

/** The role as an operator wants to read it: the ARN when known, else the name. */
export const roleLabel = (description: Pick<PodCredentialsDescription, "roleArn" | "roleName">): string | undefined =>
  description.roleArn ?? description.roleName;

/**
 * The one info line logged when a provider first resolves, and when its source or role changes. No secrets: only
 * the source, role, account, expiration and the skipped sources with their reasons.
 */
export const formatResolution = (description: Resolution["description"]): string => {
  const role = (hop: Pick<PodCredentialsDescription, "roleArn" | "roleName" | "accountId">) => {
    const label = roleLabel(hop);
    return `${label ? ` for role ${label}` : ""}${hop.accountId ? ` in account ${hop.accountId}` : ""}`;
  };
  const verified = description.verification ? " (verified)" : "";
  const [first, second] = description.hops ?? [];
  const parts =
    first && second
      ? [
          `pod-credentials: using the role ${roleLabel(second)}${second.accountId ? ` in account ${second.accountId}` : ""}`,
          `, assumed with ${description.source} credentials${role(first)}${verified}`,
        ]
      : [`pod-credentials: using ${description.source} credentials${role(description)}${verified}`];
  parts.push(description.expiration ? `, expiring ${description.expiration.toISOString()}` : ", with no expiration");
  parts.push(` (configured by ${description.configuredBy}${second ? `, then ${second.configuredBy}` : ""})`);
  if (description.skipped.length > 0) {
    parts.push(`; skipped ${description.skipped.map(({ source, reason }) => `${source} (${reason})`).join(", ")}`);
  }
  return parts.join("");
};

/**
 * The fields of a line about a resolution, for loggers that index them (see `pinoLogger`): the role's ARN, or its
 * name when no ARN is known.
 */
export const resolutionFields = (description: Resolution["description"], withSkipped = false): LogFields =>
  logFields({
    source: description.source,
    roleArn: description.roleArn,
    roleName: description.roleArn ? undefined : description.roleName,
    accountId: description.accountId,
    expiration: description.expiration?.toISOString(),
    skipped: withSkipped ? description.skipped.map(({ source, reason }) => ({ source, reason })) : undefined,
  });

const sourceOf = (error: unknown): SourceName | undefined =>
  typeof error === "object" && error !== null ? ((error as { source?: SourceName }).source ?? undefined) : undefined;

const seconds = (ms: number): string => `${Math.max(0, Math.round(ms / 1000))} s`;

/**
 * The observer of a provider that has nowhere to report to (`noopLogger` and no `onEvent`): one for every such
 * provider, as a reporter would only build lines and events for no one.
 */
export const SILENT_OBSERVER: CacheObserver<Resolution> = Object.freeze({
  loaded: () => {},
  loadFailed: () => {},
  servedStale: () => {},
  expired: () => {},
});

/**
 * Turns what the cache observes into log lines and `onEvent` events. Log lines and events name the source, role,
 * account and expiration, never a secret.
 */
export class ChainReporter implements CacheObserver<Resolution> {
  #last: Resolution | undefined;
  #lastFailure: string | undefined;
  #handlerFailureReported = false;

  constructor(
    private readonly logger: Logger,
    private readonly onEvent: ((event: CredentialEvent) => void) | undefined,
  ) {}

  get last(): Resolution | undefined {
    return this.#last;
  }

  loaded(value: Resolution, kind: LoadKind, refreshCount = 0, durationMs?: number): void {
    const { description } = value;
    const previous = this.#last?.description;
    if (!previous || previous.source !== description.source || roleLabel(previous) !== roleLabel(description)) {
      this.logger.info(formatResolution(description), resolutionFields(description, true));
    } else {
      this.logger.debug(
        `pod-credentials: refreshed ${description.source} credentials, now expiring ${description.expiration?.toISOString() ?? "never"}`,
        resolutionFields(description),
      );
    }
    if (description.source === "instanceProfile") {
      const role = roleLabel(description);
      this.logger.warn(
        `pod-credentials: using the node's instance-profile role${role ? ` ${role}` : ""}: ${NODE_ROLE_WARNING}`,
        resolutionFields(description),
      );
    }
    this.#last = value;
    this.#lastFailure = undefined;
    const took = durationMs === undefined ? {} : { durationMs };
    this.#emit(
      kind === "initial"
        ? { type: "resolved", ...this.#base(value), ...took }
        : { type: "refreshed", refreshCount, ...this.#base(value), ...took },
    );
  }

  loadFailed(error: unknown, failure: LoadFailure, durationMs?: number): void {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const now = Date.now();
    const fields = logFields({
      ...(this.#last ? resolutionFields(this.#last.description) : { source: sourceOf(error) }),
      error: error instanceof Error ? error.name : "Error",
    });
    if (failure.servingCached && failure.usableUntil !== undefined) {
      this.logger.warn(
        `pod-credentials: refreshing ${this.#last?.description.source ?? "the"} credentials failed (${text}); serving the ` +
          `cached credentials for another ${seconds(failure.usableUntil - now)}; next attempt in ${seconds(failure.retryAt - now)}`,
        fields,
      );
    } else if (text === this.#lastFailure) {
      this.logger.debug(`pod-credentials: ${text}`, fields);
    } else {
      this.logger.error(`pod-credentials: ${text}`, fields);
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
      ...(durationMs === undefined ? {} : { durationMs }),
    });
  }

  servedStale(value: Resolution): void {
    this.#emit({ type: "servedStale", ...this.#base(value) });
  }

  expired(value: Resolution): void {
    this.logger.warn(
      `pod-credentials: the cached ${value.description.source} credentials (expiring ${value.description.expiration?.toISOString()}) ` +
        "can no longer be served and no refresh has succeeded; calls now wait for a refresh",
      resolutionFields(value.description),
    );
    this.#emit({ type: "expired", ...this.#base(value) });
  }

  #base({ description }: Resolution): CredentialEventBase {
    const { source, roleArn, roleName, accountId, expiration, verification } = description;
    return { at: new Date(), source, roleArn, roleName, accountId, expiration, ...(verification && { verification }) };
  }

  /** A handler that throws or rejects changes nothing the provider returns; its first failure is logged, once. */
  #emit(event: CredentialEvent): void {
    if (!this.onEvent) return;
    const failed = (error: unknown) => {
      if (this.#handlerFailureReported) return;
      this.#handlerFailureReported = true;
      this.logger.warn(
        `pod-credentials: the onEvent handler threw on a ${event.type} event: ${error instanceof Error ? error.message : String(error)}; ` +
          "later failures of the handler are not logged",
      );
    };
    try {
      const returned: unknown = this.onEvent(event);
      if (returned instanceof Promise) returned.catch(failed);
    } catch (error) {
      failed(error);
    }
  }
}
