// The runtime matrix as the README states it, against what `npm run test:runtimes` (scripts/runtimes/run.mjs, run by
// CI) runs: the same runtimes, each with a verdict from that run, the engines field matching the oldest Node.js
// supported, and CI running the matrix. The matrix itself is too slow for npm test (it installs runtimes).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const script: string = join(root, "scripts", "runtimes", "run.mjs");

interface RuntimeScript {
  readonly RUNTIMES: readonly { readonly id: string; readonly name: string; readonly spec?: string }[];
  readonly readmeVerdicts: (readme: string) => Map<string, string>;
}

describe("the runtime matrix", () => {
  it("lists in the README every runtime the script runs, each with the verdict of a run", async () => {
    const { RUNTIMES, readmeVerdicts } = (await import(script)) as RuntimeScript;
    const verdicts = readmeVerdicts(await readFile(join(root, "README.md"), "utf8"));
    expect([...verdicts.keys()]).toEqual(RUNTIMES.map(({ name }) => name));
    expect(RUNTIMES.map(({ id }) => id)).toEqual(["node20", "node22", "node24", "node26", "bun", "deno"]);
    for (const verdict of verdicts.values()) expect(["supported", "not supported"]).toContain(verdict);
  });

  it("has engines name the oldest Node.js the matrix supports, and the README say so", async () => {
    const { readmeVerdicts } = (await import(script)) as RuntimeScript;
    const readme = await readFile(join(root, "README.md"), "utf8");
    const { engines } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
      engines: { node: string };
    };
    const supportedNode = [...readmeVerdicts(readme)]
      .filter(([name, verdict]) => name.startsWith("Node.js") && verdict === "supported")
      .map(([name]) => Number(name.replace("Node.js ", "")));
    expect(engines.node).toBe(`>=${Math.min(...supportedNode)}`);
    expect(readme).toContain(`\`engines\` says \`node ${engines.node}\``);
  });

  it("runs in CI after npm test", async () => {
    const ci = await readFile(join(root, ".ci", "run"), "utf8");
    const { scripts } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts["test:runtimes"]).toBe("node scripts/runtimes/run.mjs");
    expect(ci.split("\n")).toContain("npm run test:runtimes");
    expect(ci.indexOf("npm run test:runtimes")).toBeGreaterThan(ci.indexOf("npm test"));
  });
});
