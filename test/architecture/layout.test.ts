// How src/ is laid out, kept by a test so the layout cannot drift: imports run one way (the base and the wire formats
// know nothing of sources, the chain or the doctor; sources know nothing of the chain or the doctor; only
// pod-credentials/testing knows the fakes), a source reads in one sitting, and src/ stays small enough to map in a
// minute.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

const sourceFiles = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(folder, entry.name))
      : entry.name.endsWith(".ts")
        ? [relative(SRC, join(folder, entry.name))]
        : [],
  );

const FILES = sourceFiles(SRC);
const CORE = FILES.filter((file) => !file.startsWith("testing/"));

/**
 * The files of src/ that `file` imports (static and dynamic imports, type-only ones included). With `typeReExports`
 * false, `export type { … } from` statements are left out: the package root re-exports the doctor's report types
 * (DoctorReport, documented for `--json` consumers), which the compiler erases, so no doctor code reaches the library.
 */
const importsOf = (file: string, typeReExports = true): string[] => {
  const source = readFileSync(join(SRC, file), "utf8");
  const text = typeReExports ? source : source.replace(/export type \{[^}]*\} from "[^"]+";/g, "");
  const specifiers = [...text.matchAll(/(?:from|import\()\s*"(\.[^"]+)"/g)].map(([, specifier]) => specifier ?? "");
  return specifiers.map((specifier) =>
    relative(SRC, resolve(dirname(join(SRC, file)), specifier)).replace(/\.js$/, ".ts"),
  );
};

/** Every file of src/ that `file` reaches through its imports, itself excluded. */
const reach = (file: string, seen = new Set<string>()): Set<string> => {
  for (const imported of importsOf(file)) {
    if (seen.has(imported) || imported === file) continue;
    seen.add(imported);
    reach(imported, seen);
  }
  return seen;
};

const folderOf = (file: string): string => (file.includes("/") ? (file.split("/")[0] ?? "") : ".");

describe("imports run one way", () => {
  const rules: Array<[string, readonly string[]]> = [
    ["base", ["wire", "sources", "chain", "doctor", "cli", "testing"]],
    ["wire", ["sources", "chain", "doctor", "cli", "testing"]],
    ["sources", ["chain", "doctor", "cli", "testing"]],
    ["chain", ["doctor", "cli", "testing"]],
    ["doctor", ["cli", "testing"]],
    ["cli", ["testing"]],
    [".", ["doctor", "cli", "testing"]],
  ];

  it.each(rules)("nothing in src/%s imports from %j", (folder, forbidden) => {
    const offending = CORE.filter((file) => folderOf(file) === folder).flatMap((file) =>
      importsOf(file, folder !== ".")
        .filter((imported) => forbidden.includes(folderOf(imported)))
        .map((imported) => `${file} -> ${imported}`),
    );
    expect(offending).toEqual([]);
  });

  it("pod-credentials/testing imports nothing from the library, so the fakes imitate the real systems, not our code", () => {
    const testing = FILES.filter((file) => file.startsWith("testing/"));
    expect(testing.flatMap((file) => importsOf(file).filter((imported) => !imported.startsWith("testing/")))).toEqual(
      [],
    );
  });
});

/** Each of `files` (paths under src/) is at most `lines` lines long; a failure names the file. */
const expectAtMostLines = (files: string[], lines: number) => {
  for (const file of files) {
    expect(readFileSync(join(SRC, file), "utf8").split("\n").length, file).toBeLessThanOrEqual(lines);
  }
};

describe("a newcomer maps src/ in a minute", () => {
  it("has at most 8 entries directly in src/", () => {
    expect(readdirSync(SRC).length).toBeLessThanOrEqual(8);
  });

  it("keeps one file per source, each read in one sitting (at most about 250 lines)", () => {
    const sources = CORE.filter((file) => file.startsWith("sources/") && file !== "sources/source.ts");
    expect(sources.map((file) => file.replace(/^sources\/|\.ts$/g, "")).sort()).toEqual([
      "env",
      "instanceProfile",
      "kube2iam",
      "podIdentity",
      "sharedConfig",
      "webIdentity",
    ]);
    expectAtMostLines(sources, 250);
  });

  it("keeps the doctor and the command line one file per step, each read in one sitting (at most about 400 lines)", () => {
    const files = CORE.filter((file) => file.startsWith("doctor/") || file.startsWith("cli/"));
    expect(files.sort()).toEqual([
      "cli/main.ts",
      "cli/runCli.ts",
      "cli/serve.ts",
      "doctor/doctorReport.ts",
      "doctor/examinePod.ts",
      "doctor/renderReport.ts",
      "doctor/runDoctor.ts",
    ]);
    expectAtMostLines(files, 420);
  });

  it("lets the kube2iam source reach at most 10 files of src/", () => {
    const reached = reach("sources/kube2iam.ts");
    expect(reached.size, [...reached].sort().join(", ")).toBeLessThanOrEqual(10);
  });
});
