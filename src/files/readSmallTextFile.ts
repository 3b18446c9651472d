import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { CredentialSourceError } from "../base/errors.js";
import type { SourceName as CredentialSource } from "../base/settings.js";

/** Options of {@link readSmallTextFile}. */
export interface ReadSmallTextFileOptions {
  /** The source that reads the file; errors carry it. */
  source: CredentialSource;
  /**
   * What the file is, as a noun phrase used in messages: `"web-identity token file"` gives
   * `The web-identity token file /var/run/… does not exist.`
   */
  what: string;
  /** The largest size accepted, in bytes. A larger file is refused after reading at most `maxBytes + 1` bytes. */
  maxBytes: number;
  /** The environment variable that named the file, if one did; the fixes name it (by name, never by value). */
  envVar?: string | undefined;
  /**
   * Whether an empty or whitespace-only file is accepted.
   * @default false
   */
  allowEmpty?: boolean | undefined;
}

/** Options of {@link readTokenFile}: a token file is never allowed to be empty. */
export type ReadTokenFileOptions = Omit<ReadSmallTextFileOptions, "allowEmpty">;

/**
 * How many times the file is opened before `ENOENT` counts as missing. The kubelet updates a projected volume by
 * writing a new timestamped directory, renaming a `..data` symlink over the old one and deleting the old directory;
 * an open that resolved `..data` to the old directory just before it was deleted fails with `ENOENT`, and the next
 * open finds the new one.
 */
const OPEN_ATTEMPTS = 4;
/** The pause before each new open after `ENOENT`, multiplied by the attempt number. */
const OPEN_RETRY_DELAY_MS = 2;

const PERMISSION_CODES: ReadonlySet<string> = new Set(["EACCES", "EPERM"]);
/** Codes that may clear up by themselves (descriptor exhaustion, a busy or interrupted call). */
const TRANSIENT_CODES: ReadonlySet<string> = new Set(["EMFILE", "ENFILE", "EAGAIN", "EBUSY", "EINTR"]);
const CODE_DESCRIPTIONS: Readonly<Record<string, string>> = Object.freeze({
  ENOTDIR: "a part of the path is a file, not a directory",
  ELOOP: "the path has too many levels of symbolic links",
  ENAMETOOLONG: "the path is too long",
  EMFILE: "the process has too many open files",
  ENFILE: "the system has too many open files",
  EIO: "the disk or volume reported an input/output error",
});

/**
 * Reads a small text file such as a token, a role annotation or a CA bundle, and returns its content as UTF-8,
 * untrimmed (callers trim).
 *
 * It opens the file and reads at most `maxBytes + 1` bytes, so a wrong path pointing at a large file costs no more
 * than that. An `ENOENT` on open is retried a few times within milliseconds, so a read that races the kubelet's
 * atomic `..data` symlink swap on a projected volume still gets the old or the new content.
 *
 * Every failure is a {@link CredentialSourceError} whose `target` is the path, with its own message and fix: the
 * file is missing, not readable by this user, a directory, larger than `maxBytes`, empty or whitespace-only (unless
 * `allowEmpty`), or another I/O error (its code is named). Messages never include the file's content.
 *
 * @param path - The file to read; symbolic links are followed.
 * @throws {@link CredentialSourceError} when the file cannot be read or is refused.
 * @throws RangeError when `maxBytes` is not a non-negative safe integer (a programming error).
 *
 * @example
 * ```ts
 * const token = (await readSmallTextFile(process.env.AWS_WEB_IDENTITY_TOKEN_FILE ?? "", {
 *   source: "webIdentity",
 *   what: "web-identity token file",
 *   maxBytes: 16 * 1024,
 *   envVar: "AWS_WEB_IDENTITY_TOKEN_FILE",
 * })).trim();
 * ```
 */
export const readSmallTextFile = async (path: string, options: ReadSmallTextFileOptions): Promise<string> => {
  const { maxBytes } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
  }
  const handle = await openWithRetry(path, options);
  let bytes: Buffer;
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    if (!stats.isFile()) throw notRegularFileError(path, options);
    bytes = await readAtMost(handle, maxBytes + 1);
  } catch (error) {
    throw error instanceof CredentialSourceError ? error : ioError(path, options, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (bytes.length > maxBytes) throw tooLargeError(path, options);
  const text = bytes.toString("utf8");
  if (!options.allowEmpty && text.trim() === "") throw emptyError(path, options);
  return text;
};

/**
 * Reads a file that holds one token, such as a projected service-account token: {@link readSmallTextFile} without
 * `allowEmpty`, with surrounding whitespace trimmed. A token that still holds a line break after trimming is refused
 * with its own message, since a second line means the file is not just a token. Messages never include the token.
 *
 * @throws {@link CredentialSourceError} for every failure of {@link readSmallTextFile}, and for a token on more than
 * one line.
 *
 * @example
 * ```ts
 * const token = await readTokenFile("/var/run/secrets/eks.amazonaws.com/serviceaccount/token", {
 *   source: "webIdentity",
 *   what: "web-identity token file",
 *   maxBytes: 16 * 1024,
 * });
 * ```
 */
export const readTokenFile = async (path: string, options: ReadTokenFileOptions): Promise<string> => {
  const token = (await readSmallTextFile(path, { ...options, allowEmpty: false })).trim();
  if (/[\r\n]/.test(token)) throw multiLineTokenError(path, options);
  return token;
};

const openWithRetry = async (path: string, options: ReadSmallTextFileOptions): Promise<FileHandle> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      // O_NONBLOCK: opening a FIFO (or a device) for reading must not wait for a writer; it is refused after fstat.
      return await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      if (errorCode(error) !== "ENOENT" || attempt >= OPEN_ATTEMPTS) throw ioError(path, options, error);
      await sleep(OPEN_RETRY_DELAY_MS * attempt);
    }
  }
};

