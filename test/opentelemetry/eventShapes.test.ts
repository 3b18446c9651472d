// pod-credentials/opentelemetry with events of every shape the public `CredentialEvent` type allows: static keys that
// never expire (from a real provider), and events handed in by other code than a provider (a wrapper replaying
// events, a test), which may lack `durationMs` or `source`. Each records what it can and nothing false: no NaN
// duration, no time to expiry for keys that never expire, no series for a source nobody named.
import { describe, expect, it } from "vitest";
import { METRIC_NAMES, podCredentialsMetrics } from "../../src/chain/opentelemetry.js";
import { fromPodProviderChain } from "../../src/index.js";
import { secretCredentials } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";
import { meterReading, values } from "./meterReading.js";

const AT = new Date("2026-11-27T12:00:00Z");

describe("pod-credentials/opentelemetry and the shapes of events", () => {
  it("static keys that never expire: counted and timed, with no time to expiry", async () => {
    const keys = secretCredentials("STATIC");
    const reading = meterReading();
    const { onEvent } = podCredentialsMetrics({ meter: reading.meter });
    const provider = fromPodProviderChain({
      env: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey },
      sources: ["env"],
      logger: testLogger(),
      onEvent,
    });

    await provider();
    const metric = await reading.read();

    expect(values(metric(METRIC_NAMES.resolutions))).toEqual([
      { attributes: { source: "env", kind: "initial", outcome: "success" }, value: 1 },
    ]);
    expect(metric(METRIC_NAMES.resolutionDuration)).toHaveLength(1);
    expect(metric(METRIC_NAMES.timeToExpiry)).toEqual([]);
    await reading.close();
  });

  it("events without durationMs: counted, and no duration recorded for them", async () => {
    const reading = meterReading();
    const { onEvent } = podCredentialsMetrics({ meter: reading.meter });
    const expiration = new Date(Date.now() + 3_600_000);

    onEvent({ type: "resolved", at: AT, source: "webIdentity", expiration });
    onEvent({ type: "refreshed", at: AT, source: "webIdentity", expiration, refreshCount: 1 });
    onEvent({
      type: "refreshFailed",
      at: AT,
      source: "webIdentity",
      error: { name: "CredentialSourceError", message: "[webIdentity] STS did not answer. Fix: check egress." },
      servingCached: true,
      retryAt: AT,
      consecutiveFailures: 1,
    });
    const metric = await reading.read();

    expect(values(metric(METRIC_NAMES.resolutions))).toEqual([
      { attributes: { source: "webIdentity", kind: "initial", outcome: "success" }, value: 1 },
      { attributes: { source: "webIdentity", kind: "refresh", outcome: "success" }, value: 1 },
      {
        attributes: { source: "webIdentity", kind: "refresh", outcome: "failure", error: "CredentialSourceError" },
        value: 1,
      },
    ]);
    expect(metric(METRIC_NAMES.resolutionDuration)).toEqual([]);
    expect(metric(METRIC_NAMES.timeToExpiry)).toHaveLength(1);
    await reading.close();
  });

  it("events without a source: counted under 'unknown', with no time to expiry kept or dropped for them", async () => {
    const reading = meterReading();
    const { onEvent } = podCredentialsMetrics({ meter: reading.meter });
    const expiration = new Date(Date.now() + 3_600_000);
    onEvent({ type: "resolved", at: AT, source: "podIdentity", expiration, durationMs: 12 });

    onEvent({ type: "resolved", at: AT, source: undefined, expiration, durationMs: 5 });
    onEvent({ type: "expired", at: AT, source: undefined, expiration });
    const metric = await reading.read();

    expect(values(metric(METRIC_NAMES.resolutions))).toEqual([
      { attributes: { source: "podIdentity", kind: "initial", outcome: "success" }, value: 1 },
      { attributes: { source: "unknown", kind: "initial", outcome: "success" }, value: 1 },
    ]);
    expect(values(metric(METRIC_NAMES.expired))).toEqual([{ attributes: { source: "unknown" }, value: 1 }]);
    // The podIdentity credentials are still held: an expiry without a source removes nothing.
    expect(metric(METRIC_NAMES.timeToExpiry).map((point) => point.attributes)).toEqual([{ source: "podIdentity" }]);
    await reading.close();
  });
});
