import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { CredentialSourceError } from "../base/errors.js";
import type { SourceName } from "../base/settings.js";

/** Options of {@link readSmallTextFile}. */
export interface ReadSmallTextFileOptions {
  source: SourceName;
  /** What the file is, for messages: `"web-identity token file"` gives `The web-identity token file /… does not exist.` */
  what: string;
  /** The largest size accepted, in bytes: at most `maxBytes + 1` bytes are ever read. */
  maxBytes: number;
  /** The environment variable that named the file, if one did: the fixes name it (never its value). */
  envVar?: string | undefined;
  /** Whether an empty or whitespace-only file is accepted; it is not when absent. */
  allowEmpty?: boolean | undefined;
}

/**
 * The kubelet updates a projected volume by writing a new directory, renaming a `..data` symlink over the old one and
 * deleting the old directory: an open that resolved `..data` just before the deletion fails with `ENOENT`, and the
 * next one finds the new directory. So an `ENOENT` is retried this many times, after 2, 4 and 6 ms.
 */
const OPEN_ATTEMPTS = 4;
/** What clears up by itself: descriptor exhaustion, a busy or interrupted call. */
const TRANSIENT_CODES = ["EMFILE", "ENFILE", "EAGAIN", "EBUSY", "EINTR"];
const CODE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  ENOTDIR: "a part of the path is a file, not a directory",
  ELOOP: "the path has too many levels of symbolic links",
  ENAMETOOLONG: "the path is too long",
  EMFILE: "the process has too many open files",
  ENFILE: "the system has too many open files",
  EIO: "the disk or volume reported an input/output error",
};

/**
 * Reads a small text file (a token, a role annotation) as UTF-8, untrimmed, following symbolic links. Reading stops
 * after `maxBytes + 1` bytes, so a wrong path that names a large file costs no more. A read that races the kubelet's
 * `..data` swap on a projected volume gets the old or the new content.
 *
 * @throws {CredentialSourceError} with `target` = the path, a fix, and a message that never includes the content.
 * @throws {RangeError} when `maxBytes` is not a non-negative safe integer: a programming error.
 */
export const readSmallTextFile = async (path: string, options: ReadSmallTextFileOptions) => {
  const { source, what, maxBytes, envVar } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
  }
  const refuse = (problem: string, fix: string, cause?: unknown, retryable = false) =>
    new CredentialSourceError(problem, { source, target: path, fix, retryable, ...(cause ? { cause } : {}) });
  const configure = (thing: string) => (envVar ? `Set ${envVar} to ${thing}` : `Configure ${thing}`);
  const checkPath = `Check that ${envVar ?? "the configured path"} names the ${what}`;
  const ioError = (cause: unknown) => {
    const code = (cause as NodeJS.ErrnoException).code;
    const file = `The ${what} ${path}`;
    if (code === "ENOENT") {
      const volume = `Mount the volume that holds the ${what}`;
      const mounts = "(check the pod's volumes and volumeMounts)";
      const fix = envVar
        ? `${volume} at the path ${envVar} names ${mounts}, or set ${envVar} to the file's actual path.`
        : `${volume} so that this path exists ${mounts}, or configure the file's actual path.`;
      return refuse(`${file} does not exist.`, fix, cause);
    }
    if (code === "EACCES" || code === "EPERM") {
      // The effective ids are what the kernel checks; Windows has none.
      const user = process.geteuid && process.getegid ? ` (uid ${process.geteuid()}, gid ${process.getegid()})` : "";
      const fix =
        "Give the container's user read access: set the pod's securityContext.fsGroup so that the kubelet makes " +
        "the mounted file readable by that group, or set securityContext.runAsUser to the user that owns the file.";
      return refuse(`${file} exists but this process${user} may not read it (${code}: permission denied).`, fix, cause);
    }
    if (code === "EISDIR") {
      const fix = `${configure("the path of the file inside that directory")}, not ${envVar ? "to " : ""}the volume's mount point.`;
      return refuse(`${file} is a directory, not a file.`, fix, cause);
    }
    const reason = [code ?? "unknown error", CODE_DESCRIPTIONS[code ?? ""]].filter(Boolean).join(": ");
    const fix = `Check that ${path} is a readable file in a mounted volume; the error code says what the system refused.`;
    return refuse(`Could not read the ${what} ${path} (${reason}).`, fix, cause, TRANSIENT_CODES.includes(code ?? ""));
  };

  let handle: FileHandle | undefined;
  for (let attempt = 1; handle === undefined; attempt += 1) {
    // O_NONBLOCK: opening a FIFO or a device must not wait for a writer; it is refused after fstat.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(async (error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= OPEN_ATTEMPTS) throw ioError(error);
      await sleep(2 * attempt);
      return undefined;
    });
  }
  const bytes = Buffer.alloc(maxBytes + 1);
  let size = 0;
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw ioError(Object.assign(new Error("is a directory"), { code: "EISDIR" }));
    if (!stats.isFile()) {
      const problem = `The ${what} ${path} is not a regular file (a pipe, socket or device).`;
      throw refuse(problem, `${configure("the path of a regular file")}.`);
    }
    while (size < bytes.length) {
      const { bytesRead } = await handle.read(bytes, size, bytes.length - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
    }
  } catch (error) {
    throw error instanceof CredentialSourceError ? error : ioError(error);
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (size > maxBytes) {
    const problem = `The ${what} ${path} is larger than ${maxBytes} bytes, more than such a file ever holds; it was not read.`;
    throw refuse(problem, `${checkPath} and not some other file.`);
  }
  const text = bytes.toString("utf8", 0, size);
  if (!options.allowEmpty && text.trim() === "") {
    const fix = `${checkPath} and that whatever writes it (the kubelet, for a projected volume) has written it.`;
    throw refuse(`The ${what} ${path} is empty or holds only whitespace.`, fix);
  }
  return text;
};

/**
 * Reads a file that holds one token, such as a projected service-account token: {@link readSmallTextFile} without
 * `allowEmpty`, trimmed. A token still holding a line break is refused: a second line means the file is not a token.
 *
 * @throws {CredentialSourceError} as {@link readSmallTextFile} does, and for a token on more than one line.
 */
export const readTokenFile = async (path: string, options: Omit<ReadSmallTextFileOptions, "allowEmpty">) => {
  const token = (await readSmallTextFile(path, { ...options, allowEmpty: false })).trim();
  if (/[\r\n]/.test(token)) {
    const problem = `The ${options.what} ${path} holds more than one line; a token is a single line.`;
    const fix = `Check what writes the ${options.what}: the file must hold the token alone, on one line.`;
    throw new CredentialSourceError(problem, { source: options.source, target: path, fix });
  }
  return token;
};
