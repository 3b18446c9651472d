import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, open, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMainThread, Worker } from "node:worker_threads";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CredentialSourceError } from "../../src/base/errors.js";
import { readSmallTextFile, readTokenFile } from "../../src/wire/files.js";

/** A recognizable fake token: no message, fix or cause may ever contain it. */
const FAKE_TOKEN = "eyJhbGciOiJSUzI1NiJ9.FAKE-TOKEN-must-never-appear-in-errors.c2lnbmF0dXJl";
const SECRET_MARKER = "FAKE-TOKEN-must-never-appear-in-errors";

const OPTIONS = {
  source: "webIdentity",
  what: "web-identity token file",
  maxBytes: 16 * 1024,
  envVar: "AWS_WEB_IDENTITY_TOKEN_FILE",
} as const;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pod-credentials-read-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `content` to the file `name` in the test's folder; returns its path. */
const fileWith = async (content: string, name = "token"): Promise<string> => {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
};

/** A named pipe in the test's folder, which nothing writes to. */
const namedPipe = (): string => {
  const path = join(dir, "fifo");
  execFileSync("mkfifo", [path]);
  return path;
};

/** The error a read fails with, checked to be a CredentialSourceError free of the fake token. */
const failureOf = async (read: Promise<unknown>): Promise<CredentialSourceError> => {
  const error: unknown = await read.then(
    () => expect.fail("the read should have failed"),
    (caught: unknown) => caught,
  );
  expect(error).toMatchObject({ name: "CredentialSourceError", source: "webIdentity" });
  const sourceError = error as CredentialSourceError;
  for (const text of [
    sourceError.message,
    sourceError.fix ?? "",
    String(sourceError.cause ?? ""),
    sourceError.stack ?? "",
  ]) {
    expect(text).not.toContain(SECRET_MARKER);
  }
  return sourceError;
};

