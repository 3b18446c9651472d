import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/base/settings.js";
import { fromPodProviderChain, isPodCredentialsError, noopLogger } from "../../src/index.js";
import { recordOutput, testLogger } from "../support/leakCheck.js";

const creating =
  (env: Record<string, string>, options: Parameters<typeof fromPodProviderChain>[0] = {}) =>
  () =>
    fromPodProviderChain({ env, logger: testLogger(), ...options });

const configurationError = (create: () => unknown) => {
  try {
    create();
  } catch (error) {
    recordOutput(error);
    return error;
  }
  throw new Error("expected an InvalidConfigurationError");
};

describe("configuration is checked when the provider is created", () => {
  it("rejects an unknown source name in POD_CREDENTIALS_SOURCES, naming the variable and the known sources", () => {
    const error = configurationError(creating({ POD_CREDENTIALS_SOURCES: "webIdentity,imds" }));
    expect(isPodCredentialsError(error, "InvalidConfigurationError")).toBe(true);
    expect((error as Error).message).toContain('POD_CREDENTIALS_SOURCES: unknown source "imds"');
    expect((error as Error).message).toContain("instanceProfile");
  });

  it("rejects an unknown source name in the sources option", () => {
    const error = configurationError(creating({}, { sources: ["podIdentity", "metadata" as never] }));
    expect((error as Error).message).toContain('option sources: unknown source "metadata"');
  });

  it("rejects a source named twice", () => {
    const error = configurationError(creating({ POD_CREDENTIALS_SOURCES: "kube2iam, kube2iam" }));
    expect((error as Error).message).toContain("named twice");
  });

  it.each(["yes", "1", "TRUE please", "on"])(
    "rejects POD_CREDENTIALS_ALLOW_NODE=%s instead of reading it as false",
    (value) => {
      const error = configurationError(creating({ POD_CREDENTIALS_ALLOW_NODE: value }));
      expect(isPodCredentialsError(error, "InvalidConfigurationError")).toBe(true);
      expect((error as Error).message).toContain("POD_CREDENTIALS_ALLOW_NODE: expected true or false");
    },
  );

  it.each(["ten", "-1", "1.5", "99999999999"])("rejects POD_CREDENTIALS_STARTUP_TIMEOUT_MS=%s", (value) => {
    const error = configurationError(creating({ POD_CREDENTIALS_STARTUP_TIMEOUT_MS: value }));
    expect((error as Error).message).toContain("POD_CREDENTIALS_STARTUP_TIMEOUT_MS");
  });

  it("rejects a timeoutMs option that is not a positive whole number", () => {
    const error = configurationError(creating({}, { timeoutMs: 0 }));
    expect((error as Error).message).toContain("option timeoutMs");
  });

  it("rejects an unknown POD_CREDENTIALS_LOG_LEVEL", () => {
    const error = configurationError(() => fromPodProviderChain({ env: { POD_CREDENTIALS_LOG_LEVEL: "loud" } }));
    expect((error as Error).message).toContain('unknown log level "loud"');
  });

  it("rejects a metadata endpoint that is not an http URL", () => {
    const error = configurationError(creating({ AWS_EC2_METADATA_SERVICE_ENDPOINT: "169.254.169.254" }));
    expect((error as Error).message).toContain("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  });

  it("treats blank variables as unset, as Kubernetes manifests often leave them", () => {
    expect(() =>
      creating({
        POD_CREDENTIALS_SOURCES: "",
        POD_CREDENTIALS_ALLOW_NODE: " ",
        POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "",
      })(),
    ).not.toThrow();
  });

  it("warns that static keys in the environment are ignored unless env is a named source", () => {
    const logger = testLogger();
    fromPodProviderChain({ env: { AWS_ACCESS_KEY_ID: "AKIAEXAMPLEKEYID0001" }, logger });
    expect(logger.at("warn")).toEqual([expect.stringContaining("AWS_ACCESS_KEY_ID is set but ignored")]);
    expect(logger.lines.join("\n")).not.toContain("AKIAEXAMPLEKEYID0001");
  });

  it("does not warn about static keys when env is one of the sources", () => {
    const logger = testLogger();
    fromPodProviderChain({ env: { AWS_ACCESS_KEY_ID: "AKIAEXAMPLEKEYID0001" }, sources: ["env"], logger });
    expect(logger.at("warn")).toEqual([]);
  });

  it("warns about an unknown POD_CREDENTIALS_ variable, which is probably a typo", () => {
    const logger = testLogger();
    fromPodProviderChain({ env: { POD_CREDENTIALS_ALOW_NODE: "true" }, logger });
    expect(logger.at("warn")).toEqual([expect.stringContaining("unknown variable POD_CREDENTIALS_ALOW_NODE")]);
  });
});

describe("settings every provider on the defaults shares", () => {
  const settingsOf = (options: Parameters<typeof readSettings>[0]) => readSettings({ logger: noopLogger, ...options });

  it("are one frozen refresh policy, annotations file, source list and empty warning list, whatever env object", () => {
    const [first, second] = [settingsOf({ env: {} }), settingsOf({ env: {} })];
    for (const key of ["refresh", "annotationsFile", "sources", "warnings"] as const) {
      expect(second[key]).toBe(first[key]);
      expect(Object.isFrozen(first[key])).toBe(true);
    }
  });

  it("are the provider's own as soon as an option or its env object changes one of them", () => {
    const base = settingsOf({ env: {} });
    const changed = settingsOf({
      env: { POD_CREDENTIALS_TYPO: "1" },
      refreshBeforeMs: 600_000,
      annotationsFile: "/tmp/annotations",
      sources: ["podIdentity"],
    });
    expect(changed.refresh).not.toBe(base.refresh);
    expect(changed.refresh.refreshBeforeMs).toBe(600_000);
    expect(base.refresh.refreshBeforeMs).toBe(300_000);
    expect(changed.annotationsFile).toEqual({
      value: "/tmp/annotations",
      from: "option annotationsFile",
      explicit: true,
    });
    expect(changed.sources).toEqual(["podIdentity"]);
    expect(changed.warnings).toHaveLength(1);
    expect(base.warnings).toEqual([]);
  });
});
