import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { type CredentialSourceError, fromPodIdentityAgent, fromPodProviderChain } from "../../src/index.js";
import { fakePodIdentityAgent, startLoopbackServer } from "../../src/testing/index.js";
import { secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { recordOutput, rejectionOf, testLogger } from "../support/leakCheck.js";

const AGENT_URL = "http://169.254.170.23/v1/credentials";

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

describe("podIdentity (EKS Pod Identity agent)", () => {
  it("asks the agent with the raw token from the token file and returns the pod's credentials with its account", async () => {
    const { env, agent, issued, token } = await podIdentity();
    const provider = fromPodProviderChain({ env, logger: testLogger() });

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
    await fromPodProviderChain({
      env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL, AWS_CONTAINER_AUTHORIZATION_TOKEN: token },
      logger: testLogger(),
    })();
    expect(agent.requests[0]?.headers.authorization).toBe(token);
  });

  it("reports the agent's own reason when it rejects the token, instead of a hostname complaint", async () => {
    const { env, agent } = await podIdentity();
    agent.configure({ wrongTokenReason: "token has invalid claims: token has invalid audience" });
    const stale = secretToken();
    await writeFile(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, stale);

    const error = (await rejectionOf(fromPodProviderChain({ env, logger: testLogger() })())) as CredentialSourceError;

    expect(error).toMatchObject({
      name: "CredentialSourceError",
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
    const credentials = await fromPodProviderChain({ env, logger: testLogger() })();
    expect(credentials.accessKeyId).toBe(issued.accessKeyId);
    expect(agent.requests).toHaveLength(3);
  });

  it("gives up on a rate-limited agent once the start-up window has passed, with the agent's answer", async () => {
    const { env, agent } = await podIdentity();
    agent.setMode("throttled");
    const error = await rejectionOf(fromPodProviderChain({ env, startupTimeoutMs: 300, logger: testLogger() })());
    expect(error.message).toContain("HTTP 429");
  });

  it("does not retry a final 403 from the agent's upstream", async () => {
    const { env, agent } = await podIdentity();
    agent.setMode("upstreamError", { status: 403, message: "AccessDeniedException: no association" });
    const error = await rejectionOf(fromPodProviderChain({ env, logger: testLogger() })());
    expect(error.message).toContain("HTTP 403: AccessDeniedException: no association");
    expect(agent.requests).toHaveLength(1);
  });

  it("names the agent URL and the DaemonSet when nothing answers", async () => {
    const server = await startLoopbackServer(fakePodIdentityAgent().handler);
    const url = `${server.url}/v1/credentials`;
    await server.close();
    const error = await rejectionOf(
      fromPodProviderChain({
        env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: "x".repeat(20) },
        logger: testLogger(),
      })(),
    );
    expect(error.message).toContain(url);
    expect(error.message).toContain("eks-pod-identity-agent DaemonSet");
  });

  it.each([
    ["http://10.0.0.5/v1/credentials", "plain http is only allowed to"],
    ["http://user:pass@169.254.170.23/v1/credentials", "contains a user name or password"],
    ["ftp://169.254.170.23/creds", "neither http nor https"],
    ["not a url", "is not a valid URL"],
  ])("refuses the endpoint %s", async (url, reason) => {
    const error = await rejectionOf(
      fromPodProviderChain({ env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: url }, logger: testLogger() })(),
    );
    expect(error.message).toContain(reason);
    expect(error.message).not.toContain("pass@");
  });

  it("refuses a token with a line break in it", async () => {
    const error = await rejectionOf(
      fromPodProviderChain({
        env: {
          AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL,
          AWS_CONTAINER_AUTHORIZATION_TOKEN: "abc\r\nX-Injected: 1",
        },
        logger: testLogger(),
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
    await fromPodProviderChain({
      env: { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/abc", AWS_CONTAINER_AUTHORIZATION_TOKEN: token },
      logger: testLogger(),
    })();
    expect(agent.requests).toHaveLength(1);
  });
});
