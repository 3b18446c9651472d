// serve's token file when it is there but cannot be read as a file: a folder, a link to nothing. The operator must get
// serve's own error, naming the file and the fix, as for every other unusable token file, not a bare Node.js error.
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadOrCreateToken } from "../../src/cli/serve.js";
import { freshTokenPath, serveExiting } from "./harness.js";

describe("serve's token file that is not a readable file", () => {
  it("a folder (mode 0700) at the path: serve's error naming it, with the fix", async () => {
    const path = await freshTokenPath();
    await mkdir(path, { mode: 0o700 });

    const error = await loadOrCreateToken(path).then(
      () => new Error("the token file was accepted"),
      (caught: unknown) => caught as Error,
    );

    expect(error).toMatchObject({ name: "PodCredentialsError" });
    expect(error.message).toBe(
      `[serve] Cannot read the token file ${path} (EISDIR). Fix: point --token-file at a file, or remove what is at ` +
        "that path and let serve create the token there.",
    );
  });

  it("a link to nothing: serve's error naming it, with the fix", async () => {
    const path = await freshTokenPath();
    await symlink(join(path, "..", "nowhere"), path);

    const error = await loadOrCreateToken(path).then(
      () => new Error("the token file was accepted"),
      (caught: unknown) => caught as Error,
    );

    expect(error).toMatchObject({ name: "PodCredentialsError" });
    expect(error.message).toContain(`[serve] Cannot read the token file ${path} (ENOENT). Fix: `);
  });

  it.each([[""], ["   "]])("--token-file %j: a usage error (exit 1), nothing started", async (value) => {
    const { code, stderr } = await serveExiting(["--listen", "127.0.0.1:0", "--token-file", value]);

    expect(code).toBe(1);
    expect(stderr).toBe('pod-credentials: --token-file takes a path.\nRun "pod-credentials serve --help" for usage.\n');
  });
});
