import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { findLeaks, leakedSecretsInOutputs, recordOutput, rejectionOf, testLogger } from "../support/leakCheck.js";

describe("no secret in any output", () => {
  it("the leak check finds a secret inside a longer output", () => {
    expect(findLeaks(["error: token abc-SECRET-123 rejected"], ["abc-SECRET-123", "other-secret"])).toEqual([
      "abc-SECRET-123",
    ]);
  });

  it("redacts the web-identity token when STS echoes it in its error message", async () => {
    const token = secretToken();
    const tokenFile = await temporaryFile("token", token);
    const sts = fakeSts({ credentials: secretCredentials("IRSA") });
    sts.setMode("InvalidIdentityToken", { message: `Invalid token ${token}` });
    await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);

    const error = await rejectionOf(
      fromPodProviderChain({
        env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN },
        region: "us-east-1",
        logger: testLogger(),
      })(),
    );

    expect(error.message).toContain("Invalid token [redacted]");
    expect(leakedSecretsInOutputs()).toEqual([]);
  });

  it("redacts the pod identity token when the agent echoes it", async () => {
    const token = secretToken();
    const tokenFile = await temporaryFile("token", token);
    const agent = fakePodIdentityAgent();
    agent.setMode("upstreamError", { status: 500, message: `upstream rejected ${token}` });
    await serveWithMsw("http://169.254.170.23", agent);

    const error = await rejectionOf(
      fromPodProviderChain({
        env: {
          AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
        },
        startupTimeoutMs: 0,
        logger: testLogger(),
      })(),
    );
    expect(error.message).toContain("upstream rejected [redacted]");
  });

  it("redacts a run of the pod identity token the agent echoes, in the error, its log line and its event, at every resolution", async () => {
    // The provider holds the token only while a request runs; what is put out of that request is redacted then.
    const token = secretToken();
    const tokenFile = await temporaryFile("token", token);
    const agent = fakePodIdentityAgent();
    await serveWithMsw("http://169.254.170.23", agent);
    const logger = testLogger();
    const events: string[] = [];
    const provider = fromPodProviderChain({
      env: {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
      },
      startupTimeoutMs: 0,
      logger,
      onEvent: (event) => {
        if (event.type === "refreshFailed") events.push(event.error.message);
      },
    });
    await provider();
    // Neither the whole token nor a whole JWT segment: only its runs of 16 characters give it away.
    const [, payload = ""] = token.split(".");
    const run = payload.slice(3, 27);
    agent.setMode("upstreamError", { status: 500, message: `upstream rejected ${run}` });

    const error = await rejectionOf(provider({ forceRefresh: true }));

    expect(error.message).toContain("upstream rejected [redacted]");
    expect(events).toHaveLength(1);
    expect(events[0]).toContain("upstream rejected [redacted]");
    expect(logger.lines.filter((line) => line.includes("upstream rejected [redacted]"))).toHaveLength(1);
    expect(findLeaks([error.message, error.stack ?? "", ...events, ...logger.lines], [run, token])).toEqual([]);
  });

  it("with role chaining, redacts hop 1's session token when STS echoes it in its AssumeRole refusal", async () => {
    // Only hop 2's credentials are returned, but hop 1's signed the AssumeRole call: STS (or a proxy) may quote them.
    const hopOne = secretCredentials("HOPONE");
    await serveWithMsw("http://169.254.170.23", fakePodIdentityAgent({ credentials: hopOne }));
    const sts = fakeSts();
    sts.setMode("AccessDenied", { message: `not authorized for the session ${hopOne.sessionToken}` });
    await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);
    const logger = testLogger();

    const error = await rejectionOf(
      fromPodProviderChain({
        env: {
          AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
          AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken(),
        },
        region: "us-east-1",
        assumeRole: { roleArn: "arn:aws:iam::210987654321:role/reports-writer" },
        logger,
      })(),
    );

    expect(sts.calls.map((call) => call.action)).toEqual(["AssumeRole"]);
    expect(error.message).toContain("not authorized for the session [redacted]");
    expect(findLeaks([error.message, error.stack ?? "", ...logger.lines], [hopOne.sessionToken])).toEqual([]);
  });

  it("keeps secrets out of describe() and the success log line", async () => {
    const token = secretToken();
    const tokenFile = await temporaryFile("token", token);
    const issued = secretCredentials("IRSA");
    await serveWithMsw("https://sts.us-east-1.amazonaws.com", fakeSts({ credentials: issued }));
    const logger = testLogger();
    const provider = fromPodProviderChain({
      env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN },
      region: "us-east-1",
      logger,
    });
    await provider();
    await writeFile(tokenFile, secretToken());
    await provider({ forceRefresh: true });
    recordOutput(provider.describe());
    const shown = [JSON.stringify(provider.describe()), ...logger.lines];
    expect(findLeaks(shown, [token, issued.secretAccessKey, issued.sessionToken])).toEqual([]);
  });
});
