// `pod-credentials serve`: a container-credentials endpoint on loopback for the pod's other containers, which share
// its network namespace. Every AWS SDK and CLI reads it through AWS_CONTAINER_CREDENTIALS_FULL_URI and
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE. One pinned, refreshing provider answers every request. Also what the
// commands share: their streams, their standard-error logger, their failure line.
import * as crypto from "node:crypto";
import { once } from "node:events";
import { constants } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import type { Logger } from "@smithy/types";
import { PodCredentialsError } from "../base/errors.js";
import { type LogLevel, quoteRemoteText } from "../base/logging.js";
import type { PodCredentialsDescription } from "../base/options.js";
import { type Environment, readSetting } from "../base/settings.js";
import { fromPodProviderChain, type PodCredentialProvider } from "../chain/fromPodProviderChain.js";

/** The streams and environment of one command run; `onShutdown` calls `stop` on SIGTERM or SIGINT (main.ts). */
export interface CommandIo {
  readonly env: Environment;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly onShutdown?: ((stop: () => void) => void) | undefined;
}

/** `Name: message`, never a stack trace: it helps nobody at 3 a.m. and could quote data. */
export const errorLine = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The command's own failure line on standard error; exit 2, as the doctor's "no pod-scoped credentials". */
export const failed = (io: CommandIo, command: string, error: unknown): number => {
  io.stderr.write(`pod-credentials ${command}: ${errorLine(error)}\n`);
  return 2;
};

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

/**
 * The commands' logger: `<ISO time> <level> <text>` lines on standard error from `POD_CREDENTIALS_LOG_LEVEL` (an
 * unknown level throws `InvalidConfigurationError`), else `fallback`, up; `drop` names levels the command reports
 * itself. Whether debug is on is a property, so that a hot path builds no line it drops.
 */
export const streamLogger = (
  io: Pick<CommandIo, "env" | "stderr">,
  fallback: LogLevel,
  drop: readonly LogLevel[] = [],
): Logger & { readonly debugEnabled: boolean } => {
  const from = LEVELS.indexOf(readSetting("logger", {}, io.env)?.value ?? fallback);
  const at = (name: Exclude<LogLevel, "silent">) =>
    LEVELS.indexOf(name) >= from && !drop.includes(name)
      ? (...content: unknown[]) => {
          io.stderr.write(`${new Date().toISOString()} ${name} ${content.map(String).join(" ")}\n`);
        }
      : () => {};
  return { debugEnabled: from === 0, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
};

/** An ISO 8601 time in whole seconds, as AWS writes expirations (`2030-01-01T00:00:00Z`). */
export const awsTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/** Where the credentials are served; the full URI the other containers get ends with it. */
export const CREDENTIALS_PATH = "/v1/credentials";
/** A port nothing common uses, so that a manifest can name the URL before the pod starts. */
const DEFAULT_LISTEN = "127.0.0.1:9911";
/** The folder of an `emptyDir` volume shared by the containers of the pod (docs/serving-the-pod.md). */
const DEFAULT_TOKEN_FILE = "/var/run/pod-credentials/token";
/** 32 random bytes, base64url: 43 characters an HTTP header carries as they are. */
const TOKEN_BYTES = 32;
/** A shorter token given by an operator is refused: it could be guessed. */
const MIN_TOKEN_LENGTH = 16;
/** Visible ASCII: what every SDK sends verbatim (they read the file as it is, and refuse CR and LF). */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;
/** After SIGTERM, requests in flight get this long to finish before their connections are closed. */
const SHUTDOWN_GRACE_MS = 5_000;
/** While a refresh fails, the provider is asked again this often (cached credentials are served meanwhile). */
const REFRESH_RETRY_MS = 1_000;
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where `serve` listens: loopback only. */
export type ListenAddress = { readonly host: "127.0.0.1" | "::1"; readonly port: number };

/**
 * `127.0.0.1:PORT` or `[::1]:PORT` (port 0 picks a free one); anything else is a usage error, returned as its text.
 * Other containers of the pod reach loopback; nothing outside the pod does.
 */
export const parseListen = (text: string): ListenAddress | string => {
  const match = /^(127\.0\.0\.1|\[::1\]):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65_535) {
    return `--listen takes 127.0.0.1:PORT or [::1]:PORT (loopback only: the pod's other containers share its network namespace), not "${text}".`;
  }
  return { host: match[1] === "127.0.0.1" ? "127.0.0.1" : "::1", port };
};

