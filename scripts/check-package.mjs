// Packs the package as it would be published, then checks the tarball: only dist/, src/ and the top-level documents;
// every source map's sources inside the tarball (so stack traces and "go to definition" land on real files);
// publint (package.json and files); @arethetypeswrong/cli (types resolve for ESM and CommonJS consumers under node10,
// node16 and bundler resolution).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";

const folder = mkdtempSync(join(tmpdir(), "pod-credentials-pack-"));
try {
  const [{ filename, files }] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", folder], { encoding: "utf8" }),
  );
  const tarball = join(folder, filename);
  const unexpected = files
    .map(({ path }) => path)
    .filter((path) => !/^(dist\/|src\/|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/.test(path));
  if (unexpected.length > 0) throw new Error(`The tarball holds files it should not: ${unexpected.join(", ")}`);
  console.log(
    `${filename}: ${files.length} files, all under dist/, src/ or README.md, LICENSE, CHANGELOG.md, package.json`,
  );

  const unpacked = join(folder, "package");
  execFileSync("tar", ["-xzf", tarball, "-C", folder]);
  const shipped = new Set(files.map(({ path }) => path));
  const maps = [...shipped].filter((path) => path.endsWith(".map"));
  const dangling = maps.flatMap((map) => {
    const { sources } = JSON.parse(readFileSync(join(unpacked, map), "utf8"));
    return sources.map((source) => posix.join(dirname(map), source)).filter((source) => !shipped.has(source));
  });
  if (maps.length === 0) throw new Error("The tarball holds no source maps: the build no longer writes them?");
  if (dangling.length > 0)
    throw new Error(`Source maps point at files not in the tarball: ${dangling.slice(0, 5).join(", ")}`);
  console.log(`${maps.length} source maps, every source they name is in the tarball`);
  execFileSync("npx", ["publint", "--strict", tarball], { stdio: "inherit" });
  // node10 resolution predates package.json "exports": typesVersions maps ./testing for it.
  execFileSync("npx", ["attw", tarball], { stdio: "inherit" });
} finally {
  rmSync(folder, { recursive: true, force: true });
}
