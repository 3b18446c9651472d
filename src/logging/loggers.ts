import type { Logger } from "@smithy/types";
import { InvalidConfigurationError } from "../errors/InvalidConfigurationError.js";

/**
 * A logger that drops everything. Pass it as `logger` to silence the library.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain, noopLogger } from "pod-credentials";
 * const credentials = fromPodProviderChain({ logger: noopLogger });
 * ```
 */
export const noopLogger: Logger = Object.freeze({
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
});

/**
 * How much the default console logger writes; `POD_CREDENTIALS_LOG_LEVEL` takes the same names.
 *
 * @example
 * ```ts
 * import { consoleLogger, type LogLevel } from "pod-credentials";
 * const level: LogLevel = "warn";
 * const logger = consoleLogger(level);
 * ```
 */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

/** Parses a `POD_CREDENTIALS_LOG_LEVEL` value. */
export const parseLogLevel = (from: string, text: string): LogLevel => {
  const level = text.trim().toLowerCase();
  if ((LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new InvalidConfigurationError(from, `unknown log level "${text}".`, `use one of ${LEVELS.join(", ")}.`);
};

/**
 * A logger that writes to the console (`console.debug`, `info`, `warn`, `error`, so to standard error for warn and
 * error) from `level` up.
 *
 * @example
 * ```ts
 * import { consoleLogger, fromPodProviderChain } from "pod-credentials";
 * const credentials = fromPodProviderChain({ logger: consoleLogger("debug") });
 * ```
 */
export const consoleLogger = (level: LogLevel = "info"): Logger => {
  const from = LEVELS.indexOf(level);
  const at = (name: Exclude<LogLevel, "silent">) =>
    LEVELS.indexOf(name) >= from ? (...content: unknown[]) => console[name](...content) : () => {};
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
};