const tokenFileError = (problem: string, fix: string) => new PodCredentialsError(`[serve] ${problem}`, { fix });

/** An existing path that is no readable file (a folder, a link to nothing): serve's error, not Node's. */
const unreadable =
  (path: string) =>
  (error: unknown): never => {
    const code = (error as NodeJS.ErrnoException).code;
    throw tokenFileError(
      `Cannot read the token file ${path} (${code ?? String(error)}).`,
      "point --token-file at a file, or remove what is at that path and let serve create the token there.",
    );
  };

/**
 * The token every request must carry. An existing file is used as it is (the SDKs send its content verbatim, so it
 * must be one line of visible ASCII, without a final newline), unless others than its owner and group can read or
 * write it. A missing file is created, exclusively, with 32 random bytes in base64url, mode 0600.
 */
export const loadOrCreateToken = async (path: string): Promise<{ token: string; created: boolean }> => {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") {
      throw tokenFileError(
        `Cannot create the token file ${path} (${code ?? String(error)}).`,
        "mount a writable emptyDir volume at its folder, shared with the containers that read the token, or pass --token-file with a path there.",
      );
    }
  }
  if (handle) {
    const token = crypto.randomBytes(TOKEN_BYTES).toString("base64url");
    try {
      await handle.writeFile(token);
    } finally {
      await handle.close();
    }
    return { token, created: true };
  }
  const info = await stat(path).catch(unreadable(path));
  if ((info.mode & 0o007) !== 0) {
    throw tokenFileError(
      `The token file ${path} can be read or written by any user (mode ${(info.mode & 0o777).toString(8)}).`,
      "make it readable by its owner and group only (chmod 600, or 640 with a shared fsGroup; defaultMode: 0440 for a Secret volume), or remove it and let serve create one.",
    );
  }
  const token = await readFile(path, "utf8").catch(unreadable(path));
  if (!TOKEN_CHARACTERS.test(token) || token.length < MIN_TOKEN_LENGTH) {
    throw tokenFileError(
      `The token file ${path} must hold one token of at least ${MIN_TOKEN_LENGTH} visible ASCII characters and nothing else (the AWS SDKs send its content as the Authorization header, as it is; a final newline makes them fail).`,
      "write the token without a newline (printf '%s' \"$TOKEN\" > FILE), or remove the file and let serve create one.",
    );
  }
  return { token, created: false };
};

/** What {@link startServing} needs. */
export interface ServeOptions {
  readonly listen: ListenAddress;
  readonly tokenFile: string;
  readonly env: Environment;
  /** The provider's logger, and the access log (debug). */
  readonly logger: Logger & { readonly debugEnabled?: boolean };
}

/** A running endpoint. */
export interface Serving {
  /** The full URI for AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  readonly url: string;
  /** The token file for AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE. */
  readonly tokenFile: string;
  /** Whether serve created the token file. */
  readonly createdTokenFile: boolean;
  /** Settles with the first resolution: the description, or the chain's error. */
  readonly ready: Promise<PodCredentialsDescription>;
  /** Stops accepting connections, lets requests in flight finish (up to 5 s), and stops refreshing. */
  close(): Promise<void>;
}

/** One-shot `crypto.hash` where Node.js has it (20.12 and later): no Hash object per request. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "buffer") => Buffer }).hash;
const sha256 = (text: string): Buffer =>
  oneShot ? oneShot("sha256", text, "buffer") : crypto.createHash("sha256").update(text).digest();

/** A JSON answer in the error shape the AWS SDKs read from a container-credentials endpoint (`Code`, `Message`). */
const answer = (response: ServerResponse, status: number, body: string, closing: boolean, length?: number): void => {
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": length ?? Buffer.byteLength(body),
    "Cache-Control": "no-store",
    ...(closing ? { Connection: "close" } : {}),
  });
  response.end(body);
};
const failure = (code: string, message: string) => JSON.stringify({ Code: code, Message: message });
/** The chain's error as an answer: its name and message, which never hold a secret. */
const errorBody = (error: unknown) =>
  error instanceof Error ? failure(error.name, error.message) : failure("Error", String(error));

const KNOWN_PATHS = new Set([CREDENTIALS_PATH, "/healthz", "/readyz"]);