describe("readSmallTextFile", () => {
  it("returns the content as it is, untrimmed", async () => {
    const path = await fileWith(` ${FAKE_TOKEN}\n`);
    await expect(readSmallTextFile(path, OPTIONS)).resolves.toBe(` ${FAKE_TOKEN}\n`);
  });

  it("reads a file of exactly maxBytes", async () => {
    const path = await fileWith("x".repeat(64));
    await expect(readSmallTextFile(path, { ...OPTIONS, maxBytes: 64 })).resolves.toHaveLength(64);
  });

  it("follows symbolic links, as the kubelet lays out projected volumes", async () => {
    await mkdir(join(dir, "..2026_11_27_21_00_00.123456789"));
    await writeFile(join(dir, "..2026_11_27_21_00_00.123456789", "token"), FAKE_TOKEN);
    await symlink("..2026_11_27_21_00_00.123456789", join(dir, "..data"));
    await symlink("..data/token", join(dir, "token"));
    await expect(readSmallTextFile(join(dir, "token"), OPTIONS)).resolves.toBe(FAKE_TOKEN);
  });

  it("reports a missing file, naming the path and pointing at the volume mount and the variable", async () => {
    const path = join(dir, "missing-token");
    const error = await failureOf(readSmallTextFile(path, OPTIONS));
    expect(error.message).toBe(
      `[webIdentity] The web-identity token file ${path} does not exist. Fix: Mount the volume that holds the ` +
        "web-identity token file at the path AWS_WEB_IDENTITY_TOKEN_FILE names (check the pod's volumes and " +
        "volumeMounts), or set AWS_WEB_IDENTITY_TOKEN_FILE to the file's actual path.",
    );
    expect(error.target).toBe(path);
    expect(error.retryable).toBe(false);
  });

  it("reports a missing file without a variable when none named it", async () => {
    const { envVar: _, ...withoutVariable } = OPTIONS;
    const error = await failureOf(readSmallTextFile(join(dir, "missing"), withoutVariable));
    expect(error.fix).toBe(
      "Mount the volume that holds the web-identity token file so that this path exists (check the pod's volumes " +
        "and volumeMounts), or configure the file's actual path.",
    );
  });

  describe("a file this user may not read", () => {
    // Tests run as root, and chmod 000 does not stop root. When root, the test drops the effective uid to nobody
    // (65534) around the read, which is reversible because the real uid stays 0; otherwise it removes read
    // permission. Either way the kernel really refuses the open with EACCES.
    const isRoot = process.getuid?.() === 0;
    // Worker threads (Stryker's runner uses them) cannot change the effective uid.
    const canTest = process.platform !== "win32" && (!isRoot || isMainThread);

    it.skipIf(!canTest)("reports permission denied and points at the pod's securityContext", async () => {
      await chmod(dir, 0o755);
      const path = join(dir, "token");
      await writeFile(path, FAKE_TOKEN, { mode: 0o600 });
      if (!isRoot) await chmod(path, 0o000);
      if (isRoot) process.seteuid?.(65534);
      const read = readSmallTextFile(path, OPTIONS);
      const error = await failureOf(read).finally(() => {
        if (isRoot) process.seteuid?.(0);
      });
      expect(error.message).toContain(
        `The web-identity token file ${path} exists but this process (uid ${isRoot ? 65534 : process.getuid?.()}`,
      );
      expect(error.message).toContain("may not read it (EACCES: permission denied).");
      expect(error.fix).toBe(
        "Give the container's user read access: set the pod's securityContext.fsGroup so that the kubelet makes the " +
          "mounted file readable by that group, or set securityContext.runAsUser to the user that owns the file.",
      );
    });
  });

  it("reports a directory where a file was expected", async () => {
    const error = await failureOf(readSmallTextFile(dir, OPTIONS));
    expect(error.message).toBe(
      `[webIdentity] The web-identity token file ${dir} is a directory, not a file. Fix: Set ` +
        "AWS_WEB_IDENTITY_TOKEN_FILE to the path of the file inside that directory, not to the volume's mount point.",
    );
  });

  describe("the size cap", () => {
    it("refuses a 10 MB file larger than maxBytes, without naming its content", async () => {
      const path = await fileWith(FAKE_TOKEN.repeat(Math.ceil(10_000_000 / FAKE_TOKEN.length)));
      const error = await failureOf(readSmallTextFile(path, { ...OPTIONS, maxBytes: 4096 }));
      expect(error.message).toBe(
        `[webIdentity] The web-identity token file ${path} is larger than 4096 bytes, more than such a file ever ` +
          "holds; it was not read. Fix: Check that AWS_WEB_IDENTITY_TOKEN_FILE names the web-identity token file " +
          "and not some other file.",
      );
    });

    it("refuses a file one byte over maxBytes", async () => {
      const path = await fileWith("x".repeat(65));
      await failureOf(readSmallTextFile(path, { ...OPTIONS, maxBytes: 64 }));
    });

    // /dev/zero never ends: a reader that read it would never return. It is refused before any read.
    it.skipIf(!existsSync("/dev/zero"))("refuses an endless device instead of reading it", async () => {
      const error = await failureOf(readSmallTextFile("/dev/zero", { ...OPTIONS, maxBytes: 1024 }));
      expect(error.message).toContain("is not a regular file");
    });

    it("refuses a named pipe without waiting for a writer", async () => {
      const path = namedPipe();
      const error = await failureOf(readSmallTextFile(path, OPTIONS));
      expect(error.message).toContain("is not a regular file (a pipe, socket or device)");
    });
  });

  describe("empty files", () => {
    it.each([
      ["empty", ""],
      ["whitespace-only", " \n\t\r\n"],
    ])("refuses an %s file", async (_, content) => {
      const path = await fileWith(content);
      const error = await failureOf(readSmallTextFile(path, OPTIONS));
      expect(error.message).toBe(
        `[webIdentity] The web-identity token file ${path} is empty or holds only whitespace. Fix: Check that ` +
          "AWS_WEB_IDENTITY_TOKEN_FILE names the web-identity token file and that whatever writes it (the kubelet, " +
          "for a projected volume) has written it.",
      );
    });

    it("returns an empty file when allowEmpty is set", async () => {
      const path = await fileWith("", "annotations");
      await expect(readSmallTextFile(path, { ...OPTIONS, allowEmpty: true })).resolves.toBe("");
    });
  });

  describe("other I/O errors", () => {
    it("names the error code when a part of the path is a file (ENOTDIR)", async () => {
      const file = join(dir, "token");
      await writeFile(file, FAKE_TOKEN);
      const path = join(file, "nested");
      const error = await failureOf(readSmallTextFile(path, OPTIONS));
      expect(error.message).toBe(
        `[webIdentity] Could not read the web-identity token file ${path} (ENOTDIR: a part of the path is a file, ` +
          `not a directory). Fix: Check that ${path} is a readable file in a mounted volume; the error code says ` +
          "what the system refused.",
      );
      expect(error.retryable).toBe(false);
      expect(error.cause).toMatchObject({ code: "ENOTDIR" });
    });

    it("names the error code for a symbolic-link loop (ELOOP)", async () => {
      await symlink("b", join(dir, "a"));
      await symlink("a", join(dir, "b"));
      const error = await failureOf(readSmallTextFile(join(dir, "a"), OPTIONS));
      expect(error.message).toContain("(ELOOP: the path has too many levels of symbolic links)");
    });
  });

  describe("fixes when no variable named the file", () => {
    const { envVar: _, ...withoutVariable } = OPTIONS;

    it("a directory: configure the file inside it", async () => {
      const error = await failureOf(readSmallTextFile(dir, withoutVariable));
      expect(error.fix).toBe("Configure the path of the file inside that directory, not the volume's mount point.");
    });

    it("a named pipe: configure a regular file", async () => {
      const path = namedPipe();
      const error = await failureOf(readSmallTextFile(path, withoutVariable));
      expect(error.fix).toBe("Configure the path of a regular file.");
    });

    it("a file that is too large: check the configured path", async () => {
      const path = await fileWith("x".repeat(65));
      const error = await failureOf(readSmallTextFile(path, { ...withoutVariable, maxBytes: 64 }));
      expect(error.fix).toBe(
        "Check that the configured path names the web-identity token file and not some other file.",
      );
    });

    it("an empty file: check the configured path and what writes the file", async () => {
      const path = await fileWith("");
      const error = await failureOf(readSmallTextFile(path, withoutVariable));
      expect(error.fix).toBe(
        "Check that the configured path names the web-identity token file and that whatever writes it (the " +
          "kubelet, for a projected volume) has written it.",
      );
    });
  });

  it("names an error code it has no description for as it is, and does not retry it", async () => {
    const path = join(dir, "to\u0000ken");
    const error = await failureOf(readSmallTextFile(path, OPTIONS));
    expect(error.message).toBe(
      `[webIdentity] Could not read the web-identity token file ${path} (ERR_INVALID_ARG_VALUE). Fix: Check that ` +
        `${path} is a readable file in a mounted volume; the error code says what the system refused.`,
    );
    expect(error.retryable).toBe(false);
  });

  it("refuses a maxBytes that is not a non-negative integer", async () => {
    await expect(readSmallTextFile(join(dir, "x"), { ...OPTIONS, maxBytes: -1 })).rejects.toThrow(RangeError);
    await expect(readSmallTextFile(join(dir, "x"), { ...OPTIONS, maxBytes: 1.5 })).rejects.toThrow(
      "maxBytes must be a non-negative integer, got 1.5",
    );
  });

  it("accepts a maxBytes of 0: an empty file is read, a file of one byte is too large", async () => {
    const empty = join(dir, "empty");
    const one = join(dir, "one");
    await writeFile(empty, "");
    await writeFile(one, "x");

    expect(await readSmallTextFile(empty, { ...OPTIONS, maxBytes: 0, allowEmpty: true })).toBe("");
    const error = await failureOf(readSmallTextFile(one, { ...OPTIONS, maxBytes: 0, allowEmpty: true }));
    expect(error.message).toContain("is larger than 0 bytes");
  });
});

