import type { Logger } from "@smithy/types";
import type { SkippedSource } from "./options.js";

/** A logger that drops everything. Pass it as `logger` to silence the library. */
export const noopLogger: Logger = Object.freeze({
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
});

/** How much the default console logger writes; `POD_CREDENTIALS_LOG_LEVEL` takes the same names. */
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
 * The fields of a log line, for loggers that index them (pino, winston): the facts of the line's message as separate
 * values. Never a secret: no key, token or credential, only names, ARNs, ids and times.
 */
export interface LogFields {
  /** The credential source the line is about. */
  readonly source?: string | undefined;
  /** The role's ARN, when the source says it. */
  readonly roleArn?: string | undefined;
  /** The role's name, when the source gives a name and no ARN (kube2iam, kiam, the instance profile). */
  readonly roleName?: string | undefined;
  /** The account, when the source says it. */
  readonly accountId?: string | undefined;
  /** When the credentials expire, as an ISO 8601 string. */
  readonly expiration?: string | undefined;
  /** The sources skipped before the one that answered, each with its reason. */
  readonly skipped?: readonly SkippedSource[] | undefined;
  /** The name of the error a failure line reports (`CredentialSourceError`, …). */
  readonly error?: string | undefined;
}

/** Marks the fields object the library passes after a line's message, so that `guardLogger` can tell it apart. */
const FIELDS = Symbol("pod-credentials.logFields");
/** Marks a logger made by {@link pinoLogger} or {@link winstonLogger}: only these receive the fields. */
const STRUCTURED = Symbol.for("pod-credentials.structuredLogger");

/** The fields of a log line, tagged for `guardLogger`; fields that are `undefined` are left out. */
export const logFields = (fields: LogFields): LogFields => {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return Object.defineProperty(defined, FIELDS, { value: true, enumerable: false }) as LogFields;
};

const isLogFields = (value: unknown): value is LogFields =>
  typeof value === "object" && value !== null && FIELDS in value;

type Level = "debug" | "info" | "warn" | "error";
type StructuredWrite = (message: string, fields: LogFields | undefined) => unknown;

const structured = (write: (level: Level) => StructuredWrite): Logger => {
  const at =
    (level: Level) =>
    (...content: unknown[]): unknown => {
      const last = content.at(-1);
      const fields = isLogFields(last) ? last : undefined;
      const words = (fields ? content.slice(0, -1) : content).map((part) => String(part));
      return write(level)(words.join(" "), fields);
    };
  return Object.defineProperty(
    { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
    STRUCTURED,
    {
      value: true,
    },
  );
};

/** A logger with pino's calling convention: the fields object first, then the message. */
export interface PinoLikeLogger {
  /** Logs at debug. */
  debug(fields: object, message: string): unknown;
  /** Logs at info. */
  info(fields: object, message: string): unknown;
  /** Logs at warn. */
  warn(fields: object, message: string): unknown;
  /** Logs at error. */
  error(fields: object, message: string): unknown;
}

/**
 * Adapts a pino logger (or any logger that takes the fields object first, then the message): every line the library
 * logs arrives as `logger.info({ source, roleArn, accountId, expiration, skipped }, message)`, so the fields are
 * indexed as pino's own. Lines without fields arrive as `logger.info({}, message)`.
 *
 * @example
 * ```ts
 * import pino from "pino";
 * import { fromPodProviderChain, pinoLogger } from "pod-credentials";
 * const credentials = fromPodProviderChain({ logger: pinoLogger(pino()) });
 * ```
 */
export const pinoLogger = (logger: PinoLikeLogger): Logger =>
  structured((level) => (message, fields) => logger[level]({ ...fields }, message));

/** A logger with winston's calling convention: the message first, then an object of fields (winston's meta). */
export interface WinstonLikeLogger {
  /** Logs at debug. */
  debug(message: string, fields: object): unknown;
  /** Logs at info. */
  info(message: string, fields: object): unknown;
  /** Logs at warn. */
  warn(message: string, fields: object): unknown;
  /** Logs at error. */
  error(message: string, fields: object): unknown;
}

/**
 * Adapts a winston logger (or any logger that takes the message first, then an object of fields): every line arrives
 * as `logger.info(message, { source, roleArn, accountId, expiration, skipped })`, which winston merges into the log
 * entry. Lines without fields arrive as `logger.info(message, {})`.
 *
 * @example
 * ```ts
 * import winston from "winston";
 * import { fromPodProviderChain, winstonLogger } from "pod-credentials";
 * const credentials = fromPodProviderChain({ logger: winstonLogger(winston.createLogger()) });
 * ```
 */
export const winstonLogger = (logger: WinstonLikeLogger): Logger =>
  structured((level) => (message, fields) => logger[level](message, { ...fields }));

/** A copy of `fields` with every text through `redact`: the fields leave the provider like its lines do. */
const redactFields = (fields: LogFields, redact: (text: string) => string): LogFields => {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    copy[key] =
      typeof value === "string"
        ? redact(value)
        : Array.isArray(value)
          ? value.map(({ source, reason }: SkippedSource) => ({ source, reason: redact(reason) }))
          : value;
  }
  return logFields(copy);
};

