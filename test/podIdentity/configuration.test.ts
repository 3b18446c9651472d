// How the podIdentity source reads its configuration (options in code, or the AWS_CONTAINER_* variables), and what
// an operator sees when that configuration is wrong: the setting is named as it was given, never by its value.
import { describe, expect, it } from "vitest";
import { fromPodIdentityAgent, fromPodProviderChain, type PodIdentityAgentOptions } from "../../src/index.js";
import { fakePodIdentityAgent } from "../../src/testing/index.js";
import { secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { recordOutput, rejectionOf, testLogger } from "../support/leakCheck.js";
import { expectSourceError } from "../support/sourceErrors.js";

const AGENT_URL = "http://169.254.170.23/v1/credentials";
const INVALID_URL_FIX =
  "EKS Pod Identity sets it to http://169.254.170.23/v1/credentials; check the pod's environment.";
const REFUSED_URL_FIX = "use the agent's address (http://169.254.170.23/v1/credentials), a loopback address, or https.";
const PLAIN_HTTP_ONLY_TO = "plain http is only allowed to 169.254.170.2, 169.254.170.23, [fd00:ec2::23] or loopback";

/** The agent at its EKS address and, for relative URIs, at the ECS address; it accepts only `token`. */
const agentAtBothAddresses = async () => {
  const token = secretToken({ claims: { aud: ["pods.eks.amazonaws.com"] } });
  const agent = fakePodIdentityAgent({ credentials: secretCredentials("PODID"), expectedToken: token });
  await serveWithMsw("http://169.254.170.23", agent);
  await serveWithMsw("http://169.254.170.2", agent);
  return { agent, token, tokenFile: await temporaryFile("eks-pod-identity-token", token) };
};

describe("podIdentity configuration", () => {
  it.each([
    {
      given: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      options: { env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: "not a url" } },
    },
    {
      given: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      options: { env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.256/v1/credentials" } },
    },
    {
      given: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      options: { env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://x127.0.0.1/v1/credentials" } },
    },
    {
      given: "option containerCredentialsFullUri",
      options: { containerCredentialsFullUri: "169.254.170.23/v1/credentials", env: {} },
    },
  ])("refuses an endpoint that is not a URL, naming $given", async ({ given, options }) => {
    await expectSourceError(expect, fromPodIdentityAgent({ ...options, logger: testLogger() })(), {
      source: "podIdentity",
      target: given,
      fix: INVALID_URL_FIX,
      message: `[podIdentity] ${given} is not a valid URL. Fix: ${INVALID_URL_FIX}`,
    });
  });

  it.each<{ given: string; options: PodIdentityAgentOptions; shown: string; problem: string }>([
    {
      given: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      options: { env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://10.0.0.5/v1/credentials" } },
      shown: "http://10.0.0.5/v1/credentials",
      problem: `${PLAIN_HTTP_ONLY_TO}, not 10.0.0.5`,
    },
    {
      given: "option containerCredentialsFullUri",
      options: { containerCredentialsFullUri: "http://user:secret@169.254.170.23/v1/credentials", env: {} },
      shown: AGENT_URL,
      problem: "it contains a user name or password",
    },
    {
      given: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      options: { env: { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "@creds.example.com/v1/credentials" } },
      shown: "http://creds.example.com/v1/credentials",
      problem: "it contains a user name or password",
    },
    {
      given: "option containerCredentialsRelativeUri",
      options: { containerCredentialsRelativeUri: "@creds.example.com/v1/credentials", env: {} },
      shown: "http://creds.example.com/v1/credentials",
      problem: "it contains a user name or password",
    },
  ])("refuses the endpoint set by $given when it is $problem", async ({ given, options, shown, problem }) => {
    const error = await expectSourceError(expect, fromPodIdentityAgent({ ...options, logger: testLogger() })(), {
      source: "podIdentity",
      target: shown,
      fix: REFUSED_URL_FIX,
      message: `[podIdentity] ${given} (${shown}) is refused: ${problem}. Fix: ${REFUSED_URL_FIX}`,
    });
    expect(error.message).not.toContain("secret");
  });

  it("uses the relative URI over the full one, as the SDK does", async () => {
    const error = await rejectionOf(
      fromPodIdentityAgent({
        env: {
          AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL,
          AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "@creds.example.com/v1/credentials",
        },
        logger: testLogger(),
      })(),
    );
    expect(error.message).toContain("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (http://creds.example.com/v1/credentials)");
  });

  it.each<{ given: string; options: PodIdentityAgentOptions }>([
    {
      given: "AWS_CONTAINER_AUTHORIZATION_TOKEN",
      options: {
        env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL, AWS_CONTAINER_AUTHORIZATION_TOKEN: "abc\nX: 1" },
      },
    },
    {
      given: "option containerAuthorizationToken",
      options: {
        containerAuthorizationToken: "abc\r\nX-Injected: 1",
        env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL },
      },
    },
  ])("refuses a token with a line break, naming $given, before calling the agent", async ({ given, options }) => {
    const { agent } = await agentAtBothAddresses();

    await expectSourceError(expect, fromPodIdentityAgent({ ...options, logger: testLogger() })(), {
      source: "podIdentity",
      target: given,
      fix: "set it to the token alone, on one line.",
      message: `[podIdentity] ${given} contains a line break. Fix: set it to the token alone, on one line.`,
    });
    expect(agent.requests).toHaveLength(0);
  });

  it("names the pod identity token file when it is missing, and the variable that points at it", async () => {
    const folder = await temporaryFile("placeholder", "");
    const missing = `${folder}.d/eks-pod-identity-token`;

    const error = await expectSourceError(
      expect,
      fromPodIdentityAgent({
        env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: missing },
        logger: testLogger(),
      })(),
      { source: "podIdentity", target: missing },
    );
    expect(error.message).toContain(`[podIdentity] The pod identity token file ${missing} does not exist.`);
    expect(error.fix).toContain("at the path AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names");
  });

  it("sends no Authorization header when no token is configured (an ECS task role)", async () => {
    const issued = secretCredentials("ECS");
    const seen: (string | null)[] = [];
    await serveWithMsw("http://169.254.170.2", {
      handler: async (request) => {
        seen.push(request.headers.get("authorization"));
        return Response.json({
          AccessKeyId: issued.accessKeyId,
          SecretAccessKey: issued.secretAccessKey,
          Token: issued.sessionToken,
          Expiration: new Date(Date.now() + 3_600_000).toISOString(),
        });
      },
    });
    const provider = fromPodProviderChain({
      env: { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/abc" },
      logger: testLogger(),
    });

    const credentials = await provider();

    expect(credentials.accessKeyId).toBe(issued.accessKeyId);
    expect(seen).toEqual([null]);
    recordOutput(provider.describe());
    expect(provider.describe()).toMatchObject({
      source: "podIdentity",
      configuredBy: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    });
  });

  it.each<{
    name: string;
    options: (setup: { token: string; tokenFile: string }) => PodIdentityAgentOptions;
    configuredBy: string;
  }>([
    {
      name: "the full URI and the token file, as options",
      options: ({ tokenFile }) => ({
        containerCredentialsFullUri: AGENT_URL,
        containerAuthorizationTokenFile: tokenFile,
      }),
      configuredBy: "option containerCredentialsFullUri and option containerAuthorizationTokenFile",
    },
    {
      name: "the relative URI and the token, as options",
      options: ({ token }) => ({
        containerCredentialsRelativeUri: "/v1/credentials",
        containerAuthorizationToken: token,
      }),
      configuredBy: "option containerCredentialsRelativeUri and option containerAuthorizationToken",
    },
    {
      name: "the relative URI and the token, as variables",
      options: ({ token }) => ({
        env: { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v1/credentials", AWS_CONTAINER_AUTHORIZATION_TOKEN: token },
      }),
      configuredBy: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN",
    },
    {
      name: "both a token file and a token: the file wins",
      options: ({ tokenFile }) => ({
        env: {
          AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL,
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
          AWS_CONTAINER_AUTHORIZATION_TOKEN: "not-the-token-the-agent-expects",
        },
      }),
      configuredBy: "AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    },
  ])("describe() names what configured it: $name", async ({ options, configuredBy }) => {
    const setup = await agentAtBothAddresses();
    const provider = fromPodIdentityAgent({ env: {}, ...options(setup), logger: testLogger() });

    await provider();

    expect(setup.agent.requests.map((request) => request.headers.authorization)).toEqual([setup.token]);
    recordOutput(provider.describe());
    expect(provider.describe()).toMatchObject({ source: "podIdentity", configuredBy });
  });
});
