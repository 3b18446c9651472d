// The shared config file as IRSA's STS client reads it: `stsSettingsFromConfigFile` must take from `~/.aws/config`
// (or AWS_CONFIG_FILE) exactly what the AWS SDK v3's STS client takes from it, because a pod that moves from the SDK's
// provider to ours must reach the same STS endpoint in the same region. Each file below is given to both: ours, and
// the SDK's own loaders (`loadConfig` over `loadSharedConfigFiles`, with its selectors for region, FIPS, dual-stack
// and configured endpoints). botocore (the AWS CLI's parser) is a second witness, run on the same file when python3
// has it; where it differs from the SDK the difference is pinned too, so the comparison stays honest.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMainThread } from "node:worker_threads";
import {
  booleanSelector,
  loadConfig,
  NODE_REGION_CONFIG_OPTIONS,
  NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS,
  NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS,
  SelectorType,
} from "@smithy/core/config";
import { describe, expect, it, vi } from "vitest";
import { parseConfigFile, stsSettingsFromConfigFile } from "../../src/wire/sdkConfig.js";

interface Resolved {
  region: string | undefined;
  fips: boolean;
  dualStack: boolean;
  endpoint: string | undefined;
}

/** Nothing configured: no region, no FIPS, no dual-stack, no endpoint. Each case names what differs from it. */
const UNSET: Resolved = { region: undefined, fips: false, dualStack: false, endpoint: undefined };

const folder = mkdtempSync(join(tmpdir(), "pod-credentials-config-"));
let files = 0;
const configFile = (text: string): string => {
  const path = join(folder, `config-${++files}`);
  writeFileSync(path, text);
  return path;
};

const flag = (value: string | undefined): boolean => value === "true";

/** Ours: what IRSA's STS client ends up with, from the file alone (no AWS_* variable is set in these tests). */
const ours = async (): Promise<Resolved> => {
  const fromFile = await stsSettingsFromConfigFile(process.env);
  return {
    region: fromFile.AWS_REGION,
    fips: flag(fromFile.AWS_USE_FIPS_ENDPOINT),
    dualStack: flag(fromFile.AWS_USE_DUALSTACK_ENDPOINT),
    endpoint: flag(fromFile.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) ? undefined : fromFile.AWS_ENDPOINT_URL_STS,
  };
};

