// The default console logger and POD_CREDENTIALS_LOG_LEVEL: which levels reach the console, and what is refused.
import { describe, expect, it, vi } from "vitest";
import { consoleLogger, type LogLevel, noopLogger } from "../../src/base/logging.js";
import { readSettings } from "../../src/base/settings.js";

const parseLogLevel = (variable: string, text: string) => readSettings({ env: { [variable]: text } }).logLevel;

const LEVELS = ["debug", "info", "warn", "error"] as const;

/** Logs one line at every level through `consoleLogger(level)` and returns the console methods that received one. */
const written = (level?: LogLevel): string[] => {
  const spies = LEVELS.map((name) => [name, vi.spyOn(console, name).mockImplementation(() => {})] as const);
  const logger = level === undefined ? consoleLogger() : consoleLogger(level);
  for (const name of LEVELS) logger[name](`${name} line`, { detail: 1 });
  return spies.flatMap(([name, spy]) => {
    if (spy.mock.calls.length === 0) return [];
    expect(spy.mock.calls).toEqual([[`${name} line`, { detail: 1 }]]);
    return [name];
  });
};

describe("consoleLogger", () => {
  it.each([
    ["debug", ["debug", "info", "warn", "error"]],
    ["info", ["info", "warn", "error"]],
    ["warn", ["warn", "error"]],
    ["error", ["error"]],
    ["silent", []],
  ] as const)("at %s writes from that level up, each to the console method of its level", (level, expected) => {
    expect(written(level)).toEqual(expected);
  });

  it("writes from info up by default", () => {
    expect(written()).toEqual(["info", "warn", "error"]);
  });

  it("noopLogger writes nothing and cannot be changed", () => {
    const spies = LEVELS.map((name) => vi.spyOn(console, name).mockImplementation(() => {}));
    for (const name of LEVELS) noopLogger[name]("dropped");
    expect(spies.every((spy) => spy.mock.calls.length === 0)).toBe(true);
    expect(Object.isFrozen(noopLogger)).toBe(true);
  });
});

describe("POD_CREDENTIALS_LOG_LEVEL", () => {
  it.each([
    ["debug", "debug"],
    [" WARN ", "warn"],
    ["Silent", "silent"],
  ])("reads %j as %s, whatever the case and surrounding spaces", (text, level) => {
    expect(parseLogLevel("POD_CREDENTIALS_LOG_LEVEL", text)).toBe(level);
  });

  it("refuses an unknown level, naming the setting and the levels it takes", () => {
    expect(() => parseLogLevel("POD_CREDENTIALS_LOG_LEVEL", "verbose")).toThrow(
      expect.objectContaining({
        name: "InvalidConfigurationError",
        setting: "POD_CREDENTIALS_LOG_LEVEL",
        message:
          'POD_CREDENTIALS_LOG_LEVEL: unknown log level "verbose". Fix: use one of debug, info, warn, error, silent.',
      }),
    );
  });
});
