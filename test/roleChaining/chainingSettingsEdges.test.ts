// The role-chaining settings refused at creation, worded for where they came from (an option or a variable), and the
// session length read from its variable: the words an operator reads before any call is made.
import { describe, expect, it } from "vitest";
import { fromPodProviderChain, type PodProviderChainOptions } from "../../src/index.js";
import { fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import { secretCredentials, secretToken, serveWithMsw } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";

const REPORTS_ROLE_ARN = "arn:aws:iam::210987654321:role/reports-writer";
const DURATION = "POD_CREDENTIALS_ASSUME_ROLE_DURATION_SECONDS";
const DURATION_FIX = `set ${DURATION} to a number from 900 to 3600, or unset it (STS's default is 3600).`;

const creationError = (options: PodProviderChainOptions): Error => {
  try {
    fromPodProviderChain(options);
  } catch (error) {
    return error as Error;
  }
  throw new Error("the provider was created");
};

describe("role-chaining settings refused at creation", () => {
  it.each([
    [
      "a session name outside STS's rule, from the option",
      { env: {}, logger: testLogger(), assumeRole: { roleArn: REPORTS_ROLE_ARN, roleSessionName: "x" } },
      "option assumeRole.roleSessionName: expected 2 to 64 of letters, digits and +=,.@_- (STS's rule). Fix: pass " +
        "assumeRole.roleSessionName as such a name.",
    ],
    [
      "a session length from the variable over STS's 1-hour cap on chained sessions",
      { logger: testLogger(), env: { POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN, [DURATION]: "7200" } },
      `${DURATION}: STS limits a role assumed with role-session credentials (role chaining: IRSA, Pod Identity, ` +
        "kube2iam, kiam and the node all hand out such credentials) to 1 hour: expected 900 to 3600 seconds. " +
        `Fix: ${DURATION_FIX}`,
    ],
    [
      "a session length from the variable that is not a whole number of seconds",
      { logger: testLogger(), env: { POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN, [DURATION]: "1h" } },
      `${DURATION}: expected a whole number of seconds from 900 to 3600. Fix: ${DURATION_FIX}`,
    ],
    [
      "session tags without a role to assume",
      { env: {}, logger: testLogger(), assumeRole: { tags: { team: "orders" } } } as PodProviderChainOptions,
      "option assumeRole.tags: is set, but no role to assume is. Fix: set POD_CREDENTIALS_ASSUME_ROLE_ARN (or " +
        "assumeRole.roleArn) too, or remove it.",
    ],
    [
      "transitive tag keys given as one string rather than a list",
      {
        env: {},
        logger: testLogger(),
        assumeRole: { roleArn: REPORTS_ROLE_ARN, tags: { team: "orders" }, transitiveTagKeys: "team" },
      } as unknown as PodProviderChainOptions,
      "option assumeRole.transitiveTagKeys: expected a list of keys of assumeRole.tags. Fix: list only keys that " +
        "assumeRole.tags sets.",
    ],
  ])("%s", (_, options, message) => {
    const error = creationError(options);
    expect(error.name).toBe("InvalidConfigurationError");
    expect(error.message).toBe(message);
  });
});

describe("the chained session's length from its variable", () => {
  it("asks STS for that many seconds", async () => {
    const agentUrl = "http://169.254.170.23";
    await serveWithMsw(agentUrl, fakePodIdentityAgent({ credentials: secretCredentials("PODID") }));
    const sts = fakeSts({ trust: { [REPORTS_ROLE_ARN]: { principals: ["*"] } } });
    await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);
    const credentials = fromPodProviderChain({
      env: {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agentUrl}/v1/credentials`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken({ expiresInSeconds: 86_400 }),
        POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN,
        [DURATION]: "1800",
      },
      region: "us-east-1",
      logger: testLogger(),
    });

    const served = await credentials();

    expect(sts.calls.map(({ action, durationSeconds }) => ({ action, durationSeconds }))).toEqual([
      { action: "AssumeRole", durationSeconds: 1800 },
    ]);
    expect(served.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
  });
});

describe("options that are not an object", () => {
  it.each([
    ["a string", "options"],
    ["a number", 42],
  ])("%s: refused at creation, naming the options", (_, given) => {
    const error = creationError(given as unknown as PodProviderChainOptions);
    expect(error.name).toBe("InvalidConfigurationError");
    expect(error.message).toBe("options: expected an object. Fix: pass the options as an object, or nothing.");
  });
});
