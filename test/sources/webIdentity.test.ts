import { writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type CredentialSourceError, fromPodProviderChain, fromWebIdentity, noopLogger } from "../../src/index.js";
import { fakePodIdentityAgent, fakeSts, startLoopbackServer } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { recordOutput, rejectionOf, testLogger } from "../support/leakCheck.js";

const irsa = async (region = "us-east-1") => {
  const token = secretToken();
  const tokenFile = await temporaryFile("token", token);
  const issued = secretCredentials("IRSA");
  const sts = fakeSts({ credentials: issued, expectedToken: token });
  await serveWithMsw(`https://sts.${region}.amazonaws.com`, sts);
  return {
    token,
    tokenFile,
    issued,
    sts,
    env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN },
  };
};

afterEach(() => vi.unstubAllEnvs());

describe("webIdentity (IRSA)", () => {
  it("exchanges the projected token with STS AssumeRoleWithWebIdentity and returns the pod's credentials", async () => {
    const { env, issued, sts, token } = await irsa();
    const provider = fromPodProviderChain({ env, region: "us-east-1", logger: testLogger() });

    const credentials = await provider();

    expect(credentials.accessKeyId).toBe(issued.accessKeyId);
    expect(credentials.expiration).toBeInstanceOf(Date);
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]).toMatchObject({
      action: "AssumeRoleWithWebIdentity",
      roleArn: ORDERS_ROLE_ARN,
      webIdentityToken: token,
    });
  });

  it("describes the resolution: source, role, account, expiration and the sources it did not need", async () => {
    const { env } = await irsa();
    const provider = fromPodProviderChain({ env, region: "us-east-1", logger: testLogger() });
    const credentials = await provider();
    const description = provider.describe();
    recordOutput(description);

    expect(description).toMatchObject({
      source: "webIdentity",
      configuredBy: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN",
      roleArn: ORDERS_ROLE_ARN,
      roleName: "orders-reader",
      accountId: "123456789012",
      expiration: credentials.expiration,
      skipped: [],
    });
    expect(description?.resolvedAt).toBeInstanceOf(Date);
  });

  it("logs one info line naming the source, role, account and expiration", async () => {
    const { env } = await irsa();
    const logger = testLogger();
    const credentials = await fromPodProviderChain({ env, region: "us-east-1", logger })();
    expect(logger.at("info")).toEqual([
      `pod-credentials: using webIdentity credentials for role ${ORDERS_ROLE_ARN} in account 123456789012, expiring ` +
        `${credentials.expiration?.toISOString()} (configured by AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN)`,
    ]);
  });

  it("takes its settings from options as well as from the environment", async () => {
    const { tokenFile, sts } = await irsa();
    await fromWebIdentity({
      env: {},
      webIdentityTokenFile: tokenFile,
      roleArn: ORDERS_ROLE_ARN,
      region: "us-east-1",
      logger: testLogger(),
    })();
    expect(sts.calls[0]?.roleArn).toBe(ORDERS_ROLE_ARN);
  });

  it("uses the region of the calling client when no region option is given", async () => {
    const { env, sts } = await irsa("eu-west-1");
    await fromPodProviderChain({ env, logger: testLogger() })({
      callerClientConfig: { region: async () => "eu-west-1" },
    });
    expect(sts.calls[0]?.host).toBe("sts.eu-west-1.amazonaws.com");
  });

  it("falls back to AWS_REGION for the STS region", async () => {
    vi.stubEnv("AWS_REGION", "ap-southeast-2");
    const { env, sts } = await irsa("ap-southeast-2");
    await fromPodProviderChain({ env, logger: testLogger() })();
    expect(sts.calls[0]?.host).toBe("sts.ap-southeast-2.amazonaws.com");
  });

  it("honours AWS_ENDPOINT_URL_STS", async () => {
    const token = secretToken();
    const tokenFile = await temporaryFile("token", token);
    const sts = fakeSts({ credentials: secretCredentials("IRSA"), expectedToken: token });
    const server = await startLoopbackServer(sts.handler);
    vi.stubEnv("AWS_ENDPOINT_URL_STS", server.url);
    try {
      await fromPodProviderChain({
        env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN },
        region: "us-east-1",
        logger: testLogger(),
      })();
    } finally {
      await server.close();
    }
    expect(sts.calls).toHaveLength(1);
  });

  it("sends AWS_ROLE_SESSION_NAME, or pod-credentials-<hostname> when it is not set", async () => {
    const { env, sts } = await irsa();
    await fromPodProviderChain({
      env: { ...env, AWS_ROLE_SESSION_NAME: "orders-api-7d9f" },
      region: "us-east-1",
      logger: testLogger(),
    })();
    await fromPodProviderChain({ env, region: "us-east-1", logger: testLogger() })();
    expect(sts.calls[0]?.roleSessionName).toBe("orders-api-7d9f");
    expect(sts.calls[1]?.roleSessionName).toMatch(/^pod-credentials-[\w+=,.@-]+$/);
  });

  it("re-reads the token file at every refresh, so a token rotated by kubelet is the one STS receives", async () => {
    const { env, sts, tokenFile, token } = await irsa();
    sts.configure({ expectedToken: undefined });
    const provider = fromPodProviderChain({ env, region: "us-east-1", logger: testLogger() });
    await provider();
    const rotated = secretToken();
    await writeFile(tokenFile, rotated);
    await provider({ forceRefresh: true });
    expect(sts.calls.map((call) => call.webIdentityToken)).toEqual([token, rotated]);
  });

  describe("when it is half-configured", () => {
    it("refuses AWS_WEB_IDENTITY_TOKEN_FILE without AWS_ROLE_ARN, and does not move on to Pod Identity", async () => {
      const tokenFile = await temporaryFile("token", secretToken());
      const agent = fakePodIdentityAgent();
      await serveWithMsw("http://169.254.170.23", agent);
      const error = (await rejectionOf(
        fromPodProviderChain({
          env: {
            AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
            AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
          },
          logger: testLogger(),
        })(),
      )) as CredentialSourceError;
      expect(error.name).toBe("CredentialSourceError");
      expect(error.source).toBe("webIdentity");
      expect(error.message).toContain("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
      expect(error.message).toContain("Fix: EKS sets AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN together");
      expect(agent.requests).toHaveLength(0);
    });

    it("refuses AWS_ROLE_ARN without AWS_WEB_IDENTITY_TOKEN_FILE", async () => {
      const error = await rejectionOf(
        fromPodProviderChain({ env: { AWS_ROLE_ARN: ORDERS_ROLE_ARN }, logger: testLogger() })(),
      );
      expect(error.message).toContain("AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not");
    });

    it("refuses an AWS_ROLE_ARN that is not a role ARN", async () => {
      const tokenFile = await temporaryFile("token", secretToken());
      const error = await rejectionOf(
        fromPodProviderChain({
          env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: "orders-reader" },
          logger: testLogger(),
        })(),
      );
      expect(error.message).toContain("AWS_ROLE_ARN is not a role ARN");
    });
  });

  describe("when the token file is broken", () => {
    it("names the missing file and the fix, and makes no STS call", async () => {
      const { env, sts } = await irsa();
      const missing = `${env.AWS_WEB_IDENTITY_TOKEN_FILE}.gone`;
      const error = (await rejectionOf(
        fromPodProviderChain({
          env: { ...env, AWS_WEB_IDENTITY_TOKEN_FILE: missing },
          region: "us-east-1",
          logger: testLogger(),
        })(),
      )) as CredentialSourceError;
      expect(error).toMatchObject({ name: "CredentialSourceError", source: "webIdentity", target: missing });
      expect(error.message).toContain(missing);
      expect(error.message).toContain("Fix:");
      expect(sts.calls).toHaveLength(0);
    });

    it("refuses an empty token file", async () => {
      const tokenFile = await temporaryFile("token", "  \n");
      const error = await rejectionOf(
        fromPodProviderChain({
          env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN },
          logger: testLogger(),
        })(),
      );
      expect(error.message).toMatch(/empty/);
    });
  });

  describe("when STS says no", () => {
    it.each([
      ["InvalidIdentityToken", "OIDC provider is registered in IAM"],
      ["AccessDenied", "trust policy"],
      ["ExpiredTokenException", "has expired"],
    ] as const)("turns %s into a CredentialSourceError with the fix", async (code, fix) => {
      const { env, sts } = await irsa();
      sts.setMode(code);
      const error = (await rejectionOf(
        fromPodProviderChain({ env, region: "us-east-1", logger: testLogger() })(),
      )) as CredentialSourceError;
      expect(error).toMatchObject({ name: "CredentialSourceError", source: "webIdentity", target: ORDERS_ROLE_ARN });
      expect(error.message).toContain(`failed with ${code.replace("Exception", "")}`);
      expect(error.message).toContain(fix);
    });
  });

  it("is silent with the no-op logger", async () => {
    const { env } = await irsa();
    await fromPodProviderChain({ env, region: "us-east-1", logger: noopLogger })();
    expect(console.info).not.toHaveBeenCalled();
  });
});
