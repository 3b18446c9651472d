// The version the CLI prints: read from this package's package.json, found by walking up from the running script.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageVersion } from "../../src/cli/runCli.js";
import { temporaryFolderEach } from "../support/fakes.js";

const rootFolder = temporaryFolderEach("version");

/** Writes `content` as `<folder>/package.json` (folder relative to the test's root), creating the folders. */
const manifest = async (folder: string, content: unknown): Promise<void> => {
  await mkdir(join(rootFolder(), folder), { recursive: true });
  await writeFile(
    join(rootFolder(), folder, "package.json"),
    typeof content === "string" ? content : JSON.stringify(content),
  );
};

/** Creates the script at `path` (relative to the root) and returns its absolute path. */
const script = async (path: string): Promise<string> => {
  const absolute = join(rootFolder(), path);
  await mkdir(join(absolute, ".."), { recursive: true });
  await writeFile(absolute, "// main\n");
  return absolute;
};

describe("the CLI's version", () => {
  it("is the version in the package.json three levels above dist/esm/cli/main.js", async () => {
    await manifest("pkg", { name: "pod-credentials", version: "1.4.2" });
    expect(packageVersion(await script("pkg/dist/esm/cli/main.js"))).toBe("1.4.2");
  });

  it("skips package.json files of other packages, unreadable ones and ones without a version on the way up", async () => {
    await manifest("pkg", { name: "pod-credentials", version: "1.4.2" });
    await manifest("pkg/dist", { name: "something-else", version: "9.9.9" });
    await manifest("pkg/dist/esm", "{ not json");
    await manifest("pkg/dist/esm/cli", { name: "pod-credentials", version: 2 });
    expect(packageVersion(await script("pkg/dist/esm/cli/main.js"))).toBe("1.4.2");
  });

  it("resolves a symbolic link first, as npx runs the program through node_modules/.bin", async () => {
    await manifest("pkg", { name: "pod-credentials", version: "1.4.2" });
    const target = await script("pkg/dist/esm/cli/main.js");
    await mkdir(join(rootFolder(), "project/node_modules/.bin"), { recursive: true });
    const link = join(rootFolder(), "project/node_modules/.bin/pod-credentials");
    await symlink(target, link);
    expect(packageVersion(link)).toBe("1.4.2");
  });

  it("is unknown when the package.json is more than six folders up", async () => {
    await manifest("pkg", { name: "pod-credentials", version: "1.4.2" });
    expect(packageVersion(await script("pkg/a/b/c/d/e/f/main.js"))).toBe("unknown");
    expect(packageVersion(await script("pkg/a/b/c/d/e/main.js"))).toBe("1.4.2");
  });

  it("is unknown without a script path, for a script that does not exist, and when no package.json names it", async () => {
    expect(packageVersion(undefined)).toBe("unknown");
    expect(packageVersion("")).toBe("unknown");
    expect(packageVersion(join(rootFolder(), "missing/main.js"))).toBe("unknown");
    expect(packageVersion(await script("lonely/main.js"))).toBe("unknown");
  });

  it("stops at the file system's root", () => {
    expect(packageVersion("/")).toBe("unknown");
  });
});
