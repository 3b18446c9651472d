// scripts/quiet.mjs, which `npm test` runs the release check through: a green run that prints on standard error fails.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const quiet = join(root, "scripts", "quiet.mjs");

const wrap = async (script: string) => {
  const result = await promisify(execFile)(process.execPath, [quiet, process.execPath, "-e", script]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  return { code: result.code, stdout: result.stdout, stderr: result.stderr };
};

describe("the quiet check around npm test", () => {
  it("passes a green run that prints on standard output only", async () => {
    expect(await wrap("console.log('all good')")).toEqual({ code: 0, stdout: "all good\n", stderr: "" });
  });

  it("fails a green run that prints a warning, and passes the warning through", async () => {
    const { code, stderr } = await wrap("process.emitWarning('deprecated thing')");
    expect(code).toBe(1);
    expect(stderr).toMatch(/Warning: deprecated thing/);
    expect(stderr).toMatch(/passed but printed 2 lines on standard error \(above\): a green run must be quiet/);
  });

  it("keeps a failing run's own exit code and output", async () => {
    expect(await wrap("console.error('broken'); process.exit(3)")).toEqual({ code: 3, stdout: "", stderr: "broken\n" });
  });

  it("is what npm test runs", async () => {
    const { scripts } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts.test).toBe("node scripts/quiet.mjs npm run check");
  });
});
