// Only the boolean true opts into anything, and an option of the wrong type is refused when the provider is created,
// naming the option: a JavaScript caller's "false" never turns node credentials on, and a wrong logger, handler or
// environment never surfaces later as a crash.
import { describe, expect, it } from "vitest";
import { fromPodProviderChain, type PodProviderChainOptions } from "../../src/index.js";
import { testLogger } from "../support/leakCheck.js";

const refusal = (options: Record<string, unknown>): unknown => {
  try {
    fromPodProviderChain({ env: {}, logger: testLogger(), ...options } as PodProviderChainOptions);
  } catch (error) {
    return error;
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
};

describe("opting in to node credentials", () => {
  it.each(["false", "no", "0", "true", 1, {}, [], null])("is refused for allowNodeCredentials: %j", (value) => {
    expect(refusal({ allowNodeCredentials: value })).toMatchObject({
      name: "InvalidConfigurationError",
      setting: "option allowNodeCredentials",
      message: "option allowNodeCredentials: expected true or false. Fix: pass allowNodeCredentials as true or false.",
    });
  });

  it("takes the boolean true, and the boolean false", () => {
    expect(() => fromPodProviderChain({ env: {}, allowNodeCredentials: true, logger: testLogger() })).not.toThrow();
    expect(() => fromPodProviderChain({ env: {}, allowNodeCredentials: false, logger: testLogger() })).not.toThrow();
  });
});

describe("an option of the wrong type", () => {
  it.each<[string, unknown, string]>([
    ["timeoutMs", "1000", "option timeoutMs: expected a whole number of milliseconds from 1 to 60000."],
    ["refreshJitter", "0.5", "option refreshJitter: expected a number from 0.2 to 1."],
    ["sources", "webIdentity", "option sources: no source is named."],
    ["sources", ["webIdentity", 7], 'option sources: unknown source "7".'],
    ["roleArn", 42, "option roleArn: expected a string."],
    ["metadataEndpoint", { href: "http://x" }, "option metadataEndpoint: expected a string."],
    ["logger", console.log, "option logger: expected an object with debug, info, warn and error functions."],
    ["logger", { info: () => {} }, "option logger: expected an object with debug, info, warn and error functions."],
    ["onEvent", "metrics", "option onEvent: expected a function."],
    ["env", "PATH=/bin", "option env: expected an object of variable names to strings."],
    ["region", 1, "option region: expected a string."],
  ])("%s: %j is refused at creation", (name, value, message) => {
    const error = refusal({ [name]: value }) as Error;
    expect(error.name).toBe("InvalidConfigurationError");
    expect(error.message.startsWith(message)).toBe(true);
  });
});
