// pod-credentials/opentelemetry: a real provider's events, read back through the OpenTelemetry SDK's in-memory
// exporter. Counts, attributes and values as a dashboard would see them; no secret, role or account in any attribute.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DataPoint, Histogram } from "@opentelemetry/sdk-metrics";
import { afterEach, describe, expect, it, vi } from "vitest";
import { METRIC_NAMES, podCredentialsMetrics } from "../../src/chain/opentelemetry.js";
import { type CredentialEvent, fromPodProviderChain } from "../../src/index.js";
import { podIdentityPod } from "../serve/harness.js";
import { testLogger } from "../support/leakCheck.js";
import { meterReading, values } from "./meterReading.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("pod-credentials/opentelemetry", () => {
  it("counts a first resolution by source, kind and outcome, times it, and reports the seconds until expiry", async () => {
    const { env } = await podIdentityPod({ lifetimeMs: 3_600_000 });
    const reading = meterReading();
    const { onEvent } = podCredentialsMetrics({ meter: reading.meter });
    const provider = fromPodProviderChain({ env, logger: testLogger(), onEvent });

    await provider();
    await provider();
    const metric = await reading.read();

    expect(values(metric(METRIC_NAMES.resolutions))).toEqual([
      { attributes: { source: "podIdentity", kind: "initial", outcome: "success" }, value: 1 },
    ]);
    const [duration] = metric(METRIC_NAMES.resolutionDuration) as DataPoint<Histogram>[];
    expect(duration?.attributes).toEqual({ source: "podIdentity", kind: "initial", outcome: "success" });
    expect(duration?.value.count).toBe(1);
    expect(duration?.value.sum).toBeGreaterThan(0);
    const [expiry] = metric(METRIC_NAMES.timeToExpiry);
    expect(expiry?.attributes).toEqual({ source: "podIdentity" });
    expect(expiry?.value).toBeGreaterThan(3_500);
    expect(expiry?.value).toBeLessThanOrEqual(3_600);
    await reading.close();
  });

  it("counts a failed first resolution with the error's name, and holds no time to expiry", async () => {
    const reading = meterReading();
    const { onEvent } = podCredentialsMetrics({ meter: reading.meter });
    const provider = fromPodProviderChain({ env: {}, logger: testLogger(), onEvent });

    await expect(provider()).rejects.toMatchObject({ name: "NoPodCredentialsError" });
    const metric = await reading.read();

    expect(values(metric(METRIC_NAMES.resolutions))).toEqual([
      {
        attributes: { source: "unknown", kind: "initial", outcome: "failure", error: "NoPodCredentialsError" },
        value: 1,
      },
    ]);
    expect(metric(METRIC_NAMES.resolutionDuration)).toHaveLength(1);
    expect(metric(METRIC_NAMES.timeToExpiry)).toEqual([]);
    await reading.close();
  });

  it("counts a failed refresh, the stale serving it causes, the expiry that follows, and the refresh that recovers", async () => {
    const { env, agent } = await podIdentityPod({ lifetimeMs: 3_600_000 });
    const reading = meterReading();
    const metrics = podCredentialsMetrics({ meter: reading.meter });
    const events: CredentialEvent["type"][] = [];
    const onEvent = (event: CredentialEvent) => {
      events.push(event.type);
      metrics.onEvent(event);
    };
    // No start-up window: the agent's 500 fails the refresh at once instead of being retried as "not yet".
    const provider = fromPodProviderChain({
      env,
      logger: testLogger(),
      onEvent,
      failureBackoffMs: 1,
      startupTimeoutMs: 0,
    });
    vi.useFakeTimers({ toFake: ["Date"] });
    await provider();
    const expiration = provider.describe()?.expiration?.getTime() ?? 0;

    // Inside the refresh window: the agent fails, cached credentials are served.
    agent.setMode("upstreamError", { status: 500, message: "Internal Server Error" });
    vi.setSystemTime(expiration - 120_000);
    await provider();
    await vi.waitFor(() => expect(events).toContain("refreshFailed"));
    await provider();
    expect(events).toEqual(["resolved", "refreshFailed", "servedStale"]);
    // Past the usable time: the cached credentials expire.
    vi.setSystemTime(expiration - 30_000);
    await expect(provider()).rejects.toMatchObject({ name: "CredentialSourceError" });
    // The agent is back: a refresh brings credentials again.
    agent.setMode("ready");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await provider();
    const metric = await reading.read();

    expect(events).toEqual(["resolved", "refreshFailed", "servedStale", "expired", "refreshFailed", "refreshed"]);
    expect(values(metric(METRIC_NAMES.resolutions))).toEqual([
      { attributes: { source: "podIdentity", kind: "initial", outcome: "success" }, value: 1 },
      {
        attributes: { source: "podIdentity", kind: "refresh", outcome: "failure", error: "CredentialSourceError" },
        value: 2,
      },
      { attributes: { source: "podIdentity", kind: "refresh", outcome: "success" }, value: 1 },
    ]);
    expect(values(metric(METRIC_NAMES.servedStale))).toEqual([{ attributes: { source: "podIdentity" }, value: 1 }]);
    expect(values(metric(METRIC_NAMES.expired))).toEqual([{ attributes: { source: "podIdentity" }, value: 1 }]);
    expect(metric(METRIC_NAMES.timeToExpiry)).toHaveLength(1);
    await reading.close();
  });

  it("uses the global meter provider when given no meter, which does nothing until an SDK is registered", async () => {
    const { env } = await podIdentityPod();
    const { onEvent } = podCredentialsMetrics();
    const logger = testLogger();

    await fromPodProviderChain({ env, logger, onEvent })();

    expect(logger.at("warn")).toEqual([]);
  });

  it("is not loaded by the main entry: only src/chain/opentelemetry.ts names @opentelemetry", () => {
    const src = join(import.meta.dirname, "../../src");
    const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
    const naming = files.filter((file) => readFileSync(join(src, file), "utf8").includes("@opentelemetry"));
    expect(naming).toEqual([join("chain", "opentelemetry.ts")]);
  });
});