// The SDK's own selectors for configured endpoints (`getEndpointUrlConfig("STS")` and
// `ignoreConfiguredEndpointUrlsConfigSelectors` in @smithy/core/endpoints, which does not export them), as written
// there: a profile naming a services section that is absent is an error, which the loader turns into "not found".
const SDK_IGNORE_ENDPOINTS = {
  environmentVariableSelector: (env: Record<string, string | undefined>) =>
    booleanSelector(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", SelectorType.ENV),
  configFileSelector: (profile: Record<string, string | undefined>) =>
    booleanSelector(profile, "ignore_configured_endpoint_urls", SelectorType.CONFIG),
  default: false,
};
const SDK_STS_ENDPOINT = {
  environmentVariableSelector: (env: Record<string, string | undefined>) =>
    env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || undefined,
  configFileSelector: (
    profile: Record<string, string | undefined>,
    config?: Record<string, Record<string, string | undefined>>,
  ) => {
    if (profile.services) {
      const section = config?.[`services.${profile.services}`];
      if (!section) throw new Error(`The services section "${profile.services}" is not present`);
      if (section["sts.endpoint_url"]) return section["sts.endpoint_url"];
    }
    return profile.endpoint_url || undefined;
  },
  default: undefined,
};

/** The SDK's answer, from its own loaders reading the same file; a value it cannot parse counts as unset. */
const sdk = async (): Promise<Resolved> => {
  const options = { ignoreCache: true };
  const load = <T>(selectors: Parameters<typeof loadConfig<T>>[0]) =>
    loadConfig(selectors, options)().catch(() => undefined);
  const ignore = await load(SDK_IGNORE_ENDPOINTS);
  return {
    region: await load(NODE_REGION_CONFIG_OPTIONS),
    fips: (await load(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS)) ?? false,
    dualStack: (await load(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS)) ?? false,
    endpoint: ignore ? undefined : await load(SDK_STS_ENDPOINT),
  };
};

const BOTOCORE = `
import json, sys
import botocore.configloader as loader
try:
    config = loader.load_config(sys.argv[1])
except Exception as error:
    print(json.dumps({"error": type(error).__name__})); sys.exit(0)
profile = config["profiles"].get(sys.argv[2], {})
services = config["services"].get(profile.get("services"), {})
sts = services.get("sts", {})
print(json.dumps({
    "region": profile.get("region"),
    "fips": profile.get("use_fips_endpoint"),
    "dualStack": profile.get("use_dualstack_endpoint"),
    "ignore": profile.get("ignore_configured_endpoint_urls"),
    "endpoint": sts.get("endpoint_url") if isinstance(sts, dict) else None,
    "profileEndpoint": profile.get("endpoint_url"),
}))
`;
const botocoreAvailable = spawnSync("python3", ["-c", "import botocore.configloader"]).status === 0;
if (!botocoreAvailable)
  console.log("sharedConfigFile.test.ts: python3 with botocore not found; botocore comparisons skipped");

/** botocore's reading of the file (boolean strings kept as written, as botocore keeps them until a client reads). */
const botocore = (path: string, profile: string): Record<string, string | null> => {
  const run = spawnSync("python3", ["-c", BOTOCORE, path, profile], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as Record<string, string | null>;
};
const botocoreResolved = (path: string, profile: string): Resolved | { error: string } => {
  const read = botocore(path, profile);
  if (read.error) return { error: read.error };
  return {
    region: read.region ?? undefined,
    fips: read.fips?.toLowerCase() === "true",
    dualStack: read.dualStack?.toLowerCase() === "true",
    endpoint: read.ignore?.toLowerCase() === "true" ? undefined : (read.endpoint ?? read.profileEndpoint ?? undefined),
  };
};

const use = (text: string, profile?: string): string => {
  const path = configFile(text);
  vi.stubEnv("AWS_CONFIG_FILE", path);
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(folder, "no-credentials-file"));
  if (profile !== undefined) vi.stubEnv("AWS_PROFILE", profile);
  return path;
};

const STS_ENDPOINT = "https://sts.vpce-0abc.eu-west-1.vpce.amazonaws.com";

/** Files on which the SDK and botocore agree: ours must give the same answer as both. */
const agreed: [string, string, string | undefined, Resolved][] = [
  [
    "[default] is the profile without AWS_PROFILE",
    "[default]\nregion = eu-west-1\n",
    undefined,
    { ...UNSET, region: "eu-west-1" },
  ],
  [
    "[profile x] is read for AWS_PROFILE=x, not [default]",
    "[default]\nregion = eu-west-1\n[profile x]\nregion = us-east-2\n",
    "x",
    { ...UNSET, region: "us-east-2" },
  ],
  ["[x] without 'profile' is not a profile", "[x]\nregion = us-east-2\n", "x", UNSET],
  ["an AWS_PROFILE with no section gives nothing, not [default]", "[default]\nregion = eu-west-1\n", "absent", UNSET],
  [
    "full-line # and ; comments, blank lines and CRLF",
    "# top\r\n[default]\r\n; a note\r\n\r\nregion = eu-west-1\r\n",
    undefined,
    { ...UNSET, region: "eu-west-1" },
  ],
  [
    "whitespace around '=' and after the value",
    "[default]\nregion=eu-west-1   \nuse_fips_endpoint   =   true\n",
    undefined,
    { ...UNSET, region: "eu-west-1", fips: true },
  ],
  [
    "use_fips_endpoint and use_dualstack_endpoint = true",
    "[default]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = true\n",
    undefined,
    { ...UNSET, fips: true, dualStack: true },
  ],
  ["use_fips_endpoint = false", "[default]\nuse_fips_endpoint = false\n", undefined, UNSET],
  [
    "the profile's endpoint_url",
    `[default]\nendpoint_url = ${STS_ENDPOINT}\n`,
    undefined,
    {
      region: undefined,
      fips: false,
      dualStack: false,
      endpoint: STS_ENDPOINT,
    },
  ],
  [
    "a services section's sts endpoint_url, over the profile's",
    `[default]\nendpoint_url = https://all.example\nservices = mine\n\n[services mine]\nsts =\n  endpoint_url = ${STS_ENDPOINT}\ns3 =\n  endpoint_url = https://s3.example\n`,
    undefined,
    {
      region: undefined,
      fips: false,
      dualStack: false,
      endpoint: STS_ENDPOINT,
    },
  ],
  [
    "a services section without sts: the profile's endpoint_url",
    "[profile x]\nendpoint_url = https://all.example\nservices = mine\n[services mine]\ns3 =\n  endpoint_url = https://s3.example\n",
    "x",
    { ...UNSET, endpoint: "https://all.example" },
  ],
  [
    "a key after a nested block is the profile's again",
    `[services mine]\nsts =\n  endpoint_url = ${STS_ENDPOINT}\n[default]\nservices = mine\ns3 =\n  addressing_style = path\nregion = eu-west-1\n`,
    undefined,
    {
      region: "eu-west-1",
      fips: false,
      dualStack: false,
      endpoint: STS_ENDPOINT,
    },
  ],
  [
    "ignore_configured_endpoint_urls = true drops the file's endpoint",
    `[default]\nendpoint_url = ${STS_ENDPOINT}\nignore_configured_endpoint_urls = true\n`,
    undefined,
    UNSET,
  ],
  [
    "ignore_configured_endpoint_urls = false keeps it",
    `[default]\nendpoint_url = ${STS_ENDPOINT}\nignore_configured_endpoint_urls = false\n`,
    undefined,
    {
      region: undefined,
      fips: false,
      dualStack: false,
      endpoint: STS_ENDPOINT,
    },
  ],
  [
    "[profile default] replaces a [default] before it, not merged with it",
    "[default]\nregion = eu-west-1\nuse_fips_endpoint = true\n[profile default]\nregion = us-east-2\n",
    undefined,
    { ...UNSET, region: "us-east-2" },
  ],
  ["spaces inside the brackets: not a profile", "[ profile x ]\nregion = eu-west-1\n", "x", UNSET],
  ["a quoted profile name", '[profile "x"]\nregion = eu-west-1\n', "x", { ...UNSET, region: "eu-west-1" }],
];

/** Reads `text` as the config file (with `profile`): the SDK and ours must read `expected`, botocore `botocoreReading`. */
const expectReadings = async (
  text: string,
  profile: string | undefined,
  expected: Resolved,
  botocoreReading: Resolved | { error: string },
) => {
  const path = use(text, profile);
  expect(await sdk()).toEqual(expected);
  expect(await ours()).toEqual(expected);
  if (botocoreAvailable) expect(botocoreResolved(path, profile ?? "default")).toEqual(botocoreReading);
};

describe("the shared config file, read as the SDK's STS client and botocore read it", () => {
  it.each(agreed)("%s", (_, text, profile, expected) => expectReadings(text, profile, expected, expected));
});

/**
 * Files where botocore and the SDK part ways. IRSA's STS client is the SDK's, so ours follows the SDK; botocore's
 * reading is pinned beside it, so a change in either tool shows here.
 */
const sdkOnly: [string, string, string | undefined, Resolved, Resolved | { error: string }][] = [
  [
    "an inline comment after whitespace is dropped by the SDK, kept in the value by botocore",
    "[default]\nregion = eu-west-1 # Ireland\nuse_fips_endpoint = true ; audited\n",
    undefined,
    { ...UNSET, region: "eu-west-1", fips: true },
    { ...UNSET, region: "eu-west-1 # Ireland" },
  ],
  [
    "a '#' inside a value (no whitespace before it) is part of the value for both",
    "[default]\nregion = eu-west-1#x\n",
    undefined,
    { ...UNSET, region: "eu-west-1#x" },
    { ...UNSET, region: "eu-west-1#x" },
  ],
  [
    "keys are case-sensitive for the SDK (botocore lower-cases them)",
    "[default]\nRegion = eu-west-1\nUSE_FIPS_ENDPOINT = true\n",
    undefined,
    UNSET,
    { ...UNSET, region: "eu-west-1", fips: true },
  ],
  [
    "boolean values other than true/false count as unset for the SDK (botocore ignores case)",
    "[default]\nuse_fips_endpoint = TRUE\nuse_dualstack_endpoint = yes\n",
    undefined,
    UNSET,
    { ...UNSET, fips: true },
  ],
  [
    "a duplicate key: the last wins for the SDK, botocore refuses the file",
    "[default]\nregion = eu-west-1\nregion = us-east-2\n",
    undefined,
    { ...UNSET, region: "us-east-2" },
    { error: "ConfigParseError" },
  ],
  [
    "a repeated section: merged, last key wins, for the SDK; botocore refuses the file",
    "[profile x]\nregion = eu-west-1\nuse_fips_endpoint = true\n[profile x]\nregion = us-east-2\n",
    "x",
    { ...UNSET, region: "us-east-2", fips: true },
    { error: "ConfigParseError" },
  ],
  [
    "a profile naming an absent services section: the SDK takes no configured endpoint at all",
    "[default]\nendpoint_url = https://all.example\nservices = missing\n",
    undefined,
    UNSET,
    { ...UNSET, endpoint: "https://all.example" },
  ],
  [
    "a header with two spaces after 'profile' is no profile for the SDK (botocore takes it)",
    "[profile  x]\nregion = eu-west-1\n",
    "x",
    UNSET,
    { ...UNSET, region: "eu-west-1" },
  ],
  [
    "an indented line under a key with a value is a key of its own for the SDK (botocore continues the value)",
    "[default]\nregion = eu-west-1\n  use_fips_endpoint = true\n",
    undefined,
    { ...UNSET, region: "eu-west-1", fips: true },
    { ...UNSET, region: "eu-west-1\nuse_fips_endpoint = true" },
  ],
  [
    "a [profile __proto__] section: the SDK refuses the whole file (botocore reads it)",
    "[default]\nregion = eu-west-1\n[profile __proto__]\nregion = us-east-2\n",
    undefined,
    UNSET,
    { ...UNSET, region: "eu-west-1" },
  ],
];

describe("where botocore differs, the SDK's reading wins", () => {
  it.each(sdkOnly)("%s", (_, text, profile, expected, botocoreReading) =>
    expectReadings(text, profile, expected, botocoreReading),
  );
});

describe("which file, and when there is none", () => {
  // os.homedir() reads the process's own environment, which a worker thread's process.env does not change: these
  // two run wherever the tests run in the main thread (npm test), not under the mutation runner's worker threads.
  it.skipIf(!isMainThread)("reads AWS_CONFIG_FILE, with ~/ meaning the home folder, as the SDK does", async () => {
    const home = mkdtempSync(join(tmpdir(), "pod-credentials-home-"));
    writeFileSync(join(home, "elsewhere"), "[default]\nregion = ap-south-1\n");
    vi.stubEnv("HOME", home);
    vi.stubEnv("AWS_CONFIG_FILE", "~/elsewhere");
    expect(await stsSettingsFromConfigFile(process.env)).toEqual({ AWS_REGION: "ap-south-1" });
    expect((await sdk()).region).toBe("ap-south-1");
  });

  it.skipIf(!isMainThread)("reads ~/.aws/config when AWS_CONFIG_FILE is not set", async () => {
    const home = mkdtempSync(join(tmpdir(), "pod-credentials-home-"));
    vi.stubEnv("HOME", home);
    expect(await stsSettingsFromConfigFile(process.env)).toEqual({});
    mkdirSync(join(home, ".aws"));
    writeFileSync(join(home, ".aws", "config"), "[default]\nregion = sa-east-1\n");
    expect(await stsSettingsFromConfigFile(process.env)).toEqual({ AWS_REGION: "sa-east-1" });
  });

  it.each([
    ["a missing file", () => join(folder, "absent")],
    ["a folder instead of a file", () => folder],
  ])("%s gives no settings and no error, as the SDK's loader", async (_, path) => {
    vi.stubEnv("AWS_CONFIG_FILE", path());
    expect(await stsSettingsFromConfigFile(process.env)).toEqual({});
    expect(await sdk()).toEqual(UNSET);
  });

  it("an unreadable file gives no settings and no error", async () => {
    const path = use("[default]\nregion = eu-west-1\n");
    chmodSync(path, 0o000);
    // root reads any file whatever its mode; the case is only meaningful for another user.
    const readable = spawnSync("cat", [path]).status === 0;
    expect(await stsSettingsFromConfigFile(process.env)).toEqual(readable ? { AWS_REGION: "eu-west-1" } : {});
  });

  it("reads nothing when the provider was given its own env", async () => {
    use("[default]\nregion = eu-west-1\n");
    expect(await stsSettingsFromConfigFile({ ...process.env })).toEqual({});
  });

  it("an endpoint variable in the environment wins over the file's endpoint, as in the SDK", async () => {
    use(`[default]\nendpoint_url = ${STS_ENDPOINT}\n`);
    vi.stubEnv("AWS_ENDPOINT_URL", "https://from-env.example");
    expect(await stsSettingsFromConfigFile(process.env)).toEqual({});
    expect((await sdk()).endpoint).toBe("https://from-env.example");
  });
});

describe("the shared credentials file's profile, as the SDK merges it", () => {
  const withCredentials = (config: string, credentials: string, profile?: string) => {
    use(config, profile);
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", configFile(credentials));
  };

  it.each([
    [
      "a region only in the credentials file counts",
      "[default]\nuse_fips_endpoint = true\n",
      "[default]\nregion = ap-south-1\n",
      undefined,
    ],
    [
      "the config file's region wins over the credentials file's",
      "[default]\nregion = eu-west-1\n",
      "[default]\nregion = ap-south-1\n",
      undefined,
    ],
    ["[NAME] in the credentials file is the profile NAME", "", "[dev]\nregion = ap-south-1\n", "dev"],
    ["[profile NAME] in the credentials file is no profile", "", "[profile dev]\nregion = ap-south-1\n", "dev"],
  ])("%s", async (_, config, credentials, profile) => {
    withCredentials(config, credentials, profile);
    const expected = await sdk();
    expect(await ours()).toEqual(expected);
  });

  it("the SDK's answers, pinned", async () => {
    withCredentials("[default]\nuse_fips_endpoint = true\n", "[default]\nregion = ap-south-1\n");
    expect(await sdk()).toEqual({ ...UNSET, region: "ap-south-1", fips: true });
    withCredentials("", "[profile dev]\nregion = ap-south-1\n", "dev");
    expect((await sdk()).region).toBeUndefined();
  });
});

describe("parseConfigFile", () => {
  it("names sections as the SDK does and ignores other sections", () => {
    const text =
      "[default]\na = 1\n[profile x]\nb = 2\n[services s]\nsts =\n  endpoint_url = e\n[sso-session y]\nc = 3\n[plugins]\nd = 4\n";
    expect(parseConfigFile(text)).toEqual({
      default: { a: "1" },
      x: { b: "2" },
      "services s": { "sts.endpoint_url": "e" },
    });
  });
});
