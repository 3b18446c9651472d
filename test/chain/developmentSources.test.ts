import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { secretCredentials, temporaryFile } from "../support/fakes.js";
import { rejectionOf, testLogger } from "../support/leakCheck.js";

describe("env and sharedConfig (local development)", () => {
  it("uses static keys only when env is a named source", async () => {
    const keys = secretCredentials("STATIC");
    const env = { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
    expect((await rejectionOf(fromPodProviderChain({ env, logger: testLogger() })())).name).toBe(
      "NoPodCredentialsError",
    );

    const provider = fromPodProviderChain({
      env: { ...env, POD_CREDENTIALS_SOURCES: "webIdentity,env" },
      logger: testLogger(),
    });
    expect(await provider()).toMatchObject({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey });
    expect(provider.describe()).toMatchObject({ source: "env", skipped: [{ source: "webIdentity" }] });
  });

  it("rejects an AWS_CREDENTIAL_EXPIRATION that is not a date", async () => {
    const keys = secretCredentials("STATIC");
    const error = await rejectionOf(
      fromPodProviderChain({
        env: {
          AWS_ACCESS_KEY_ID: keys.accessKeyId,
          AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
          AWS_CREDENTIAL_EXPIRATION: "soon",
        },
        sources: ["env"],
        logger: testLogger(),
      })(),
    );
    expect(error.message).toContain("AWS_CREDENTIAL_EXPIRATION is not a date");
  });

  it("reads a profile from the shared credentials file through the SDK when sharedConfig is named", async () => {
    const keys = secretCredentials("PROFILE");
    const home = join(await temporaryFile("placeholder", ""), "..");
    await mkdir(join(home, ".aws"), { recursive: true });
    await writeFile(
      join(home, ".aws", "credentials"),
      `[dev]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`,
    );
    const provider = fromPodProviderChain({
      env: { HOME: home, AWS_PROFILE: "dev" },
      sources: ["sharedConfig"],
      logger: testLogger(),
    });
    expect((await provider()).accessKeyId).toBe(keys.accessKeyId);
    expect(provider.describe()?.source).toBe("sharedConfig");
  });

  it("skips sharedConfig when there is no ~/.aws file", async () => {
    const error = await rejectionOf(
      fromPodProviderChain({ env: { HOME: "/nonexistent-home" }, sources: ["sharedConfig"], logger: testLogger() })(),
    );
    expect(error.message).toContain(
      "sharedConfig: neither /nonexistent-home/.aws/credentials nor /nonexistent-home/.aws/config exists",
    );
  });
});
