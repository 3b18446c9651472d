// The doctor's "what would the chain do" section: fromPodProviderChain() run for real with the pod's environment,
// its log lines captured at every level, and the outcome summarised without a secret.
import { describe, expect, it } from "vitest";
import { runChain } from "../../src/doctor/examinePod.js";
import { fakeKube2iam, fakePodIdentityAgent } from "../../src/testing/index.js";
import { secretCredentials, secretToken } from "../support/fakes.js";
import { recordOutput } from "../support/leakCheck.js";
import { serve, unusedLoopbackUrl } from "./servers.js";

describe("runChain", () => {
  it("reports the source that answered, what configured it, the sources before it, and every log line with its level", async () => {
    const issued = secretCredentials("DOCTOR");
    const agent = await serve(fakePodIdentityAgent({ credentials: issued }));
    const { report, credentials } = await runChain(
      {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent}/v1/credentials`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken(),
        AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedLoopbackUrl(),
      },
      { region: "us-east-1" },
    );
    recordOutput(report);

    expect(credentials?.accessKeyId).toBe(issued.accessKeyId);
    expect(report).toMatchObject({
      status: "resolved",
      source: "podIdentity",
      configuredBy: "AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN",
      error: null,
      skipped: [{ source: "webIdentity", reason: expect.any(String) }],
    });
    expect(new Set(report.log.map((line) => line.level))).toEqual(new Set(["debug", "info"]));
    expect(report.log).toContainEqual({
      level: "debug",
      message: expect.stringMatching(/^pod-credentials: skipped webIdentity: /),
    });
    expect(report.log.find((line) => line.level === "info")?.message).toMatch(/^pod-credentials: using podIdentity /);
    // A duration of this run, not a point in time.
    expect(report.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(report.elapsedMs)).toBe(true);
  });

  it("when nothing is configured, lists every source the chain skipped and why, from the error", async () => {
    const { report, credentials } = await runChain(
      { AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedLoopbackUrl() },
      { region: "us-east-1" },
    );
    recordOutput(report);

    expect(credentials).toBeUndefined();
    expect(report).toMatchObject({
      status: "failed",
      source: null,
      configuredBy: null,
      credentials: null,
      error: { name: "NoPodCredentialsError" },
    });
    expect(report.skipped.map((entry) => entry.source)).toEqual([
      "webIdentity",
      "podIdentity",
      "kube2iam",
      "instanceProfile",
    ]);
    expect(report.skipped.every((entry) => entry.reason.length > 0)).toBe(true);
    expect(report.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(report.elapsedMs)).toBe(true);
  });

  it("uses the start-up window it is given, and a source's error lists no skipped sources", async () => {
    const proxy = await serve(fakeKube2iam({ mode: "podNotFound" }));
    const { report } = await runChain(
      { POD_CREDENTIALS_ROLE: "orders-reader", AWS_EC2_METADATA_SERVICE_ENDPOINT: proxy },
      { region: "us-east-1", startupTimeoutMs: 0 },
    );
    recordOutput(report);

    expect(report).toMatchObject({ status: "failed", skipped: [], error: { name: "CredentialSourceError" } });
    expect(report.error?.message).toContain("(start-up window 0 ms)");
  });
});
