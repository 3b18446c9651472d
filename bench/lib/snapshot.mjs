// Copies the freshly built dist/ (esm and cjs) aside, so that a rebuild in the working tree while the benchmark runs
// (another `npm test` empties dist/) cannot pull the files out from under a child. The copy lives under
// node_modules/.cache, so bare imports from it (@aws-sdk/credential-providers) still resolve to the project's
// node_modules.
import { cpSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";

/** Copies dist/ and returns the folder of the copy's ES modules (the `dist/esm` the children import). */
export const snapshotDist = (projectRoot) => {
  const built = join(projectRoot, "dist", "esm");
  if (!existsSync(join(built, "index.js")) || !existsSync(join(built, "testing", "index.js"))) {
    throw new Error(`${built} is not built: run npm run build (npm run bench does)`);
  }
  const copy = join(projectRoot, "node_modules", ".cache", "pod-credentials-bench", "dist");
  rmSync(join(copy, ".."), { recursive: true, force: true });
  cpSync(join(projectRoot, "dist"), copy, { recursive: true });
  return join(copy, "esm");
};
