import { describe, expect, it } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { fakeKube2iam, fakeSts, startLoopbackServer } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { rejectionOf, testLogger } from "../support/leakCheck.js";
import { expectSourceError } from "../support/sourceErrors.js";

const irsaEnv = async () => {
  const token = secretToken();
  return {
    token,
    env: { AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", token), AWS_ROLE_ARN: ORDERS_ROLE_ARN },
  };
};

describe("deadlines", () => {
  it("ends a resolution at its overall deadline, naming the source, while a proxy keeps answering 'not yet'", async () => {
    const proxy = fakeKube2iam({ mode: "podNotFound", credentials: secretCredentials("K2I") });
    await serveWithMsw("http://169.254.169.254", proxy);
    // What proves the deadline ended it (not how fast): its own error, quoting the proxy's last 'not yet'. How many
    // times the proxy was asked within 400 ms depends on the machine's load, so only that it was asked is pinned.
    await expectSourceError(
      expect,
      fromPodProviderChain({
        env: { POD_CREDENTIALS_ROLE: "orders-reader" },
        startupTimeoutMs: 60_000,
        timeoutMs: 200,
        resolutionTimeoutMs: 400,
        logger: testLogger(),
      })(),
      {
        source: "kube2iam",
        says: ["No credentials within the 400 ms resolution deadline", "The last answer, retried until then:"],
      },
    );
    expect(proxy.requests.length).toBeGreaterThanOrEqual(1);
  });

  it("bounds an STS call that never answers by the resolution deadline", async () => {
    const { env } = await irsaEnv();
    const sts = fakeSts({ credentials: secretCredentials("IRSA") });
    sts.injectFault({ kind: "hang" });
    await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);
    await expectSourceError(
      expect,
      fromPodProviderChain({
        env,
        region: "us-east-1",
        timeoutMs: 200,
        resolutionTimeoutMs: 500,
        logger: testLogger(),
      })(),
      { source: "webIdentity", says: ["No credentials within the 500 ms resolution deadline"] },
    );
  });

  it.each(["Throttling", "IDPCommunicationError"] as const)(
    "retries STS %s with backoff, then succeeds",
    async (code) => {
      const { env } = await irsaEnv();
      const issued = secretCredentials("IRSA");
      const sts = fakeSts({ credentials: issued });
      sts.setMode(code, { times: 2 });
      await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);
      const credentials = await fromPodProviderChain({ env, region: "us-east-1", logger: testLogger() })();
      expect(credentials.accessKeyId).toBe(issued.accessKeyId);
      expect(sts.calls).toHaveLength(3);
    },
  );

  it("does not retry a final STS answer", async () => {
    const { env } = await irsaEnv();
    const sts = fakeSts({ credentials: secretCredentials("IRSA") });
    sts.setMode("AccessDenied");
    await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);
    await rejectionOf(fromPodProviderChain({ env, region: "us-east-1", logger: testLogger() })());
    expect(sts.calls).toHaveLength(1);
  });

  it("refuses a resolution deadline shorter than the request timeout", () => {
    expect(() =>
      fromPodProviderChain({ env: {}, timeoutMs: 2000, resolutionTimeoutMs: 1000, logger: testLogger() }),
    ).toThrow("option resolutionTimeoutMs");
  });
});

describe("transient network failures on the way to STS", () => {
  it("retries a connection reset within the resolution deadline, then succeeds", async () => {
    const { env } = await irsaEnv();
    const issued = secretCredentials("IRSA");
    const sts = fakeSts({ credentials: issued });
    sts.injectFault({ kind: "reset" }, { times: 1 });
    const server = await startLoopbackServer(sts.handler);
    try {
      const credentials = await fromPodProviderChain({
        env: { ...env, AWS_ENDPOINT_URL_STS: server.url },
        region: "us-east-1",
        logger: testLogger(),
      })();
      expect(credentials.accessKeyId).toBe(issued.accessKeyId);
      expect(sts.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});
