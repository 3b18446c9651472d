// Runs one measurement in a fresh Node.js process and returns the JSON it reports.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { VIOLATION_EXIT_CODE } from "./loopbackGuard.mjs";

const GUARD = fileURLToPath(new URL("./loopbackGuard.mjs", import.meta.url));
export const RESULT_MARKER = "@@BENCH_RESULT@@";
const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * Spawns `node --import loopbackGuard.mjs [nodeArgs] <script> <json input>` with exactly `env`, and resolves with the
 * object the child printed after {@link RESULT_MARKER}. `script` is a file URL, or `{ eval: "<ES module code>" }` for
 * `node --input-type=module -e <code>`. Rejects when the child fails, prints no result, tries to leave loopback, or
 * runs past `timeoutMs` (it is then killed, by its own pid).
 */
export const runChild = (script, input, { env, nodeArgs = [], timeoutMs = DEFAULT_TIMEOUT_MS, cwd } = {}) =>
  new Promise((resolve, reject) => {
    const target = script instanceof URL ? [fileURLToPath(script)] : ["--input-type=module", "-e", script.eval];
    const name = script instanceof URL ? script.pathname : "node -e";
    const child = spawn(process.execPath, ["--import", GUARD, ...nodeArgs, ...target, JSON.stringify(input)], {
      env,
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} ran past ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      if (code === VIOLATION_EXIT_CODE) return reject(new Error(`a child tried to leave loopback:\n${stderr}`));
      const line = stdout.split("\n").find((candidate) => candidate.startsWith(RESULT_MARKER));
      if (code !== 0 || line === undefined) {
        return reject(
          new Error(`${name} exited with ${code}\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-4000)}`),
        );
      }
      resolve(JSON.parse(line.slice(RESULT_MARKER.length)));
    });
  });

/** For children: prints the result where {@link runChild} looks for it. */
export const report = (result) => {
  process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(result)}\n`);
};
