// pod-credentials/opentelemetry as a dashboard finds it: the instruments' names, descriptions, units and histogram
// buckets, and the meter they are made on when none is passed. Dashboards and alerts are written against these.
import { metrics } from "@opentelemetry/api";
import type { DataPoint, Histogram } from "@opentelemetry/sdk-metrics";
import { afterEach, describe, expect, it } from "vitest";
import { METRIC_NAMES, podCredentialsMetrics } from "../../src/chain/opentelemetry.js";
import type { CredentialEvent } from "../../src/index.js";
import { meterReading } from "./meterReading.js";

const AT = new Date("2026-11-27T12:00:00Z");
const expiration = () => new Date(Date.now() + 3_600_000);

/** One event of every type, from podIdentity: each instrument gets a data point. */
const everyEvent = (): CredentialEvent[] => [
  { type: "resolved", at: AT, source: "podIdentity", expiration: expiration(), durationMs: 40 },
  {
    type: "refreshFailed",
    at: AT,
    source: "podIdentity",
    error: { name: "CredentialSourceError", message: "[podIdentity] The agent did not answer. Fix: check it." },
    servingCached: true,
    retryAt: AT,
    consecutiveFailures: 1,
    durationMs: 1_000,
  },
  { type: "servedStale", at: AT, source: "podIdentity", expiration: expiration() },
  { type: "expired", at: AT, source: "podIdentity", expiration: AT },
  { type: "refreshed", at: AT, source: "podIdentity", expiration: expiration(), refreshCount: 1, durationMs: 3 },
];

afterEach(() => {
  metrics.disable();
});

describe("pod-credentials/opentelemetry instruments", () => {
  it("keep the names dashboards query", () => {
    expect(METRIC_NAMES).toEqual({
      resolutions: "pod_credentials.resolutions",
      resolutionDuration: "pod_credentials.resolution.duration",
      timeToExpiry: "pod_credentials.credentials.time_to_expiry",
      servedStale: "pod_credentials.served_stale",
      expired: "pod_credentials.expired",
    });
  });

  it("say what they count and in which unit, and time resolutions in buckets from 1 ms to a minute", async () => {
    const reading = meterReading();
    const { onEvent } = podCredentialsMetrics({ meter: reading.meter });
    for (const event of everyEvent()) onEvent(event);
    const exported = await reading.descriptors();

    expect(exported).toEqual([
      {
        name: "pod_credentials.resolutions",
        description: "Credential resolutions and refreshes, by source, kind and outcome",
        unit: "{resolution}",
        valueType: "int",
      },
      {
        name: "pod_credentials.resolution.duration",
        description: "How long a credential resolution or refresh took",
        unit: "s",
        valueType: "double",
      },
      {
        name: "pod_credentials.served_stale",
        description: "Cached credentials served after a refresh failed",
        unit: "{event}",
        valueType: "int",
      },
      {
        name: "pod_credentials.expired",
        description: "Cached credentials that expired with no replacement",
        unit: "{event}",
        valueType: "int",
      },
      {
        name: "pod_credentials.credentials.time_to_expiry",
        description: "Seconds until the credentials held expire",
        unit: "s",
        valueType: "double",
      },
    ]);
    const durations = (await reading.read())(METRIC_NAMES.resolutionDuration) as DataPoint<Histogram>[];
    expect(durations.map((point) => point.value.buckets.boundaries)).toEqual([
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60],
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60],
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60],
    ]);
    // The resolution's 40 ms in (25 ms, 50 ms], the failed refresh's 1 s in (0.5 s, 1 s], the refresh's 3 ms in (1 ms, 5 ms].
    expect(durations.map((point) => point.value.buckets.counts.indexOf(1))).toEqual([4, 8, 1]);
    await reading.close();
  });

  it("are made, without a meter passed, on the global meter provider's meter named pod-credentials", async () => {
    const reading = meterReading();
    metrics.setGlobalMeterProvider(reading.provider);
    const { onEvent } = podCredentialsMetrics();

    onEvent(everyEvent()[0] as CredentialEvent);

    expect(await reading.scopes()).toEqual(["pod-credentials"]);
    await reading.close();
  });
});

describe("pod-credentials/opentelemetry time to expiry", () => {
  it("is reported for each source holding credentials that expire, when one handler serves several providers", async () => {
    const reading = meterReading();
    const { onEvent } = podCredentialsMetrics({ meter: reading.meter });

    // Static keys first: they never expire, and must not hide the Pod Identity credentials that do.
    onEvent({ type: "resolved", at: AT, source: "env", expiration: undefined, durationMs: 1 });
    onEvent({ type: "resolved", at: AT, source: "podIdentity", expiration: expiration(), durationMs: 40 });
    const metric = await reading.read();

    expect(metric(METRIC_NAMES.timeToExpiry).map((point) => point.attributes)).toEqual([{ source: "podIdentity" }]);
    await reading.close();
  });

  it("stops when the source's credentials expire with no replacement, and comes back with the next refresh", async () => {
    const reading = meterReading();
    const { onEvent } = podCredentialsMetrics({ meter: reading.meter });
    onEvent({ type: "resolved", at: AT, source: "podIdentity", expiration: expiration(), durationMs: 40 });

    onEvent({ type: "expired", at: AT, source: "podIdentity", expiration: AT });
    const afterExpiry = await reading.read();
    onEvent({ type: "refreshed", at: AT, source: "podIdentity", expiration: expiration(), refreshCount: 1 });
    const afterRefresh = await reading.read();

    expect(afterExpiry(METRIC_NAMES.timeToExpiry)).toEqual([]);
    expect(afterRefresh(METRIC_NAMES.timeToExpiry).map((point) => point.attributes)).toEqual([
      { source: "podIdentity" },
    ]);
    await reading.close();
  });
});
