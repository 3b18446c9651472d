// With the `env` option, the library is isolated from the process: neither it nor the SDK pieces it calls read a
// setting from `process.env` (or from ~/.aws through HOME). Each test replaces `process.env` with a Proxy over a
// poisoned environment that records every read (get, has, ownKeys, getOwnPropertyDescriptor), resolves a source with
// everything in `env` against fakes served by msw at the real AWS host names, and fails on any read not named below.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type Environment, fromPodProviderChain, type PodProviderChainOptions } from "../../src/index.js";
import { fakeImds, fakeKube2iam, fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";

/**
 * Variables read while the SDK's modules load, once per process, before any provider exists: no option of a client
 * or provider can carry them, and they configure no credentials.
 */
const READ_WHEN_MODULES_LOAD = new Set([
  // Node's CommonJS loader, at every module it loads, for `node --watch` (the SDK's modules are CommonJS).
  "WATCH_REPORT_DEPENDENCIES",
  // @aws/lambda-invoke-store (imported by @aws-sdk/core): whether it runs inside Lambda's Node runtime.
  "AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA",
  "AWS_LAMBDA_BENCHMARK_MODE",
]);

/**
 * Variables the SDK's STS client reads from `process.env` whatever its configuration says, so no explicit value can
 * replace them; neither changes a request or where it goes.
 */
const READ_BY_EVERY_STS_CLIENT = new Set([
  // Once per process, at the first client: turns off the SDK's notice that its 2027 releases need Node 22.
  "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED",
  // At every client: a default socket timeout, used only when no request handler is passed (we always pass ours).
  "AWS_ENABLE_DEFAULT_SOCKET_TIMEOUT_2026",
  // Node's warning printer, when it prints that notice to stderr: whether to colour it.
  "FORCE_COLOR",
]);

/**
 * `fromIni` locates the home folder from `process.env` to expand a file path that starts with `~/`, even when both
 * paths are given; the paths we give are already expanded from `env`, so the value is never used.
 */
const READ_BY_FROM_INI = new Set(["HOME", "USERPROFILE", "HOMEPATH", "HOMEDRIVE"]);

/** What a leaked read would pick up: every value wrong, so a read that slips through also changes the outcome. */
const POISON: Environment = {
  AWS_REGION: "poison-region-1",
  AWS_DEFAULT_REGION: "poison-region-1",
  AWS_ENDPOINT_URL_STS: "https://sts.poison.invalid",
  AWS_ENDPOINT_URL: "https://poison.invalid",
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "poison",
  AWS_USE_FIPS_ENDPOINT: "poison",
  AWS_USE_DUALSTACK_ENDPOINT: "poison",
  AWS_STS_REGIONAL_ENDPOINTS: "poison",
  AWS_RETRY_MODE: "poison",
  AWS_MAX_ATTEMPTS: "poison",
  AWS_DEFAULTS_MODE: "poison",
  AWS_SDK_UA_APP_ID: "poison",
  AWS_EXECUTION_ENV: "poison",
  AWS_LAMBDA_FUNCTION_NAME: "poison",
  _X_AMZN_TRACE_ID: "poison",
  AWS_PROFILE: "poison",
  AWS_CONFIG_FILE: "/poison/config",
  AWS_SHARED_CREDENTIALS_FILE: "/poison/credentials",
  AWS_WEB_IDENTITY_TOKEN_FILE: "/poison/token",
  AWS_ROLE_ARN: "arn:aws:iam::999999999999:role/poison",
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://poison.invalid/",
  AWS_ACCESS_KEY_ID: "AKIAPOISON",
  AWS_SECRET_ACCESS_KEY: "poison",
  AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://poison.invalid",
  AWS_EC2_METADATA_DISABLED: "true",
  POD_CREDENTIALS_SOURCES: "poison",
  POD_CREDENTIALS_ROLE: "poison",
  HOME: "/poison-home",
  USERPROFILE: "/poison-home",
  HTTPS_PROXY: "http://poison.invalid:3128",
  https_proxy: "http://poison.invalid:3128",
  HTTP_PROXY: "http://poison.invalid:3128",
  NO_PROXY: "poison",
};

const reads: string[] = [];
let target: Record<string, string | undefined> = {};
const recordingEnv = new Proxy({} as NodeJS.ProcessEnv, {
  get: (_, name) => {
    if (typeof name === "string") reads.push(name);
    return typeof name === "string" ? target[name] : undefined;
  },
  has: (_, name) => {
    reads.push(String(name));
    return name in target;
  },
  ownKeys: () => {
    reads.push("(every name: ownKeys)");
    return Reflect.ownKeys(target);
  },
  getOwnPropertyDescriptor: (_, name) => {
    reads.push(String(name));
    return Reflect.getOwnPropertyDescriptor(target, name);
  },
  set: (_, name, value) => Reflect.set(target, name, String(value)),
  deleteProperty: (_, name) => Reflect.deleteProperty(target, name),
  defineProperty: (_, name, descriptor) => Reflect.defineProperty(target, name, descriptor),
});

const realEnv = process.env;
const poisonProcessEnv = (values: Environment = POISON) => {
  // The test processes' switch for the SDK's Node 22 notice (test/support/isolateEnvironment.ts) stays on: the notice
  // is printed to the run's standard error, and reading the switch is allowed (READ_BY_EVERY_STS_CLIENT).
  const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: quiet } = realEnv;
  target = { ...values, ...(quiet === undefined ? {} : { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: quiet }) };
  process.env = recordingEnv;
};
const restoreProcessEnv = () => {
  process.env = realEnv;
};
/** Every name read so far, but those allowed, in the order first read. */
const readsBut = (...allowed: ReadonlySet<string>[]) => [
  ...new Set(reads.filter((name) => !allowed.some((set) => set.has(name)))),
];

