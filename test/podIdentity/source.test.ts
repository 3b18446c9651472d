import { writeFile } from "node:fs/promises";
import { describe, expect, it, vi } from "vitest";
import { fromPodIdentityAgent, fromPodProviderChain, type PodProviderChainOptions } from "../../src/index.js";
import { type FakePodIdentityAgent, fakePodIdentityAgent, startLoopbackServer } from "../../src/testing/index.js";
import { secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { recordOutput, rejectionOf, testLogger } from "../support/leakCheck.js";
import { startTestServer } from "../support/loopback.js";
import { expectSourceError } from "../support/sourceErrors.js";

const AGENT_URL = "http://169.254.170.23/v1/credentials";
/** The fix of a failure that is the agent's or the association's, not the token's. */
const AGENT_FIX =
  "check that the eks-pod-identity-agent DaemonSet runs on this node and that a pod identity association exists for " +
  "this pod's namespace and service account (aws eks list-pod-identity-associations).";
const TOKEN_FIX =
  "the agent could not validate the pod's service-account token: check AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " +
  "points at the eks-pod-identity-token projected volume, and that the pod was started after the association.";
const RATE_LIMIT_FIX =
  "the agent is rate-limiting this pod; the call is retried. Cache credentials (this provider does) rather than " +
  "creating many providers.";

const podIdentity = async () => {
  const token = secretToken({ claims: { aud: ["pods.eks.amazonaws.com"] } });
  const tokenFile = await temporaryFile("eks-pod-identity-token", token);
  const issued = secretCredentials("PODID");
  const agent = fakePodIdentityAgent({ credentials: issued, expectedToken: token, accountId: "210987654321" });
  await serveWithMsw("http://169.254.170.23", agent);
  return {
    token,
    tokenFile,
    issued,
    agent,
    env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile },
  };
};

/** The chain in a pod with `env`, logging to a test logger. */
const chainWith = (env: Record<string, string>, options: Omit<PodProviderChainOptions, "env" | "logger"> = {}) =>
  fromPodProviderChain({ env, logger: testLogger(), ...options });

