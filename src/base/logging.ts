import type { Logger } from "@smithy/types";

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

/**
 * The user's logger, made safe to call: a method that throws, rejects or is missing never changes what the provider
 * returns and never crashes the process. The first failure is reported once, as a process warning (code
 * `POD_CREDENTIALS_LOGGER_FAILED`): the logger itself cannot be trusted to say it.
 */
export const guardLogger = (logger: Logger): Logger => {
  let reported = false;
  const failed = (level: string, error: unknown) => {
    if (reported) return;
    reported = true;
    const name = error instanceof Error ? error.name : typeof error;
    process.emitWarning(`pod-credentials: the logger's ${level}() failed (${name}); its lines are dropped`, {
      code: "POD_CREDENTIALS_LOGGER_FAILED",
    });
  };
  const at =
    (level: "debug" | "info" | "warn" | "error") =>
    (...content: unknown[]): void => {
      try {
        const method = (logger as Partial<Logger>)[level];
        const returned: unknown = typeof method === "function" ? method.apply(logger, content) : undefined;
        if (returned instanceof Promise) returned.catch((error: unknown) => failed(level, error));
      } catch (error) {
        failed(level, error);
      }
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
};

/**
 * Replaces every occurrence of each secret in `text` with `[redacted]`: the last line of defence for text that comes
 * from elsewhere (an STS error, a proxy's error body) before it goes into an error or a log line. Secrets shorter
 * than 4 characters are ignored: they would redact ordinary words.
 */
export const redactSecrets = (text: string, secrets: readonly (string | undefined)[]): string => {
  let result = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) result = result.split(secret).join("[redacted]");
  }
  return result;
};

/** Text from a remote server, made safe to quote in one line: control characters removed, length capped. */
export const quoteRemoteText = (text: string, maxLength = 400): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return oneLine.length > maxLength ? `${oneLine.slice(0, maxLength)}…` : oneLine;
};

/** A URL as it may appear in logs and errors: no user name, password, query or fragment (they can hold secrets). */
export const displayUrl = (url: URL | string): string => {
  const parsed = typeof url !== "string" ? url : URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed) return "(an invalid URL)";
  // "user:password@host" parses as a URL with the scheme "user:": only http(s) URLs are shown, nothing else is.
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `(a ${parsed.protocol} URL, not shown)`;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
};