beforeAll(async () => {
  // The SDK's modules load here, under the recording environment: `@aws-sdk/core` keeps the `process.env` it sees
  // when it loads (`const { env } = require("node:process")`), so the recorder must be that object.
  poisonProcessEnv();
  try {
    await import("@aws-sdk/credential-providers");
    await import("@aws-sdk/credential-provider-web-identity");
    await import("@aws-sdk/credential-provider-ini");
    await import("@aws-sdk/nested-clients/sts");
    await import("@smithy/node-http-handler");
  } finally {
    restoreProcessEnv();
  }
  expect(readsBut(READ_WHEN_MODULES_LOAD)).toEqual([]);
});

let warnings: string[];
const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
beforeEach(() => {
  reads.length = 0;
  warnings = [];
  process.on("warning", onWarning);
});
afterEach(() => {
  restoreProcessEnv();
  process.off("warning", onWarning);
});
afterAll(restoreProcessEnv);

const irsaEnv = async (region: string) => {
  const token = secretToken();
  const sts = fakeSts({ credentials: secretCredentials("IRSA"), expectedToken: token });
  await serveWithMsw(`https://sts.${region}.amazonaws.com`, sts);
  const env = { AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", token), AWS_ROLE_ARN: ORDERS_ROLE_ARN };
  return { sts, env };
};

/** Resolves once under the poisoned environment and returns the credentials. */
const resolveIsolated = async (options: PodProviderChainOptions, identityProperties?: object) => {
  poisonProcessEnv();
  try {
    return await fromPodProviderChain(options)(identityProperties);
  } finally {
    restoreProcessEnv();
  }
};

describe("the recorder", () => {
  it("sees the reads of process.env when no env is given (so its silence below means something)", async () => {
    const { sts, env } = await irsaEnv("eu-west-1");
    poisonProcessEnv({ ...env, AWS_REGION: "eu-west-1" });
    try {
      await fromPodProviderChain({ logger: testLogger() })();
    } finally {
      restoreProcessEnv();
    }
    expect(sts.calls[0]?.host).toBe("sts.eu-west-1.amazonaws.com");
    expect(reads).toEqual(
      expect.arrayContaining([
        "AWS_REGION",
        "AWS_ENDPOINT_URL_STS",
        "AWS_USE_FIPS_ENDPOINT",
        // Where the SDK would find the shared config file (absent here, so no profile is read).
        "AWS_CONFIG_FILE",
        // The User-Agent and the Lambda trace header the SDK's STS client would send.
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
      ]),
    );
  });
});

describe("with the env option, nothing is read from process.env", () => {
  it("webIdentity: region from AWS_REGION in env", async () => {
    const { sts, env } = await irsaEnv("eu-west-1");
    const credentials = await resolveIsolated({ env: { ...env, AWS_REGION: "eu-west-1" }, logger: testLogger() });
    expect(credentials.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
    expect(sts.calls.map((call) => call.host)).toEqual(["sts.eu-west-1.amazonaws.com"]);
    expect(readsBut(READ_BY_EVERY_STS_CLIENT)).toEqual([]);
  });

  it("webIdentity: region from the calling client (an async provider), and no trace header outside Lambda", async () => {
    const { sts, env } = await irsaEnv("ap-southeast-2");
    await resolveIsolated(
      { env, logger: testLogger() },
      { callerClientConfig: { region: async () => "ap-southeast-2" } },
    );
    expect(sts.calls.map((call) => call.host)).toEqual(["sts.ap-southeast-2.amazonaws.com"]);
    expect(sts.requests[0]?.headers["x-amzn-trace-id"]).toBeUndefined();
    expect(readsBut(READ_BY_EVERY_STS_CLIENT)).toEqual([]);
  });

  it("webIdentity: the region option, the endpoint, the User-Agent and the Lambda trace header from env", async () => {
    const { sts, env } = await irsaEnv("eu-central-1");
    await resolveIsolated({
      env: {
        ...env,
        AWS_ENDPOINT_URL_STS: "https://sts.eu-central-1.amazonaws.com",
        AWS_EXECUTION_ENV: "AWS_ECS_EC2",
        AWS_SDK_UA_APP_ID: "orders-api",
        AWS_LAMBDA_FUNCTION_NAME: "orders",
        _X_AMZN_TRACE_ID: "Root=1-5759e988-bd862e3fe1be46a994272793",
      },
      region: "us-west-2",
      logger: testLogger(),
    });
    const headers = sts.requests[0]?.headers ?? {};
    expect(sts.calls.map((call) => call.host)).toEqual(["sts.eu-central-1.amazonaws.com"]);
    expect(headers["user-agent"]).toMatch(/exec-env\/AWS_ECS_EC2.* app\/orders-api/);
    expect(headers["x-amzn-trace-id"]).toBe("Root=1-5759e988-bd862e3fe1be46a994272793");
    expect(readsBut(READ_BY_EVERY_STS_CLIENT)).toEqual([]);
  });

  it("webIdentity: a missing region is us-east-1, said once through our logger, never by the SDK's console warning", async () => {
    vi.spyOn(process, "emitWarning");
    const { sts, env } = await irsaEnv("us-east-1");
    const logger = testLogger();
    poisonProcessEnv();
    try {
      const provider = fromPodProviderChain({ env, logger });
      await provider();
      await provider({ forceRefresh: true });
    } finally {
      restoreProcessEnv();
    }
    expect(sts.calls.map((call) => call.host)).toEqual(["sts.us-east-1.amazonaws.com", "sts.us-east-1.amazonaws.com"]);
    expect(logger.at("warn")).toEqual([
      "pod-credentials: no region for STS (no region option, none from the calling client, AWS_REGION not set in the " +
        "given environment): using us-east-1, as the SDK does. Pass the region option or set AWS_REGION.",
    ]);
    const consoleLines = vi.mocked(console.warn).mock.calls.concat(vi.mocked(console.error).mock.calls);
    expect(consoleLines.flat().join("\n")).not.toMatch(/region/i);
    expect(vi.mocked(process.emitWarning).mock.calls.flat().join("\n")).not.toMatch(/region/i);
    expect(warnings.join("\n")).not.toMatch(/region/i);
    expect(readsBut(READ_BY_EVERY_STS_CLIENT)).toEqual([]);
  });

  it("podIdentity", async () => {
    const token = secretToken({ claims: { aud: ["pods.eks.amazonaws.com"] } });
    const issued = secretCredentials("PODID");
    const agent = fakePodIdentityAgent({ credentials: issued, expectedToken: token });
    await serveWithMsw("http://169.254.170.23", agent);
    const credentials = await resolveIsolated({
      env: {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: await temporaryFile("eks-pod-identity-token", token),
      },
      logger: testLogger(),
    });
    expect(credentials.accessKeyId).toBe(issued.accessKeyId);
    expect(readsBut()).toEqual([]);
  });

  it("kube2iam", async () => {
    const node = fakeImds({ credentials: secretCredentials("NODE"), roleName: "eks-node-role" });
    const proxy = fakeKube2iam({
      podRole: "orders-reader",
      credentials: secretCredentials("KUBE2IAM"),
      upstream: node.handler,
    });
    await serveWithMsw("http://169.254.169.254", proxy);
    const credentials = await resolveIsolated({ env: { POD_CREDENTIALS_ROLE: "orders-reader" }, logger: testLogger() });
    expect(credentials.accessKeyId).toContain("KUBE2IAM");
    expect(readsBut()).toEqual([]);
  });

  it("instanceProfile", async () => {
    const node = fakeImds({ credentials: secretCredentials("NODE"), roleName: "eks-node-role" });
    await serveWithMsw("http://169.254.169.254", node);
    const credentials = await resolveIsolated({
      env: { POD_CREDENTIALS_SOURCES: "instanceProfile", POD_CREDENTIALS_ALLOW_NODE: "true" },
      logger: testLogger(),
    });
    expect(credentials.accessKeyId).toContain("NODE");
    expect(readsBut()).toEqual([]);
  });

  it("env", async () => {
    const keys = secretCredentials("STATIC");
    const credentials = await resolveIsolated({
      env: {
        POD_CREDENTIALS_SOURCES: "env",
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      },
      logger: testLogger(),
    });
    expect(credentials.accessKeyId).toBe(keys.accessKeyId);
    expect(readsBut()).toEqual([]);
  });

  it("sharedConfig: the home folder and the profile from env", async () => {
    const keys = secretCredentials("PROFILE");
    const home = await mkdtemp(join(tmpdir(), "pod-credentials-home-"));
    await mkdir(join(home, ".aws"));
    await writeFile(
      join(home, ".aws", "credentials"),
      `[dev]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`,
    );
    const credentials = await resolveIsolated({
      env: { POD_CREDENTIALS_SOURCES: "sharedConfig", HOME: home, AWS_PROFILE: "dev" },
      logger: testLogger(),
    });
    expect(credentials.accessKeyId).toBe(keys.accessKeyId);
    expect(readsBut(READ_BY_FROM_INI)).toEqual([]);
  });

  it("sharedConfig: without HOME in env, it looks in no home folder at all", async () => {
    poisonProcessEnv();
    try {
      await expect(
        fromPodProviderChain({ env: { POD_CREDENTIALS_SOURCES: "sharedConfig" }, logger: testLogger() })(),
      ).rejects.toThrow("the given environment sets no HOME (nor AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE)");
    } finally {
      restoreProcessEnv();
    }
    expect(readsBut()).toEqual([]);
  });
});
