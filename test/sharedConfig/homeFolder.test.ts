// Where the sharedConfig source looks for ~/.aws with an `env` option: the home folder as the SDK's `getHomeDir`
// finds it (HOME, else USERPROFILE, else HOMEDRIVE + HOMEPATH), read from `env` alone. Each case is checked against
// the SDK's own `getHomeDir` with the same variables in `process.env`, then served from that folder. Without `env`,
// the process's own HOME.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getHomeDir } from "@smithy/core/config";
import { describe, expect, it, vi } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { secretCredentials } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";

/** A home folder holding `.aws/credentials` with static keys for `[default]`, and those keys. */
const homeWithCredentials = async () => {
  const home = await mkdtemp(join(tmpdir(), "pod-credentials-home-"));
  const keys = secretCredentials("HOME");
  await mkdir(join(home, ".aws"));
  await writeFile(
    join(home, ".aws", "credentials"),
    `[default]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`,
  );
  return { home, keys };
};

const sdkHome = (variables: Record<string, string>): string => {
  for (const name of ["HOME", "USERPROFILE", "HOMEPATH", "HOMEDRIVE"]) vi.stubEnv(name, variables[name]);
  const home = getHomeDir();
  vi.unstubAllEnvs();
  return home;
};

describe("the sharedConfig source's home folder, from env as the SDK finds it", () => {
  it.each([
    ["HOME", (home: string) => ({ HOME: home, USERPROFILE: "/nonexistent" })],
    ["USERPROFILE when HOME is unset", (home: string) => ({ USERPROFILE: home, HOMEPATH: "/nonexistent" })],
    ["HOMEDRIVE + HOMEPATH when neither is set", (home: string) => ({ HOMEDRIVE: "", HOMEPATH: home })],
  ])("%s", async (_, variablesFor) => {
    const { home, keys } = await homeWithCredentials();
    const variables = variablesFor(home);
    expect(sdkHome(variables)).toBe(home);

    const provider = fromPodProviderChain({ env: variables, sources: ["sharedConfig"], logger: testLogger() });

    expect((await provider()).accessKeyId).toBe(keys.accessKeyId);
    expect(provider.describe()?.configuredBy).toBe(`profile default in ${join(home, ".aws", "credentials")}`);
  });

  it("AWS_SHARED_CREDENTIALS_FILE with ~/ is under env's HOME, as the SDK expands it", async () => {
    const { home, keys } = await homeWithCredentials();
    const provider = fromPodProviderChain({
      env: { HOME: home, AWS_SHARED_CREDENTIALS_FILE: "~/.aws/credentials", AWS_CONFIG_FILE: "~/.aws/absent" },
      sources: ["sharedConfig"],
      logger: testLogger(),
    });

    expect((await provider()).accessKeyId).toBe(keys.accessKeyId);
    expect(provider.describe()?.configuredBy).toBe(`profile default in ${join(home, ".aws", "credentials")}`);
  });

  it("no home variable in env: skipped with the reason, the machine's home is not read", async () => {
    const provider = fromPodProviderChain({ env: {}, sources: ["sharedConfig"], logger: testLogger() });

    await expect(provider()).rejects.toThrow(
      "the given environment sets no HOME (nor AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE)",
    );
  });

  it("without env: the process's HOME, and the profile's keys through the SDK's fromIni", async () => {
    const { home, keys } = await homeWithCredentials();
    vi.stubEnv("HOME", home);
    const provider = fromPodProviderChain({ sources: ["sharedConfig"], logger: testLogger() });

    expect(await provider()).toMatchObject({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey });
    expect(provider.describe()?.configuredBy).toBe(`profile default in ${join(home, ".aws", "credentials")}`);
  });
});
