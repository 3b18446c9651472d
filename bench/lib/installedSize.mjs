// The installed size of production dependencies: the package folders `npm ls --omit=dev --all --parseable` lists,
// each summed without its nested node_modules (those are listed, and counted, on their own).
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Bytes of the regular files under `folder`, nested node_modules folders excluded, symbolic links not followed. */
export const folderBytes = (folder) => {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") total += folderBytes(join(folder, entry.name));
    } else if (entry.isFile()) {
      total += lstatSync(join(folder, entry.name)).size;
    }
  }
  return total;
};

/** The package folders of the production dependency tree of `root`, as npm lists them (root itself excluded). */
export const productionPackageFolders = (root, env) => {
  const output = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable", "--offline"], {
    cwd: root,
    env,
    encoding: "utf8",
  });
  return [
    ...new Set(
      output
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && line !== resolve(root)),
    ),
  ];
};

/** The folder `name` resolves to from `fromFolder`, the way Node looks up node_modules. */
const resolvePackageFolder = (name, fromFolder) => {
  for (let folder = fromFolder; ; folder = dirname(folder)) {
    const candidate = join(folder, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(folder) === folder) return undefined;
  }
};

/** The folders of `packageFolder` and everything its `dependencies` reach (installed optional ones included). */
export const dependencyClosure = (packageFolder) => {
  const seen = new Set();
  const visit = (folder) => {
    if (seen.has(folder)) return;
    seen.add(folder);
    const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      const found = resolvePackageFolder(name, folder);
      if (found !== undefined) visit(found);
    }
  };
  visit(packageFolder);
  return [...seen];
};