/**
 * The user's logger, made safe to call: a method that throws, rejects or is missing never changes what the provider
 * returns and never crashes the process. The first failure is reported once, as a process warning (code
 * `POD_CREDENTIALS_LOGGER_FAILED`): the logger itself cannot be trusted to say it. Every line goes through `redact`,
 * and so do the fields that may follow it.
 */
export const guardLogger = (logger: Logger, redact: (text: string) => string = (text) => text): Logger =>
  new GuardedLogger(logger, redact);

// A class rather than four closures: every provider holds one, and its methods live once on the prototype.
class GuardedLogger implements Logger {
  #reported = false;
  readonly #logger: Logger;
  readonly #redact: (text: string) => string;

  constructor(logger: Logger, redact: (text: string) => string) {
    this.#logger = logger;
    this.#redact = redact;
  }

  debug(...content: unknown[]): void {
    this.#at("debug", content);
  }
  info(...content: unknown[]): void {
    this.#at("info", content);
  }
  warn(...content: unknown[]): void {
    this.#at("warn", content);
  }
  error(...content: unknown[]): void {
    this.#at("error", content);
  }

  #at(level: "debug" | "info" | "warn" | "error", content: unknown[]): void {
    // Nothing to redact for a logger that drops everything.
    if (this.#logger === noopLogger) return;
    try {
      const method = (this.#logger as Partial<Logger>)[level];
      // The fields go only to a logger that asked for them (pinoLogger, winstonLogger); any other gets the message.
      const last = content.at(-1);
      const fields = isLogFields(last) ? redactFields(last, this.#redact) : undefined;
      const words = fields ? content.slice(0, -1) : content;
      const lines = words.map((item) => (typeof item === "string" ? this.#redact(item) : item));
      if (fields && STRUCTURED in this.#logger) lines.push(fields);
      const returned: unknown = typeof method === "function" ? method.apply(this.#logger, lines) : undefined;
      if (returned instanceof Promise) returned.catch((error: unknown) => this.#failed(level, error));
    } catch (error) {
      this.#failed(level, error);
    }
  }

  #failed(level: string, error: unknown): void {
    if (this.#reported) return;
    this.#reported = true;
    const name = error instanceof Error ? error.name : typeof error;
    process.emitWarning(`pod-credentials: the logger's ${level}() failed (${name}); its lines are dropped`, {
      code: "POD_CREDENTIALS_LOGGER_FAILED",
    });
  }
}

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

/**
 * Characters that must never reach a terminal or a log line from text we did not write: C0 and C1 controls (ESC
 * sequences, CR/LF that would forge a log line), DEL, and the bidirectional overrides and isolates that reorder
 * what a reader sees.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;

/** The values of credential fields in a JSON or XML answer (IMDS, the agent, STS): secrets even in an error body. */
const CREDENTIAL_FIELDS =
  /("(?:AccessKeyId|SecretAccessKey|Token|SessionToken)"\s*:\s*")([^"]*)(")|(<(?:AccessKeyId|SecretAccessKey|SessionToken)>)([^<]*)(<\/)/g;

/** `scheme://user:password@host`: the user information of any URL in a text. */
const URL_USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/**
 * Text we did not write (an answer's body, a declared role, an SDK's message), made safe to quote in one line:
 * credential fields and URL user information redacted, unsafe characters replaced by a space, then the length
 * capped; redaction always comes before the cut, so a cut never leaves half a secret.
 */
export const quoteRemoteText = (text: string, maxLength = 400): string => {
  const safe = text
    .replace(CREDENTIAL_FIELDS, (_match, ...groups: (string | undefined)[]) =>
      groups[0] !== undefined ? `${groups[0]}[redacted]${groups[2]}` : `${groups[3]}[redacted]${groups[5]}`,
    )
    .replace(URL_USER_INFO, "$1")
    .replace(UNSAFE_CHARACTERS, " ")
    .trim();
  return safe.length > maxLength ? `${safe.slice(0, maxLength)}…` : safe;
};

/** The length of a run of a secret that is redacted wherever it appears, even cut out of the secret. */
const SECRET_RUN = 16;

/**
 * How many secrets a {@link Redactor} remembers for good: those of the last few resolutions' credentials (tokens read
 * during a resolution are only held for it, see {@link Redactor.hold}).
 */
export const REMEMBERED_SECRETS = 24;

/** What a {@link Redactor} holds before it knows a secret: one empty list for every provider. */
const NO_SECRETS: readonly string[] = Object.freeze([]);

/**
 * The one redaction step every text a provider puts out goes through (errors, log lines, events, `describe()`):
 * every secret it knows (credentials it obtained; tokens while a resolution reads and sends them), each segment of a
 * JWT, and any run of 16 characters of a secret are replaced by `[redacted]`; URL user information is removed; unsafe
 * characters become spaces.
 */
export class Redactor {
  // Whole secrets only, in an array of exactly their number (a provider holds a handful, added once per resolution:
  // a Set's table, or an array grown by push, reserves room for 16). Their JWT segments are derived when a text is
  // redacted: kept as segments, each was a slice of its own flat copy of the token, which doubled what a provider
  // holds (measured by the bench's footprint scenario).
  #secrets: readonly string[] = NO_SECRETS;
  /** Secrets remembered only until {@link Redactor.release}: those held only while a resolution runs. */
  #held: readonly string[] = NO_SECRETS;

  /**
   * Remembers secrets: each value of 8 characters or more (and, when a text is redacted, its JWT segments), the
   * {@link REMEMBERED_SECRETS} most recent of them. A provider adds a few at every refresh; remembering all of them
   * grew a long-lived provider by about 0.5 KB an hour, for secrets long expired that no output of a later
   * resolution can hold.
   */
  add(...values: readonly (string | undefined)[]): void {
    for (const value of values) {
      if (value !== undefined && value.length >= 8 && !this.#secrets.includes(value)) {
        this.#secrets = this.#secrets.concat(value).slice(-REMEMBERED_SECRETS);
      }
    }
  }

  /**
   * Remembers a secret until the next {@link Redactor.release}: for a secret that is held only for a while (a token
   * read from its file for one request), so that the redactor does not keep it alive longer than its holder.
   */
  hold(value: string): void {
    if (value.length >= 8 && !this.#held.includes(value)) this.#held = this.#held.concat(value);
  }

  /** Forgets the secrets given to {@link Redactor.hold}. */
  release(): void {
    this.#held = NO_SECRETS;
  }

  #known(): readonly string[] {
    return this.#held.length === 0 ? this.#secrets : this.#secrets.concat(this.#held);
  }

  /** Every whole secret and every JWT segment of 8 characters or more, longest first (so a longer one goes first). */
  #wholeSecrets(secrets: readonly string[]): string[] {
    const all = new Set<string>();
    for (const secret of secrets) {
      all.add(secret);
      if (secret.includes(".")) for (const part of secret.split(".")) if (part.length >= 8) all.add(part);
    }
    return [...all].sort((a, b) => b.length - a.length);
  }

  /** A text as it may leave the provider. */
  text(text: string): string {
    return this.#secretsOut(text.replace(URL_USER_INFO, "$1").replace(UNSAFE_CHARACTERS, " "));
  }

  /**
   * A quick test that is never wrong when it says no: any run of 16 characters contains a whole block of 8 that
   * starts at a multiple of 8 in `text`, so a text none of whose aligned blocks occurs in a secret holds no run. It
   * keeps the character-by-character search below (milliseconds for a log line against a long session token) for
   * the texts that may need it.
   */
  #mayHoldSecretRun(text: string, secrets: readonly string[]): boolean {
    const half = SECRET_RUN / 2;
    for (let start = 0; start + half <= text.length; start += half) {
      const block = text.slice(start, start + half);
      for (const secret of secrets) if (secret.includes(block)) return true;
    }
    return false;
  }

  /** Whether the 16 characters of `text` from `index` on are a run of a remembered secret. */
  #isSecretRun(text: string, index: number, secrets: readonly string[]): boolean {
    if (index + SECRET_RUN > text.length) return false;
    const window = text.slice(index, index + SECRET_RUN);
    for (const secret of secrets) if (secret.includes(window)) return true;
    return false;
  }

  // Runs are looked up in the secrets themselves rather than kept in a set: a session token of 1,000 characters has
  // about 1,000 runs, and a set of them cost each provider some 80 KB (measured by the bench's footprint scenario).
  #secretsOut(text: string): string {
    const secrets = this.#known();
    let result = text.replace(URL_USER_INFO, "$1");
    for (const secret of this.#wholeSecrets(secrets)) {
      if (result.includes(secret)) result = result.split(secret).join("[redacted]");
    }
    if (secrets.length === 0 || result.length < SECRET_RUN || !this.#mayHoldSecretRun(result, secrets)) return result;
    // Plain text is copied in slices, not character by character: a string built one character at a time is a chain
    // of one heap object per character, and describe() keeps such strings for the provider's lifetime.
    let out = "";
    let plainFrom = 0;
    for (let index = 0; index < result.length; ) {
      if (this.#isSecretRun(result, index, secrets)) {
        // Extend over the whole run of secret characters, so that no tail of it is left.
        let end = index + SECRET_RUN;
        while (end < result.length && this.#isSecretRun(result, end - SECRET_RUN + 1, secrets)) end++;
        out += `${result.slice(plainFrom, index)}[redacted]`;
        index = end;
        plainFrom = end;
      } else {
        index++;
      }
    }
    return plainFrom === 0 ? result : out + result.slice(plainFrom);
  }

  /** An error as it may leave the provider: its message, fix and the fields that name what it is about, redacted. */
  error<E>(error: E): E {
    if (!(error instanceof Error)) return error;
    const fields = error as unknown as Record<string, unknown>;
    for (const key of ["message", "fix", "target", "endpoint", "expectedRole", "offeredRole"]) {
      if (typeof fields[key] === "string") {
        Object.defineProperty(error, key, { value: this.text(fields[key]), writable: true, configurable: true });
      }
    }
    if (typeof error.stack === "string") {
      // The stack starts with the message and may span lines: only secrets are removed, the lines are kept.
      Object.defineProperty(error, "stack", {
        value: this.#secretsOut(error.stack),
        writable: true,
        configurable: true,
      });
    }
    if (error.cause !== undefined && error.cause !== error) this.error(error.cause);
    return error;
  }
}

/** A URL as it may appear in logs and errors: no user name, password, query or fragment (they can hold secrets). */
export const displayUrl = (url: URL | string): string => {
  const parsed = typeof url !== "string" ? url : URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed) return "(an invalid URL)";
  // "user:password@host" parses as a URL with the scheme "user:": only http(s) URLs are shown, nothing else is.
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `(a ${parsed.protocol} URL, not shown)`;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
};
