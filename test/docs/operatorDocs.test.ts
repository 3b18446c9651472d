// Facts the operator guides state that drift silently: how often kubelet rotates IRSA tokens, and how an init
// container runs the doctor in an image that has Node.js but no npm (distroless, slim).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const read = (path: string) => readFile(join(root, path), "utf8");

describe("docs/irsa.md on token rotation", () => {
  it("says kubelet rotates at 80% of the lifetime, about every 19 hours for EKS's 86,400 s tokens", async () => {
    const text = (await read("docs/irsa.md")).replace(/\s+/g, " ");
    expect(text).toContain("80 % of its lifetime");
    expect(text).toContain("86,400 s");
    expect(text).toContain("about every 19 hours");
    expect(text).not.toMatch(/every hour/);
    // 80% of 86,400 s, in hours: the number the guide rounds.
    expect(Math.round((0.8 * 86_400) / 3600)).toBe(19);
  });
});

describe("the init-container example", () => {
  it("runs the installed bin with node, without npm or npx", async () => {
    const manifest = await read("examples/kubernetes/init-container.yaml");
    const initContainers = manifest.slice(manifest.indexOf("initContainers:"), manifest.indexOf("  containers:"));
    const command = /command: (\[.*\])/.exec(initContainers)?.[1];
    expect(JSON.parse(command ?? "null")).toEqual([
      "node",
      "node_modules/.bin/pod-credentials",
      "doctor",
      "--wait",
      "60",
    ]);
    expect(initContainers).toMatch(/workingDir: \//);
    const { bin } = JSON.parse(await read("package.json")) as { bin: Record<string, string> };
    expect(Object.keys(bin)).toEqual(["pod-credentials"]);
  });

  it.each([
    "docs/getting-started.md",
    "docs/doctor.md",
    "docs/kube2iam-and-kiam.md",
    "examples/kubernetes/init-container.yaml",
  ])("%s never tells an init container to use npx", async (path) => {
    const lines = (await read(path)).split("\n").filter((line) => /init.container/i.test(line));
    expect(lines.length).toBeGreaterThan(0);
    // A command that starts with npx, in a code span or a YAML list; prose may name npx to say it is not needed.
    for (const line of lines) expect(line).not.toMatch(/[`"]npx\b/);
  });
});
