// provider.ready(), for a service's readiness endpoint: what it resolves with, what it rejects with, and that it
// shares the resolution in flight and costs nothing once credentials are held.
import { describe, expect, it } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { podIdentityPod } from "../serve/harness.js";
import { recordOutput, rejectionOf, testLogger } from "../support/leakCheck.js";

describe("provider.ready()", () => {
  it("resolves with describe() once credentials are held, sharing the resolution in flight with calls", async () => {
    const { env, agent } = await podIdentityPod();
    const provider = fromPodProviderChain({ env, logger: testLogger() });

    const [description, credentials] = await Promise.all([provider.ready(), provider()]);
    recordOutput(description);

    expect(description).toEqual(provider.describe());
    expect(description).toMatchObject({ source: "podIdentity", refreshCount: 0 });
    expect(credentials.accessKeyId).toBe(agent.credentials.accessKeyId);
    expect(agent.requests).toHaveLength(1);
  });

  it("asks nothing more once credentials are held", async () => {
    const { env, agent } = await podIdentityPod();
    const provider = fromPodProviderChain({ env, logger: testLogger() });
    await provider();

    await provider.ready();
    await provider.ready();

    expect(agent.requests).toHaveLength(1);
  });

  it("rejects with the chain's error, and again at once within the failure's backoff", async () => {
    const { env, agent } = await podIdentityPod();
    agent.setMode("upstreamError", { status: 500, message: "Internal Server Error" });
    const provider = fromPodProviderChain({ env, logger: testLogger(), startupTimeoutMs: 0 });

    const first = await rejectionOf(provider.ready());
    const second = await rejectionOf(provider.ready());

    expect(first.name).toBe("CredentialSourceError");
    expect(first.message).toMatch(/^\[podIdentity\] .* Fix: /);
    expect(second).toBe(first);
    expect(agent.requests).toHaveLength(1);
    expect(provider.describe()).toBeUndefined();
  });

  it("rejects with NoPodCredentialsError when nothing pod-scoped is configured", async () => {
    const provider = fromPodProviderChain({ env: {}, logger: testLogger() });

    expect((await rejectionOf(provider.ready())).name).toBe("NoPodCredentialsError");
  });
});