const readAtMost = async (handle: FileHandle, limit: number): Promise<Buffer> => {
  const buffer = Buffer.alloc(limit);
  let filled = 0;
  while (filled < limit) {
    const { bytesRead } = await handle.read(buffer, filled, limit - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
};

const errorCode = (error: unknown): string | undefined => {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
};

/** Turns an error from `open` or `read` into the matching {@link CredentialSourceError}. */
const ioError = (path: string, options: ReadSmallTextFileOptions, cause: unknown): CredentialSourceError => {
  const code = errorCode(cause);
  if (code === "ENOENT") return missingError(path, options, cause);
  if (code !== undefined && PERMISSION_CODES.has(code)) return permissionError(path, options, code, cause);
  if (code === "EISDIR") return directoryError(path, options, cause);
  return otherIoError(path, options, code, cause);
};

const missingError = (path: string, { source, what, envVar }: ReadSmallTextFileOptions, cause: unknown) =>
  new CredentialSourceError(`The ${what} ${path} does not exist.`, {
    source,
    target: path,
    cause,
    fix: envVar
      ? `Mount the volume that holds the ${what} at the path ${envVar} names (check the pod's volumes and ` +
        `volumeMounts), or set ${envVar} to the file's actual path.`
      : `Mount the volume that holds the ${what} so that this path exists (check the pod's volumes and ` +
        `volumeMounts), or configure the file's actual path.`,
  });

const permissionError = (path: string, { source, what }: ReadSmallTextFileOptions, code: string, cause: unknown) =>
  new CredentialSourceError(
    `The ${what} ${path} exists but this process${describeProcessUser()} may not read it (${code}: permission denied).`,
    {
      source,
      target: path,
      cause,
      fix:
        "Give the container's user read access: set the pod's securityContext.fsGroup so that the kubelet makes " +
        "the mounted file readable by that group, or set securityContext.runAsUser to the user that owns the file.",
    },
  );

const notRegularFileError = (path: string, { source, what, envVar }: ReadSmallTextFileOptions) =>
  new CredentialSourceError(`The ${what} ${path} is not a regular file (a pipe, socket or device).`, {
    source,
    target: path,
    fix: envVar ? `Set ${envVar} to the path of a regular file.` : "Configure the path of a regular file.",
  });

const directoryError = (path: string, { source, what, envVar }: ReadSmallTextFileOptions, cause: unknown) =>
  new CredentialSourceError(`The ${what} ${path} is a directory, not a file.`, {
    source,
    target: path,
    cause,
    fix: envVar
      ? `Set ${envVar} to the path of the file inside that directory, not to the volume's mount point.`
      : "Configure the path of the file inside that directory, not the volume's mount point.",
  });

const tooLargeError = (path: string, { source, what, maxBytes, envVar }: ReadSmallTextFileOptions) =>
  new CredentialSourceError(
    `The ${what} ${path} is larger than ${maxBytes} bytes, more than such a file ever holds; it was not read.`,
    {
      source,
      target: path,
      fix: `Check that ${envVar ?? "the configured path"} names the ${what} and not some other file.`,
    },
  );

const emptyError = (path: string, { source, what, envVar }: ReadSmallTextFileOptions) =>
  new CredentialSourceError(`The ${what} ${path} is empty or holds only whitespace.`, {
    source,
    target: path,
    fix:
      `Check that ${envVar ?? "the configured path"} names the ${what} and that whatever writes it (the ` +
      "kubelet, for a projected volume) has written it.",
  });

const multiLineTokenError = (path: string, { source, what }: ReadTokenFileOptions) =>
  new CredentialSourceError(`The ${what} ${path} holds more than one line; a token is a single line.`, {
    source,
    target: path,
    fix: `Check what writes the ${what}: the file must hold the token alone, on one line.`,
  });

const otherIoError = (
  path: string,
  { source, what }: ReadSmallTextFileOptions,
  code: string | undefined,
  cause: unknown,
) => {
  const description = code === undefined ? undefined : CODE_DESCRIPTIONS[code];
  const reason = [code ?? "unknown error", description].filter(Boolean).join(": ");
  return new CredentialSourceError(`Could not read the ${what} ${path} (${reason}).`, {
    source,
    target: path,
    cause,
    retryable: code !== undefined && TRANSIENT_CODES.has(code),
    fix: `Check that ${path} is a readable file in a mounted volume; the error code says what the system refused.`,
  });
};

/** The effective user and group, which are what the kernel checks. */
const describeProcessUser = (): string => {
  const uid = process.geteuid?.();
  const gid = process.getegid?.();
  return uid === undefined ? "" : ` (uid ${uid}${gid === undefined ? "" : `, gid ${gid}`})`;
};
