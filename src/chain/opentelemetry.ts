// pod-credentials/opentelemetry: a provider's events as OpenTelemetry instruments. The only module that imports
// @opentelemetry/api (an optional peer dependency); the main entry never loads it.
import { type Attributes, type Meter, metrics, ValueType } from "@opentelemetry/api";
import type { CredentialEvent } from "../base/options.js";
import type { SourceName } from "../base/settings.js";

/**
 * Options of {@link podCredentialsMetrics}.
 *
 * @example
 * ```ts
 * import { metrics } from "@opentelemetry/api";
 * import { podCredentialsMetrics } from "pod-credentials/opentelemetry";
 * const instruments = podCredentialsMetrics({ meter: metrics.getMeter("orders-api") });
 * ```
 */
export interface PodCredentialsMetricsOptions {
  /**
   * The meter the instruments are created on.
   * @default metrics.getMeter("pod-credentials") from the global meter provider
   */
  meter?: Meter | undefined;
}

/** What {@link podCredentialsMetrics} returns: the handler to pass as a provider's `onEvent`. */
export interface PodCredentialsMetrics {
  /**
   * Records one event. Pass it as `onEvent` to one or more providers (each provider's guard logs, once, an error
   * the metrics SDK might throw, and the provider carries on).
   */
  readonly onEvent: (event: CredentialEvent) => void;
}

/** The names of the instruments, for dashboards and tests. */
export const METRIC_NAMES = Object.freeze({
  /** Counter: resolutions and refreshes, by `source`, `kind` (`initial`, `refresh`) and `outcome` (`success`, `failure`); failures also carry `error` (the error's name). */
  resolutions: "pod_credentials.resolutions",
  /** Histogram, seconds: how long each resolution or refresh took, by `source`, `kind` and `outcome`. */
  resolutionDuration: "pod_credentials.resolution.duration",
  /** Gauge, seconds: time left until the expiration of the credentials held, by `source` (none for keys that never expire). */
  timeToExpiry: "pod_credentials.credentials.time_to_expiry",
  /** Counter: cached credentials served after a refresh failed (once per failure), by `source`. */
  servedStale: "pod_credentials.served_stale",
  /** Counter: cached credentials that reached the end of their usable time with no replacement, by `source`. */
  expired: "pod_credentials.expired",
});

/** Seconds, from milliseconds up to a minute: what a metadata call, an STS call and a start-up wait take. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

/**
 * Turns a provider's `onEvent` events into OpenTelemetry instruments (see {@link METRIC_NAMES}): resolutions and
 * refreshes by source and outcome, their duration, the seconds until the credentials held expire, served-stale and
 * expired counts. No attribute carries a secret, a role or an account: only the source, the kind, the outcome and an
 * error's class name, so the number of series stays small.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromPodProviderChain } from "pod-credentials";
 * import { podCredentialsMetrics } from "pod-credentials/opentelemetry";
 * const { onEvent } = podCredentialsMetrics();
 * const s3 = new S3Client({ credentials: fromPodProviderChain({ onEvent }) });
 * ```
 */
export const podCredentialsMetrics = (options: PodCredentialsMetricsOptions = {}): PodCredentialsMetrics => {
  const meter = options.meter ?? metrics.getMeter("pod-credentials");
  const resolutions = meter.createCounter(METRIC_NAMES.resolutions, {
    description: "Credential resolutions and refreshes, by source, kind and outcome",
    unit: "{resolution}",
    valueType: ValueType.INT,
  });
  const duration = meter.createHistogram(METRIC_NAMES.resolutionDuration, {
    description: "How long a credential resolution or refresh took",
    unit: "s",
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const servedStale = meter.createCounter(METRIC_NAMES.servedStale, {
    description: "Cached credentials served after a refresh failed",
    unit: "{event}",
    valueType: ValueType.INT,
  });
  const expired = meter.createCounter(METRIC_NAMES.expired, {
    description: "Cached credentials that expired with no replacement",
    unit: "{event}",
    valueType: ValueType.INT,
  });
  // The expiration of the credentials each source last delivered; observed when the meter is read.
  const expirations = new Map<SourceName, Date | undefined>();
  meter
    .createObservableGauge(METRIC_NAMES.timeToExpiry, {
      description: "Seconds until the credentials held expire",
      unit: "s",
    })
    .addCallback((result) => {
      const now = Date.now();
      for (const [source, expiration] of expirations) {
        if (expiration !== undefined) result.observe((expiration.getTime() - now) / 1000, { source });
      }
    });
  const succeeded = new Set<string>();

  // `durationMs` and `source` are optional in the public event type: an event handed in by other code than a provider
  // may lack them, and then records no duration and no time to expiry rather than a NaN or an "unknown" series.
  const recordDuration = (event: CredentialEvent, attributes: Attributes): void => {
    if (event.durationMs !== undefined) duration.record(event.durationMs / 1000, attributes);
  };
  const recordSuccess = (event: CredentialEvent, source: string, kind: "initial" | "refresh"): void => {
    succeeded.add(source);
    if (event.source) expirations.set(event.source, event.expiration);
    const attributes: Attributes = { source, kind, outcome: "success" };
    resolutions.add(1, attributes);
    recordDuration(event, attributes);
  };
  const recordFailure = (event: CredentialEvent & { type: "refreshFailed" }, source: string): void => {
    const kind = event.servingCached || succeeded.has(source) ? "refresh" : "initial";
    const attributes: Attributes = { source, kind, outcome: "failure" };
    resolutions.add(1, { ...attributes, error: event.error.name });
    recordDuration(event, attributes);
  };

  const record = (event: CredentialEvent): void => {
    const source = event.source ?? "unknown";
    switch (event.type) {
      case "resolved":
        recordSuccess(event, source, "initial");
        return;
      case "refreshed":
        recordSuccess(event, source, "refresh");
        return;
      case "refreshFailed":
        recordFailure(event, source);
        return;
      case "servedStale":
        servedStale.add(1, { source });
        return;
      case "expired":
        // Credentials past their usable time are not held any more: no time to expiry until new ones arrive.
        if (event.source) expirations.delete(event.source);
        expired.add(1, { source });
        return;
    }
  };
  return { onEvent: record };
};
