// What the chain reads from its options and the environment when it is created: the timing settings and their
// bounds (a refusal names the option or the variable it came from), the log level of the default logger, and the
// warnings about the environment an operator sees once, at creation.
import { describe, expect, it, vi } from "vitest";
import { readSettings as chainSettings } from "../../src/base/settings.js";
import { fromPodProviderChain, isPodCredentialsError, type PodProviderChainOptions } from "../../src/index.js";
import { recordOutput, rejectionOf, testLogger } from "../support/leakCheck.js";

const refusal = (options: PodProviderChainOptions): string => {
  try {
    chainSettings(options);
  } catch (error) {
    recordOutput(error);
    if (!isPodCredentialsError(error, "InvalidConfigurationError")) throw error;
    return error.message;
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
};

describe("timing settings", () => {
  it.each<[string, PodProviderChainOptions, string]>([
    [
      "the timeoutMs option",
      { timeoutMs: 60_001 },
      "option timeoutMs: expected a whole number of milliseconds from 1 to 60000.",
    ],
    [
      "POD_CREDENTIALS_TIMEOUT_MS",
      { env: { POD_CREDENTIALS_TIMEOUT_MS: "0" } },
      "POD_CREDENTIALS_TIMEOUT_MS: expected a whole number of milliseconds from 1 to 60000.",
    ],
    [
      "the startupTimeoutMs option",
      { startupTimeoutMs: -1 },
      "option startupTimeoutMs: expected a whole number of milliseconds from 0 to 900000.",
    ],
    [
      "POD_CREDENTIALS_STARTUP_TIMEOUT_MS",
      { env: { POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "900001" } },
      "POD_CREDENTIALS_STARTUP_TIMEOUT_MS: expected a whole number of milliseconds from 0 to 900000.",
    ],
    [
      "the resolutionTimeoutMs option",
      { resolutionTimeoutMs: 905_001 },
      "option resolutionTimeoutMs: expected a whole number of milliseconds from 1000 to 905000.",
    ],
    [
      "POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS, whose minimum is the request timeout",
      { timeoutMs: 2000, env: { POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: "1999" } },
      "POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: expected a whole number of milliseconds from 2000 to 905000.",
    ],
  ])("a bad value of %s is refused, naming where it came from", (_case, options, message) => {
    expect(refusal({ env: {}, logger: testLogger(), ...options })).toContain(message);
  });

  it("gives a resolution the start-up window plus 5 s by default, up to the longest start-up window plus 5 s", () => {
    const settings = (options: PodProviderChainOptions) =>
      chainSettings({ env: {}, logger: testLogger(), ...options }).resolutionTimeoutMs;
    expect(settings({})).toBe(15_000);
    expect(settings({ startupTimeoutMs: 0 })).toBe(5000);
    expect(settings({ env: { POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "900000" } })).toBe(905_000);
    expect(settings({ resolutionTimeoutMs: 905_000 })).toBe(905_000);
    expect(settings({ env: { POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: "900001" } })).toBe(900_001);
  });

  it("lets an option win over its environment variable", () => {
    const settings = chainSettings({
      env: { POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: "not a number", POD_CREDENTIALS_ALLOW_NODE: "false" },
      resolutionTimeoutMs: 3000,
      allowNodeCredentials: true,
      logger: testLogger(),
    });
    expect(settings).toMatchObject({ resolutionTimeoutMs: 3000, allowNodeCredentials: true });
  });

  it.each([
    [{}, false],
    [{ POD_CREDENTIALS_ALLOW_NODE: "true" }, true],
    [{ POD_CREDENTIALS_ALLOW_NODE: " TRUE " }, true],
    [{ POD_CREDENTIALS_ALLOW_NODE: "false" }, false],
  ])("reads %j as allowNodeCredentials %s", (env, allowed) => {
    expect(chainSettings({ env, logger: testLogger() }).allowNodeCredentials).toBe(allowed);
  });
});

describe("the default logger", () => {
  /**
   * Calls a chain with nothing configured (no network: it logs each skipped source at debug and its
   * NoPodCredentialsError at error) and returns the console methods that received a line.
   */
  const consoleOutput = async (env: Record<string, string>): Promise<string[]> => {
    const spies = (["debug", "info", "warn", "error"] as const).map(
      (level) => [level, vi.spyOn(console, level)] as const,
    );
    await rejectionOf(fromPodProviderChain({ env })());
    return spies.filter(([, spy]) => spy.mock.calls.length > 0).map(([level]) => level);
  };

  it("logs from info up when POD_CREDENTIALS_LOG_LEVEL is not set", async () => {
    expect(await consoleOutput({})).toEqual(["error"]);
  });

  it.each([
    ["debug", ["debug", "error"]],
    ["ERROR", ["error"]],
    [" Silent ", []],
  ])("follows POD_CREDENTIALS_LOG_LEVEL=%j", async (level, written) => {
    expect(await consoleOutput({ POD_CREDENTIALS_LOG_LEVEL: level })).toEqual(written);
  });

  it("is not used when a logger is passed, so the variable is not even checked", () => {
    expect(() => chainSettings({ env: { POD_CREDENTIALS_LOG_LEVEL: "loud" }, logger: testLogger() })).not.toThrow();
  });
});

describe("warnings at creation", () => {
  const KNOWN =
    "POD_CREDENTIALS_SOURCES, POD_CREDENTIALS_ALLOW_NODE, POD_CREDENTIALS_ROLE, POD_CREDENTIALS_ANNOTATIONS_FILE, " +
    "POD_CREDENTIALS_STARTUP_TIMEOUT_MS, POD_CREDENTIALS_TIMEOUT_MS, POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS, " +
    "POD_CREDENTIALS_LOG_LEVEL, POD_CREDENTIALS_DURATION_SECONDS, POD_CREDENTIALS_VERIFY_IDENTITY, POD_CREDENTIALS_EXPECTED_ROLE, " +
    "POD_CREDENTIALS_ASSUME_ROLE_ARN, POD_CREDENTIALS_ASSUME_ROLE_EXTERNAL_ID, " +
    "POD_CREDENTIALS_ASSUME_ROLE_DURATION_SECONDS, POD_CREDENTIALS_ASSUME_ROLE_SESSION_NAME";

  const warningsFor = (env: Record<string, string>, options: PodProviderChainOptions = {}): string[] => {
    const logger = testLogger();
    fromPodProviderChain({ env, logger, ...options });
    return logger.at("warn");
  };

  it("lists this package's own variables when one is unknown, since it is probably a typo", () => {
    expect(warningsFor({ POD_CREDENTIALS_ALOW_NODE: "true", POD_CREDENTIALS_TIMEOUT: "500" })).toEqual([
      `pod-credentials: unknown variable POD_CREDENTIALS_ALOW_NODE is ignored (a typo?). Known: ${KNOWN}.`,
      `pod-credentials: unknown variable POD_CREDENTIALS_TIMEOUT is ignored (a typo?). Known: ${KNOWN}.`,
    ]);
  });

  it("says nothing about other variables, nor about its own known ones", () => {
    expect(warningsFor({ AWS_ROLE_ARN_TYPO: "x", POD_CREDENTIALS_LOG_LEVEL: "info", HOME: "/root" })).toEqual([]);
  });

  it("says that static keys in the environment are ignored unless env is a named source", () => {
    expect(warningsFor({ AWS_ACCESS_KEY_ID: "AKIAEXAMPLEKEYID0001" })).toEqual([
      'pod-credentials: AWS_ACCESS_KEY_ID is set but ignored: static keys are only used when "env" is in ' +
        "POD_CREDENTIALS_SOURCES. (The SDK's default chain would let them silently override the pod's own identity.)",
    ]);
  });

  it.each([
    ["AWS_ACCESS_KEY_ID is blank", { AWS_ACCESS_KEY_ID: "  " }, {}],
    ["env is a source", { AWS_ACCESS_KEY_ID: "AKIAEXAMPLEKEYID0001" }, { sources: ["webIdentity", "env"] }],
    [
      "env is named in POD_CREDENTIALS_SOURCES",
      { AWS_ACCESS_KEY_ID: "AKIAEXAMPLEKEYID0001", POD_CREDENTIALS_SOURCES: "env" },
      {},
    ],
  ] as const)("says nothing about static keys when %s", (_case, env, options) => {
    expect(warningsFor(env, options as PodProviderChainOptions)).toEqual([]);
  });
});