describe("readTokenFile", () => {
  it("returns the token with surrounding whitespace trimmed", async () => {
    const path = await fileWith(`\n ${FAKE_TOKEN}\r\n`);
    await expect(readTokenFile(path, OPTIONS)).resolves.toBe(FAKE_TOKEN);
  });

  it.each([
    ["a line feed", "\n"],
    ["a carriage return", "\r"],
    ["CRLF", "\r\n"],
  ])("refuses a token with %s inside, without naming either part", async (_, lineBreak) => {
    const path = await fileWith(`${FAKE_TOKEN}${lineBreak}${FAKE_TOKEN}\n`);
    const error = await failureOf(readTokenFile(path, OPTIONS));
    expect(error.message).toBe(
      `[webIdentity] The web-identity token file ${path} holds more than one line; a token is a single line. Fix: ` +
        "Check what writes the web-identity token file: the file must hold the token alone, on one line.",
    );
  });

  it("refuses an empty token file", async () => {
    const path = await fileWith("\n");
    const error = await failureOf(readTokenFile(path, OPTIONS));
    expect(error.message).toContain("is empty or holds only whitespace");
  });
});

describe("reading while the kubelet swaps ..data", () => {
  const TOKEN_A = `${FAKE_TOKEN}.A${"a".repeat(3000)}`;
  const TOKEN_B = `${FAKE_TOKEN}.B${"b".repeat(3000)}`;

  /** The kubelet's layout for one projected file: `token -> ..data/token`, `..data -> ..<timestamp>`. */
  const createProjectedVolume = async (token: string) => {
    await mkdir(join(dir, "..2026_11_27_21_00_00.000000001"));
    await writeFile(join(dir, "..2026_11_27_21_00_00.000000001", "token"), token);
    await symlink("..2026_11_27_21_00_00.000000001", join(dir, "..data"));
    await symlink("..data/token", join(dir, "token"));
  };

  it("retries an open that found the old directory already deleted, and reads the new token", async () => {
    await createProjectedVolume(TOKEN_A);
    // The state a reader sees when it resolved ..data just before the old directory was deleted: ..data names a
    // directory that no longer exists. A plain open fails here.
    await rm(join(dir, "..2026_11_27_21_00_00.000000001"), { recursive: true });
    await expect(open(join(dir, "token"), "r")).rejects.toMatchObject({ code: "ENOENT" });

    // The swap completes 1 ms later, in one synchronous step: the new directory and the renamed ..data link
    // appear. That timer is due before the reader's first retry (its first open has failed by then), so a retry is
    // what reads the new token.
    const next = "..2026_11_27_22_00_00.000000002";
    setTimeout(() => {
      mkdirSync(join(dir, next));
      writeFileSync(join(dir, next, "token"), TOKEN_B);
      symlinkSync(next, join(dir, "..data_tmp"));
      renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    }, 1);
    await expect(readTokenFile(join(dir, "token"), OPTIONS)).resolves.toBe(TOKEN_B);
  });

  it("returns one of the two whole tokens on every read while ..data is swapped continuously", async () => {
    await createProjectedVolume(TOKEN_A);
    // [0]: set to 1 to stop the swapper; [1]: the swaps it has made so far.
    const stop = new Int32Array(new SharedArrayBuffer(8));
    // Another thread swaps like the kubelet's AtomicWriter: write a new timestamped directory, point ..data_tmp at
    // it, rename ..data_tmp over ..data, delete the old directory. The window in which a reader gets ENOENT is
    // narrow, so a given run may or may not hit it; the test above exercises the retry deterministically.
    const swapper = new Worker(
      `
      const { workerData, parentPort } = require("node:worker_threads");
      const fs = require("node:fs");
      const path = require("node:path");
      const { dir, tokens, stop } = workerData;
      let old = "..2026_11_27_21_00_00.000000001";
      let swaps = 0;
      while (Atomics.load(stop, 0) === 0) {
        swaps += 1;
        Atomics.store(stop, 1, swaps);
        const next = "..2026_11_27_21_00_00." + String(swaps + 1).padStart(9, "0");
        fs.mkdirSync(path.join(dir, next));
        fs.writeFileSync(path.join(dir, next, "token"), tokens[swaps % 2]);
        fs.symlinkSync(next, path.join(dir, "..data_tmp"));
        fs.renameSync(path.join(dir, "..data_tmp"), path.join(dir, "..data"));
        fs.rmSync(path.join(dir, old), { recursive: true });
        old = next;
      }
      parentPort.postMessage(swaps);
      `,
      { eval: true, workerData: { dir, tokens: [TOKEN_A, TOKEN_B], stop } },
    );
    const swapCount = new Promise<number>((resolve, reject) => {
      swapper.once("message", resolve);
      swapper.once("error", reject);
    });

    const seen = { a: 0, b: 0 };
    // Until the swapper has made more than 10 swaps during the reads and both tokens have been read, at least 20
    // rounds of 16 reads: counted, not timed, so a loaded machine (a starved worker) only makes it longer.
    let rounds = 0;
    try {
      while (rounds < 20 || Atomics.load(stop, 1) <= 10 || seen.a === 0 || seen.b === 0) {
        rounds += 1;
        const tokens = await Promise.all(Array.from({ length: 16 }, () => readTokenFile(join(dir, "token"), OPTIONS)));
        for (const token of tokens) {
          if (token === TOKEN_A) seen.a += 1;
          else if (token === TOKEN_B) seen.b += 1;
          else expect.fail(`a read returned ${token.length} characters that are neither token`);
        }
      }
    } finally {
      Atomics.store(stop, 0, 1);
    }
    expect(await swapCount).toBeGreaterThan(10);
    expect(seen.a).toBeGreaterThan(0);
    expect(seen.b).toBeGreaterThan(0);
  });
});
