// The overall deadline of one resolution, as an operator reads it: which source was being tried, how long the
// deadline was, the last "not yet" answer that was retried until then (when there was one), and what to do.
import { describe, expect, it } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import { secretCredentials, secretToken, serveWithMsw } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";
import { expectSourceError } from "../support/sourceErrors.js";

const AGENT = "http://169.254.170.23";
const FIX =
  "check that the endpoints the pod uses answer (see the debug log: POD_CREDENTIALS_LOG_LEVEL=debug), or raise " +
  "POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS.";

const agentChain = async (configure: (agent: ReturnType<typeof fakePodIdentityAgent>) => void) => {
  const agent = fakePodIdentityAgent({ credentials: secretCredentials("DEADLINE") });
  configure(agent);
  await serveWithMsw(AGENT, agent);
  return (options: Parameters<typeof fromPodProviderChain>[0]) =>
    fromPodProviderChain({
      env: {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}/v1/credentials`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken(),
      },
      logger: testLogger(),
      ...options,
    });
};

describe("the resolution deadline", () => {
  it("quotes the last 'not yet' answer it retried until the deadline, and says how to fix it", async () => {
    const chain = await agentChain((agent) => agent.setMode("throttled", { message: "Rate exceeded" }));
    const error = await expectSourceError(
      expect,
      chain({ startupTimeoutMs: 60_000, timeoutMs: 100, resolutionTimeoutMs: 300 })(),
      { source: "podIdentity", fix: FIX },
    );
    const quoted =
      "[podIdentity] No credentials within the 300 ms resolution deadline. The last answer, retried until then: " +
      `[podIdentity] The credentials endpoint ${AGENT}/v1/credentials answered HTTP 429: Rate exceeded`;
    expect(error.message.slice(0, quoted.length)).toBe(quoted);
    expect(error.message.endsWith(` Fix: ${FIX}`)).toBe(true);
  });

  it("says only that the deadline passed when the source never gave an answer to retry", async () => {
    const chain = await agentChain((agent) => agent.injectFault({ kind: "hang" }));
    const error = await expectSourceError(expect, chain({ timeoutMs: 150, resolutionTimeoutMs: 150 })(), {
      source: "podIdentity",
      fix: FIX,
    });
    expect(error.message).toBe(`[podIdentity] No credentials within the 150 ms resolution deadline. Fix: ${FIX}`);
  });

  it("with role chaining, names the hop that was running when the deadline passed", async () => {
    const sts = fakeSts().injectFault({ kind: "hang" });
    await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);
    const chain = await agentChain(() => {});
    const assumeRole = { roleArn: "arn:aws:iam::210987654321:role/reports-writer" };
    const error = await expectSourceError(
      expect,
      chain({ timeoutMs: 150, resolutionTimeoutMs: 300, region: "us-east-1", assumeRole })(),
      { source: "podIdentity", fix: FIX },
    );
    expect(error.message).toBe(
      `[podIdentity] hop 2: No credentials within the 300 ms resolution deadline. Fix: ${FIX}`,
    );
    expect(sts.requests).toHaveLength(1);
  });

  it("with role chaining, a source that never answers is hop 1's deadline, marked once", async () => {
    const chain = await agentChain((agent) => agent.injectFault({ kind: "hang" }));
    const assumeRole = { roleArn: "arn:aws:iam::210987654321:role/reports-writer" };
    const error = await expectSourceError(expect, chain({ timeoutMs: 150, resolutionTimeoutMs: 150, assumeRole })(), {
      source: "podIdentity",
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(error.message).toBe(
      `[podIdentity] hop 1: No credentials within the 150 ms resolution deadline. Fix: ${FIX}`,
    );
  });

  it("with role chaining, a source still retrying 'not yet' at the deadline is hop 1's deadline, marked once", async () => {
    // The deadline passes while the source waits to retry: the retry gives up with the deadline's own error, which
    // hop 1 must not mark again.
    const chain = await agentChain((agent) => agent.setMode("throttled", { message: "Rate exceeded" }));
    const assumeRole = { roleArn: "arn:aws:iam::210987654321:role/reports-writer" };
    const error = await expectSourceError(
      expect,
      chain({ startupTimeoutMs: 60_000, timeoutMs: 100, resolutionTimeoutMs: 300, assumeRole })(),
      { source: "podIdentity", fix: FIX },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(error.message).toMatch(
      /^\[podIdentity\] hop 1: No credentials within the 300 ms resolution deadline\. The last answer, retried until then: \[podIdentity\] The credentials endpoint /,
    );
  });
});
