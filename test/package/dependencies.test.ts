// The SDK as the package depends on it: only the provider packages src/ imports, never the root
// @aws-sdk/credential-providers, which loads every provider (Cognito included) into a consumer's bundle.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

/** The packages src/ imports (static, dynamic and type-only), from code, not from TSDoc examples. */
const importedPackages = async (): Promise<Set<string>> => {
  const packages = new Set<string>();
  const files = (await readdir(join(root, "src"), { recursive: true })).filter((file) => file.endsWith(".ts"));
  for (const file of files) {
    const code = (await readFile(join(root, "src", file), "utf8"))
      .split("\n")
      .filter((line) => !/^\s*(\*|\/\/)/.test(line))
      .join("\n");
    for (const [, name] of code.matchAll(/(?:from|import\()\s*"((?:@[^/"]+\/)?[^/".][^/"]*)/g)) {
      if (name && !name.startsWith("node:")) packages.add(name);
    }
  }
  return packages;
};

describe("the package's dependencies", () => {
  it("are exactly the packages src/ imports, without the root @aws-sdk/credential-providers", async () => {
    const { dependencies, peerDependencies } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    const imported = await importedPackages();
    expect(imported).not.toContain("@aws-sdk/credential-providers");
    expect([...imported].sort()).toEqual([...Object.keys(dependencies), ...Object.keys(peerDependencies)].sort());
  });
});
