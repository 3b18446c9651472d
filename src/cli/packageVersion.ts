import { readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";

const PACKAGE_NAME = "pod-credentials";
const MAX_LEVELS = 6;

/**
 * The version in this package's package.json, found by walking up from the running script (`dist/esm/cli/main.js`
 * is three levels below it; `npx` runs it through a symbolic link, resolved first). `"unknown"` when not found.
 * Read at run time rather than imported, so that the same source builds as ES module and CommonJS.
 */
export const packageVersion = (scriptPath: string | undefined): string => {
  if (!scriptPath) return "unknown";
  let folder: string;
  try {
    folder = dirname(realpathSync(scriptPath));
  } catch {
    return "unknown";
  }
  for (let level = 0; level < MAX_LEVELS; level++) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === PACKAGE_NAME && typeof manifest.version === "string") return manifest.version;
    } catch {
      // no package.json here, or not readable: keep walking up
    }
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return "unknown";
};