/**
 * Starts the endpoint: reads or creates the token, creates the provider (a bad configuration throws here), listens,
 * and starts the first resolution, which requests arriving meanwhile share. The caller awaits `ready`.
 */
export const startServing = async (options: ServeOptions): Promise<Serving> => {
  const { logger } = options;
  const { token, created } = await loadOrCreateToken(options.tokenFile);
  const expected = sha256(token);
  const provider: PodCredentialProvider = fromPodProviderChain({ env: options.env, logger });

  // The document is built once per set of credentials, and served without asking the provider until the provider's
  // planned refresh time: the hot path is a clock read, a comparison and a write. From that time on, each request
  // goes through the provider (which refreshes in the background and never returns expired credentials), as does the
  // refresh timer below, even with no request coming in.
  let served: { credentials: object; body: string; length: number; freshUntil: number } | undefined;
  const documentOf = (credentials: Awaited<ReturnType<PodCredentialProvider>>): string => {
    if (served?.credentials !== credentials) {
      const description = provider.describe();
      const body = JSON.stringify({
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        Token: credentials.sessionToken,
        Expiration: credentials.expiration === undefined ? undefined : awsTime(credentials.expiration),
        ...(description?.roleArn === undefined ? {} : { RoleArn: description.roleArn }),
      });
      const freshUntil = description?.nextRefreshAt?.getTime() ?? credentials.expiration?.getTime() ?? Infinity;
      served = { credentials, body, length: Buffer.byteLength(body), freshUntil };
    }
    return served.body;
  };

  /** Why a request for credentials gets none: no token (401), a wrong one (403), not a GET (405). */
  const refusal = (given: string | undefined, method: string | undefined): [number, string] | undefined => {
    if (given === undefined || given === "") {
      const fix = "Fix: set AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE to the token file serve printed.";
      return [401, failure("MissingAuthorization", `The request has no Authorization header. ${fix}`)];
    }
    // Equal-length digests, compared in constant time: neither the token's length nor its prefix leaks.
    if (!crypto.timingSafeEqual(sha256(given), expected)) {
      const fix = "Fix: read the token from the file serve printed.";
      return [403, failure("AccessDenied", `The Authorization header does not match the token. ${fix}`)];
    }
    return method === "GET" ? undefined : [405, failure("MethodNotAllowed", "Use GET.")];
  };

  let closing = false;
  const logging = options.logger.debugEnabled !== false;
  const accessLog = (request: IncomingMessage, path: string, status: number, started: number) => {
    if (!logging) return;
    // A path we do not serve is the client's text: quoted safely, never a query (it could hold anything).
    const shown = KNOWN_PATHS.has(path) ? path : JSON.stringify(quoteRemoteText(path, 100));
    const ms = (performance.now() - started).toFixed(1);
    logger.debug(`pod-credentials serve: ${request.method} ${shown} ${status} ${ms} ms`);
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const started = logging ? performance.now() : 0;
    const url = request.url ?? "/";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    const reply = (status: number, body: string, length?: number) => {
      answer(response, status, body, closing, length);
      accessLog(request, path, status, started);
    };
    if (path === "/healthz") return reply(200, '{"status":"ok"}');
    if (path === "/readyz") {
      provider.ready().then(
        (description) =>
          reply(200, JSON.stringify({ status: "ready", source: description.source, roleArn: description.roleArn })),
        (error: unknown) => reply(503, errorBody(error)),
      );
      return;
    }
    if (path !== CREDENTIALS_PATH)
      return reply(404, failure("NotFound", `Credentials are served at ${CREDENTIALS_PATH}.`));
    const refused = refusal(request.headers.authorization, request.method);
    if (refused) return reply(refused[0], refused[1]);
    if (served !== undefined && Date.now() < served.freshUntil) return reply(200, served.body, served.length);
    provider().then(
      (credentials) => {
        // The provider never returns expired credentials; this guards the time between its answer and ours.
        if (credentials.expiration !== undefined && credentials.expiration.getTime() <= Date.now()) {
          return reply(503, failure("ExpiredCredentials", "The credentials expired; a refresh is under way."));
        }
        reply(200, documentOf(credentials));
      },
      (error: unknown) => reply(503, errorBody(error)),
    );
  };

  const server = createServer(handle);
  server.listen(options.listen.port, options.listen.host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const host = options.listen.host === "::1" ? "[::1]" : options.listen.host;

  // Refresh ahead even when no request comes: /readyz stays true and no client waits at the refresh time.
  let timer: NodeJS.Timeout | undefined;
  const keepFresh = () => {
    if (closing) return;
    const next = provider.describe()?.nextRefreshAt?.getTime();
    if (next === undefined) return; // credentials that never expire
    const delay = Math.min(MAX_TIMER_MS, Math.max(REFRESH_RETRY_MS, next - Date.now()));
    timer = setTimeout(refresh, delay);
  };
  // A failure is the provider's to report (its log lines and events); requests get it too.
  const refresh = () =>
    provider()
      .then(documentOf)
      .catch(() => {})
      .finally(keepFresh);
  const ready = provider.ready();
  ready.then(refresh, () => {});

  return {
    url: `http://${host}:${port}${CREDENTIALS_PATH}`,
    tokenFile: options.tokenFile,
    createdTokenFile: created,
    ready,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        clearTimeout(timer);
        const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
};

/** Quotes a path for a POSIX shell when it holds anything but the characters every path-safe name uses. */
const shellWord = (text: string): string => (/^[\w./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`);

/**
 * The ready line: both variables, so that a script can `export` them (`export $(head -1 out)` for plain paths, or
 * `eval "export $(head -1 out)"` when the token file's path needs quoting).
 */
export const readyLine = (serving: Pick<Serving, "url" | "tokenFile">): string =>
  `AWS_CONTAINER_CREDENTIALS_FULL_URI=${serving.url} AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=${shellWord(serving.tokenFile)}\n`;

const USAGE = `Usage: pod-credentials serve [--listen 127.0.0.1:PORT] [--token-file FILE]

Serves this pod's credentials to the pod's other containers, as a container-credentials endpoint on loopback
(the guide, serving-the-pod.md, is linked from pod-credentials --help). When ready, prints AWS_CONTAINER_CREDENTIALS_FULL_URI=<url> and
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=<file> on one line of standard output; logs go to standard error.

Options:
  --listen <address>   127.0.0.1:PORT or [::1]:PORT; port 0 picks a free port (default ${DEFAULT_LISTEN})
  --token-file <file>  the token every request must carry; created with 32 random bytes, mode 0600, when
                       missing (default ${DEFAULT_TOKEN_FILE})

Exit codes: 0 stopped by SIGTERM or SIGINT; 1 usage error; 2 no credentials at start-up, or an unusable token file.
`;

/**
 * `pod-credentials serve [options]`, until shutdown: exit 0 after a graceful stop; 1 for a usage error; 2 when the
 * token file is unusable, the configuration is invalid or the first resolution fails (nothing pod-scoped configured,
 * or a configured source broken), with the error and its fix on standard error.
 */
export const serveCommand = async (io: CommandIo, args: readonly string[]): Promise<number> => {
  let values: { listen?: string | undefined; "token-file"?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: { listen: { type: "string" }, "token-file": { type: "string" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    io.stderr.write(`pod-credentials: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 1;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const listen = parseListen(values.listen ?? DEFAULT_LISTEN);
  const tokenFile = values["token-file"]?.trim() || (values["token-file"] === undefined ? DEFAULT_TOKEN_FILE : "");
  if (typeof listen === "string" || tokenFile === "") {
    const message = typeof listen === "string" ? listen : "--token-file takes a path.";
    io.stderr.write(`pod-credentials: ${message}\nRun "pod-credentials serve --help" for usage.\n`);
    return 1;
  }
  let serving: Serving;
  let started = false;
  try {
    const base = streamLogger(io, "info");
    // Until the first resolution succeeds, its failure is printed once, by this command; later ones the provider logs.
    const error = (...content: unknown[]) => (started ? base.error(...content) : undefined);
    serving = await startServing({ listen, tokenFile, env: io.env, logger: { ...base, error } });
  } catch (error) {
    return failed(io, "serve", error);
  }
  const stopped = new Promise<void>((resolve) => io.onShutdown?.(resolve));
  try {
    await serving.ready;
  } catch (error) {
    await serving.close();
    return failed(io, "serve", error);
  }
  started = true;
  io.stdout.write(readyLine(serving));
  await stopped;
  io.stderr.write("pod-credentials serve: stopping: finishing the requests in flight\n");
  await serving.close();
  return 0;
};
