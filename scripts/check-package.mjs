// Packs the package as it would be published, then checks the tarball with publint (package.json and files) and
// @arethetypeswrong/cli (types resolve for ESM and CommonJS consumers under node16 and bundler resolution).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const folder = mkdtempSync(join(tmpdir(), "pod-credentials-pack-"));
try {
  const [{ filename, files }] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", folder], { encoding: "utf8" }),
  );
  const tarball = join(folder, filename);
  const unexpected = files
    .map(({ path }) => path)
    .filter((path) => !/^(dist\/|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/.test(path));
  if (unexpected.length > 0) throw new Error(`The tarball holds files it should not: ${unexpected.join(", ")}`);
  console.log(`${filename}: ${files.length} files, all under dist/ or README.md, LICENSE, CHANGELOG.md, package.json`);
  execFileSync("npx", ["publint", "--strict", tarball], { stdio: "inherit" });
  // node10 resolution predates package.json "exports" and cannot see the ./testing subpath; we support node16+ only.
  execFileSync("npx", ["attw", "--profile", "node16", tarball], { stdio: "inherit" });
} finally {
  rmSync(folder, { recursive: true, force: true });
}
