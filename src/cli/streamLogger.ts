// The commands' logger: one line per call on standard error, from a level up, so that standard output carries only
// what a script reads (the credential_process document, serve's ready line).
import type { Logger } from "@smithy/types";
import type { LogLevel } from "../base/logging.js";
import { type Environment, readSetting } from "../base/settings.js";

type Level = Exclude<LogLevel, "silent">;
const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

/** `POD_CREDENTIALS_LOG_LEVEL` when set (an unknown level throws `InvalidConfigurationError`), else `fallback`. */
export const logLevelOf = (env: Environment, fallback: LogLevel): LogLevel =>
  readSetting("logger", {}, env)?.value ?? fallback;

/**
 * Writes `<ISO time> <level> <text>` lines to `stream` from `level` up; `drop` names levels never written (the
 * command reports those itself). Whether debug is on is a property, so that a hot path builds no line it drops.
 */
export const streamLogger = (
  stream: { write(text: string): unknown },
  level: LogLevel,
  drop: readonly Level[] = [],
): Logger & { readonly debugEnabled: boolean } => {
  const from = LEVELS.indexOf(level);
  const at = (name: Level) =>
    LEVELS.indexOf(name) >= from && !drop.includes(name)
      ? (...content: unknown[]) => {
          stream.write(`${new Date().toISOString()} ${name} ${content.map(String).join(" ")}\n`);
        }
      : () => {};
  return {
    debugEnabled: LEVELS.indexOf("debug") >= from,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
};
