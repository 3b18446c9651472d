// The env source: static keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, read from the `env` option alone,
// values trimmed; both keys or nothing; AWS_SESSION_TOKEN only when set; an AWS_CREDENTIAL_EXPIRATION that is not a
// date is a typed error naming the source, the variable and the fix.
import { describe, expect, it } from "vitest";
import { CredentialSourceError, fromPodProviderChain } from "../../src/index.js";
import { secretCredentials } from "../support/fakes.js";
import { rejectionOf, testLogger } from "../support/leakCheck.js";

const keys = secretCredentials("STATIC");
const chainOver = (env: Record<string, string>) =>
  fromPodProviderChain({ env, sources: ["env"], logger: testLogger() });

describe("the env source's keys", () => {
  it("trims whitespace around each value, as a shell or a Secret's trailing newline leaves it", async () => {
    const provider = chainOver({
      AWS_ACCESS_KEY_ID: ` ${keys.accessKeyId}\n`,
      AWS_SECRET_ACCESS_KEY: `\t${keys.secretAccessKey} `,
      AWS_SESSION_TOKEN: ` ${keys.sessionToken}\n`,
    });

    const credentials = await provider();

    expect(credentials.accessKeyId).toBe(keys.accessKeyId);
    expect(credentials.secretAccessKey).toBe(keys.secretAccessKey);
    expect(credentials.sessionToken).toBe(keys.sessionToken);
  });

  it.each([
    ["only AWS_ACCESS_KEY_ID", { AWS_ACCESS_KEY_ID: keys.accessKeyId }],
    ["only AWS_SECRET_ACCESS_KEY", { AWS_SECRET_ACCESS_KEY: keys.secretAccessKey }],
    ["AWS_SECRET_ACCESS_KEY blank", { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: "  " }],
  ])("with %s, is skipped with the reason that both are needed", async (_, env) => {
    const error = await rejectionOf(chainOver(env)());

    expect(error.name).toBe("NoPodCredentialsError");
    expect(error.message).toContain("(env: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set)");
  });

  it("hands out AWS_SESSION_TOKEN with the keys when it is set", async () => {
    const credentials = await chainOver({
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_SESSION_TOKEN: keys.sessionToken,
    })();

    expect(credentials).toMatchObject({ accessKeyId: keys.accessKeyId, sessionToken: keys.sessionToken });
  });

  it.each([
    ["unset", {}],
    ["blank", { AWS_SESSION_TOKEN: " " }],
  ])("with AWS_SESSION_TOKEN %s, hands out no sessionToken property at all", async (_, extra) => {
    const credentials = await chainOver({
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      ...extra,
    })();

    expect(credentials.accessKeyId).toBe(keys.accessKeyId);
    expect(Object.keys(credentials)).not.toContain("sessionToken");
  });
});

describe("the env source's AWS_CREDENTIAL_EXPIRATION", () => {
  it("that is not a date: a CredentialSourceError naming the source, the variable and the fix", async () => {
    const error = await rejectionOf(
      chainOver({
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        AWS_CREDENTIAL_EXPIRATION: "soon",
      })(),
    );

    expect(error).toBeInstanceOf(CredentialSourceError);
    expect(error).toMatchObject({
      source: "env",
      target: "AWS_CREDENTIAL_EXPIRATION",
      fix: "set it to an ISO 8601 time such as 2026-11-27T21:00:00Z, or unset it.",
    });
    expect(error.message).toBe(
      "[env] AWS_CREDENTIAL_EXPIRATION is not a date. " +
        "Fix: set it to an ISO 8601 time such as 2026-11-27T21:00:00Z, or unset it.",
    );
  });

  it("that is a date (trimmed) becomes the credentials' expiration", async () => {
    const credentials = await chainOver({
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_CREDENTIAL_EXPIRATION: " 2099-11-27T21:00:00Z\n",
    })();

    expect(credentials.expiration?.toISOString()).toBe("2099-11-27T21:00:00.000Z");
  });
});
