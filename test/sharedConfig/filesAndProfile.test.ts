// How the sharedConfig source reads its `env` option: blank home variables fall through in the SDK's order (HOME,
// USERPROFILE, HOMEDRIVE + HOMEPATH), file variables and AWS_PROFILE are trimmed, `~/` is expanded only under a home
// folder, both files must be locatable from `env` alone, and a profile that gives nothing is a typed error that names
// the profile, the files and the fix.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CredentialSourceError, fromPodProviderChain } from "../../src/index.js";
import { secretCredentials, temporaryFile } from "../support/fakes.js";
import { rejectionOf, testLogger } from "../support/leakCheck.js";

const keys = secretCredentials("PROFILE");
const keysFor = (profile: string) =>
  `[${profile}]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`;

/** A home folder holding `.aws/credentials` with static keys for `[profile]`. */
const homeWith = async (profile = "default"): Promise<string> => {
  const home = await mkdtemp(join(tmpdir(), "pod-credentials-home-"));
  await mkdir(join(home, ".aws"));
  await writeFile(join(home, ".aws", "credentials"), keysFor(profile));
  return home;
};

const chainOver = (env: Record<string, string>) =>
  fromPodProviderChain({ env, sources: ["sharedConfig"], logger: testLogger() });

describe("the sharedConfig source's home folder from env", () => {
  it("a blank HOME falls through to USERPROFILE", async () => {
    const home = await homeWith();
    const provider = chainOver({ HOME: "  ", USERPROFILE: home });

    expect((await provider()).accessKeyId).toBe(keys.accessKeyId);
  });

  it("a blank USERPROFILE falls through to HOMEDRIVE + HOMEPATH", async () => {
    const home = await homeWith();
    const provider = chainOver({ USERPROFILE: " ", HOMEDRIVE: "", HOMEPATH: home });

    expect((await provider()).accessKeyId).toBe(keys.accessKeyId);
  });

  it("HOMEPATH without HOMEDRIVE is on drive C:\\, as the SDK reads it on Windows", async () => {
    const error = await rejectionOf(chainOver({ HOMEPATH: "\\Users\\dev" })());

    expect(error.message).toContain(`neither ${join("C:\\\\Users\\dev", ".aws", "credentials")} nor `);
  });
});

describe("the sharedConfig source's files from env", () => {
  it("AWS_SHARED_CREDENTIALS_FILE is trimmed", async () => {
    const file = await temporaryFile("credentials", keysFor("default"));
    const provider = chainOver({ AWS_SHARED_CREDENTIALS_FILE: ` ${file}\n`, AWS_CONFIG_FILE: `${file}.absent` });

    expect((await provider()).accessKeyId).toBe(keys.accessKeyId);
    expect(provider.describe()?.configuredBy).toBe(`profile default in ${file}`);
  });

  it("an absolute AWS_SHARED_CREDENTIALS_FILE is read as it is, not under HOME", async () => {
    const home = await homeWith("elsewhere");
    const file = await temporaryFile("credentials", keysFor("default"));
    const provider = chainOver({ HOME: home, AWS_SHARED_CREDENTIALS_FILE: file, AWS_CONFIG_FILE: `${file}.absent` });

    expect((await provider()).accessKeyId).toBe(keys.accessKeyId);
    expect(provider.describe()?.configuredBy).toBe(`profile default in ${file}`);
  });

  it("~/ with no home folder in env stays as written (so the files are absent), nothing throws", async () => {
    const error = await rejectionOf(
      chainOver({ AWS_SHARED_CREDENTIALS_FILE: "~/.aws/credentials", AWS_CONFIG_FILE: "~/.aws/config" })(),
    );

    expect(error.name).toBe("NoPodCredentialsError");
    expect(error.message).toContain("(sharedConfig: neither ~/.aws/credentials nor ~/.aws/config exists)");
  });

  it.each([
    ["only AWS_SHARED_CREDENTIALS_FILE", "AWS_SHARED_CREDENTIALS_FILE"],
    ["only AWS_CONFIG_FILE", "AWS_CONFIG_FILE"],
  ])("with no home folder and %s, is skipped: the other file would come from outside env", async (_, variable) => {
    const file = await temporaryFile("credentials", keysFor("default"));
    const error = await rejectionOf(chainOver({ [variable]: file })());

    expect(error.name).toBe("NoPodCredentialsError");
    expect(error.message).toContain(
      "(sharedConfig: the given environment sets no HOME (nor AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE))",
    );
  });

  it("with both files present, describe() names both", async () => {
    const credentials = await temporaryFile("credentials", keysFor("default"));
    const config = await temporaryFile("config", "[default]\nregion = eu-west-1\n");
    const provider = chainOver({ AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config });

    await provider();

    expect(provider.describe()?.configuredBy).toBe(`profile default in ${credentials} and ${config}`);
  });
});

describe("the sharedConfig source's profile", () => {
  it("AWS_PROFILE is trimmed", async () => {
    const home = await homeWith("dev");
    const provider = chainOver({ HOME: home, AWS_PROFILE: " dev\n" });

    expect((await provider()).accessKeyId).toBe(keys.accessKeyId);
    expect(provider.describe()?.configuredBy).toBe(`profile dev in ${join(home, ".aws", "credentials")}`);
  });

  it("a profile that gives no credentials: a CredentialSourceError naming the profile, the files and the fix", async () => {
    const home = await homeWith("default");
    const config = join(home, ".aws", "config");
    await writeFile(config, "[profile other]\nregion = eu-west-1\n");
    const files = [join(home, ".aws", "credentials"), config];

    const error = await rejectionOf(chainOver({ HOME: home, AWS_PROFILE: "missing" })());

    expect(error).toBeInstanceOf(CredentialSourceError);
    expect(error).toMatchObject({
      source: "sharedConfig",
      target: files.join(", "),
      fix: `check the profile missing in ${files.join(" and ")} (aws configure list --profile missing).`,
    });
    expect(error.message).toMatch(/^\[sharedConfig\] Profile missing gave no credentials: \S/);
    expect(error.message).toContain(` Fix: check the profile missing in ${files.join(" and ")} `);
  });
});