describe("podIdentity (EKS Pod Identity agent)", () => {
  it("asks the agent with the raw token from the token file and returns the pod's credentials with its account", async () => {
    const { env, agent, issued, token } = await podIdentity();
    const provider = chainWith(env);

    const credentials = await provider();

    expect(credentials).toMatchObject({ accessKeyId: issued.accessKeyId, accountId: "210987654321" });
    expect(agent.requests).toHaveLength(1);
    expect(agent.requests[0]?.headers.authorization).toBe(token);
    recordOutput(provider.describe());
    expect(provider.describe()).toMatchObject({
      source: "podIdentity",
      accountId: "210987654321",
      configuredBy: "AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
      skipped: [{ source: "webIdentity", reason: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set" }],
    });
  });

  it("re-reads the token file at every request", async () => {
    const { env, agent, tokenFile } = await podIdentity();
    agent.configure({ expectedToken: undefined });
    const provider = fromPodIdentityAgent({ env, logger: testLogger() });
    await provider();
    const rotated = secretToken({ claims: { aud: ["pods.eks.amazonaws.com"] } });
    await writeFile(tokenFile, rotated);
    await provider({ forceRefresh: true });
    expect(agent.requests.map((request) => request.headers.authorization)).toEqual([expect.any(String), rotated]);
  });

  it("accepts the token from AWS_CONTAINER_AUTHORIZATION_TOKEN when there is no token file", async () => {
    const { agent, token } = await podIdentity();
    await chainWith({ AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL, AWS_CONTAINER_AUTHORIZATION_TOKEN: token })();
    expect(agent.requests[0]?.headers.authorization).toBe(token);
  });

  it("reports the agent's own reason when it rejects the token, instead of a hostname complaint", async () => {
    const { env, agent } = await podIdentity();
    agent.configure({ wrongTokenReason: "token has invalid claims: token has invalid audience" });
    const stale = secretToken();
    await writeFile(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, stale);

    const error = await expectSourceError(expect, chainWith(env)(), {
      source: "podIdentity",
      status: 400,
      target: AGENT_URL,
    });
    expect(error.message).toContain("HTTP 400: Service account token failed basic claim validations");
    expect(error.message).not.toContain("not a valid container metadata service hostname");
    expect(agent.requests).toHaveLength(1);
  });

  it("retries a rate-limited (429) answer with backoff within the start-up window", async () => {
    const { env, agent, issued } = await podIdentity();
    agent.setMode("throttled", { times: 2 });
    const credentials = await chainWith(env)();
    expect(credentials.accessKeyId).toBe(issued.accessKeyId);
    expect(agent.requests).toHaveLength(3);
  });

  it("gives up on a rate-limited agent once the start-up window has passed, with the agent's answer", async () => {
    const { env, agent } = await podIdentity();
    agent.setMode("throttled");
    const error = await rejectionOf(chainWith(env, { startupTimeoutMs: 300 })());
    expect(error.message).toContain("HTTP 429");
  });

  it("does not retry a final 403 from the agent's upstream", async () => {
    const { env, agent } = await podIdentity();
    agent.setMode("upstreamError", { status: 403, message: "AccessDeniedException: no association" });
    const error = await rejectionOf(chainWith(env)());
    expect(error.message).toContain("HTTP 403: AccessDeniedException: no association");
    expect(agent.requests).toHaveLength(1);
  });

  it("names the agent URL and the DaemonSet when nothing answers", async () => {
    const server = await startLoopbackServer(fakePodIdentityAgent().handler);
    const url = `${server.url}/v1/credentials`;
    await server.close();
    const error = await expectSourceError(
      expect,
      chainWith({ AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: "x".repeat(20) })(),
      { source: "podIdentity", target: url, fix: AGENT_FIX, retryable: false },
    );
    expect(error.message).toContain(
      `[podIdentity] The credentials endpoint gave no usable answer: connection to ${url}`,
    );
  });

  it.each<{
    answer: string;
    status: number;
    shown: string;
    retryable: boolean;
    fix: string;
    arrange: (agent: FakePodIdentityAgent) => void;
  }>([
    {
      answer: "the token is not valid",
      status: 400,
      shown: "Service account token failed basic claim validations: token has invalid claims: token is expired",
      retryable: false,
      fix: TOKEN_FIX,
      arrange: (agent) => agent.configure({ expectedToken: secretToken() }),
    },
    {
      answer: "no association",
      status: 403,
      shown: "AccessDeniedException: no association",
      retryable: false,
      fix: AGENT_FIX,
      arrange: (agent) =>
        agent.setMode("upstreamError", { status: 403, message: "AccessDeniedException: no association" }),
    },
    {
      answer: "a refusal with an empty body",
      status: 403,
      shown: "(no message)",
      retryable: false,
      fix: AGENT_FIX,
      arrange: (agent) => agent.setMode("upstreamError", { status: 403, message: "" }),
    },
    {
      answer: "rate limited",
      status: 429,
      shown: "Rate exceeded",
      retryable: true,
      fix: RATE_LIMIT_FIX,
      arrange: (agent) => agent.setMode("throttled"),
    },
    {
      answer: "its upstream failed",
      status: 500,
      shown: "Internal Server Error",
      retryable: true,
      fix: AGENT_FIX,
      arrange: (agent) => agent.setMode("upstreamError"),
    },
    {
      answer: "its upstream is unavailable",
      status: 503,
      shown: "ServiceUnavailableException",
      retryable: true,
      fix: AGENT_FIX,
      arrange: (agent) => agent.setMode("upstreamError", { status: 503, message: "ServiceUnavailableException" }),
    },
  ])(
    "reports an HTTP $status from the agent ($answer) with its own fix",
    async ({ status, shown, retryable, fix, arrange }) => {
      const { env, agent } = await podIdentity();
      arrange(agent);

      // No start-up window: a retryable answer is reported at once, as it would be once the window has passed.
      await expectSourceError(expect, chainWith(env, { startupTimeoutMs: 0 })(), {
        source: "podIdentity",
        target: AGENT_URL,
        status,
        retryable,
        fix,
        message: `[podIdentity] The credentials endpoint ${AGENT_URL} answered HTTP ${status}: ${shown} Fix: ${fix}`,
      });
      expect(agent.requests).toHaveLength(1);
    },
  );

  it("retries an HTTP 500 (the agent's upstream failing for now) and says so at debug", async () => {
    const { env, agent, issued } = await podIdentity();
    agent.setMode("upstreamError", { times: 1 });
    const logger = testLogger();

    const credentials = await fromPodProviderChain({ env, logger })();

    expect(credentials.accessKeyId).toBe(issued.accessKeyId);
    expect(agent.requests).toHaveLength(2);
    expect(logger.at("debug")).toContain(
      `pod-credentials: the Pod Identity agent at ${AGENT_URL}: not ready ([podIdentity] The credentials endpoint ` +
        `${AGENT_URL} answered HTTP 500: Internal Server Error Fix: ${AGENT_FIX}); retrying in 200 ms`,
    );
  });

  it("reports an answer that is not a credentials document as the agent's, naming the variable to check", async () => {
    const { env, agent } = await podIdentity();
    agent.injectFault({ kind: "malformed", body: "<html><body>Welcome to nginx!</body></html>" });

    const error = await expectSourceError(expect, chainWith(env)(), {
      source: "podIdentity",
      target: AGENT_URL,
    });
    expect(error.message).toContain(`[podIdentity] The answer of ${AGENT_URL} is not JSON: it looks like an HTML`);
    expect(error.fix).toContain(
      `the endpoint at ${AGENT_URL} is not a credentials endpoint: check AWS_CONTAINER_CREDENTIALS_FULL_URI`,
    );
  });

  it("closes the pending request to the agent when the resolution deadline passes", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const pending: Promise<void>[] = [];
    const server = await startTestServer((_request, response) => {
      if (server.requests.length === 1) {
        response.writeHead(429, { "Content-Type": "text/plain" }).end("Rate exceeded\n");
        return;
      }
      pending.push(new Promise((resolve) => response.once("close", resolve)));
    });
    const logger = testLogger();
    const provider = fromPodIdentityAgent({
      env: {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/v1/credentials`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "x".repeat(20),
      },
      timeoutMs: 1000,
      resolutionTimeoutMs: 1000,
      startupTimeoutMs: 30_000,
      logger,
    });

    try {
      const rejection = rejectionOf(provider());
      // The first answer is a 429, retried after 200 ms; the second request then hangs. Its own 1000 ms timeout would
      // fire 200 ms after the deadline, and never does under fake timers: only the deadline's abort can close it.
      await vi.waitUntil(() => logger.at("debug").some((line) => line.includes("retrying in 200 ms")), {
        interval: 0,
        timeout: 10_000,
      });
      await vi.advanceTimersByTimeAsync(200);
      await vi.waitUntil(() => pending.length === 1, { interval: 0, timeout: 10_000 });
      await vi.advanceTimersByTimeAsync(800);

      const error = await rejection;
      expect(error.message).toContain("No credentials within the 1000 ms resolution deadline.");
      await Promise.all(pending);
    } finally {
      vi.useRealTimers();
      await server.close();
    }
  });

  it.each([
    ["http://10.0.0.5/v1/credentials", "plain http is only allowed to"],
    ["http://user:pass@169.254.170.23/v1/credentials", "contains a user name or password"],
    ["ftp://169.254.170.23/creds", "neither http nor https"],
    ["not a url", "is not a valid URL"],
  ])("refuses the endpoint %s", async (url, reason) => {
    const error = await rejectionOf(chainWith({ AWS_CONTAINER_CREDENTIALS_FULL_URI: url })());
    expect(error.message).toContain(reason);
    expect(error.message).not.toContain("pass@");
  });

  it("refuses a token with a line break in it", async () => {
    const error = await rejectionOf(
      chainWith({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "abc\r\nX-Injected: 1",
      })(),
    );
    expect(error.message).toContain("line break");
  });

  it("joins a relative URI to 169.254.170.2, as ECS sets it", async () => {
    const agent = fakePodIdentityAgent({ credentials: secretCredentials("ECS") });
    agent.configure({ expectedToken: undefined });
    const token = secretToken();
    await serveWithMsw("http://169.254.170.2", {
      handler: async (request) => {
        const url = new URL(request.url);
        return agent.handler(
          new Request(`http://169.254.170.2/v1/credentials${url.search}`, { headers: request.headers }),
        );
      },
    });
    await chainWith({
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/abc",
      AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
    })();
    expect(agent.requests).toHaveLength(1);
  });
});

describe("podIdentity: the token echoed in a long refusal", () => {
  it("is redacted before the agent's text is cut to length, so no piece of it is left at the cut", async () => {
    // An opaque token (AWS_CONTAINER_AUTHORIZATION_TOKEN need not be a JWT), echoed at the very end of a long body:
    // the error quotes the first 400 characters, which end 12 characters into the token.
    const token = "opaqueAuthorizationToken0123456789abcdefghijklmnopqrstuvwxyzABCD";
    const body = `${"x".repeat(400 - 12 - 1)} ${token}`;
    await serveWithMsw("http://169.254.170.23", { handler: async () => new Response(body, { status: 403 }) });

    const error = await rejectionOf(
      chainWith({ AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL, AWS_CONTAINER_AUTHORIZATION_TOKEN: token })(),
    );

    expect(error.message).toContain("answered HTTP 403: xxx");
    expect(error.message).toContain("x [redacted]");
    expect(error.message).not.toContain(token.slice(0, 12));
  });
});
