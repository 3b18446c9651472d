import { execFile } from "node:child_process";
import { join } from "node:path";

const POD_SCRIPT = join(import.meta.dirname, "podProcess.mjs");

export interface PodRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON line the pod printed: `{ ok: true, describe }` or `{ ok: false, name, message }`. */
  readonly result: { ok: boolean; name?: string; message?: string; source?: string; accessKeyId?: string };
  readonly elapsedMs: number;
}

/**
 * Runs the BUILT package (dist/, as users get it) in a child process configured by environment variables alone,
 * as a pod would be; the child resolves credentials once and prints one JSON line.
 */
export const runPod = async (env: Record<string, string>, timeoutMs = 30_000): Promise<PodRun> => {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [POD_SCRIPT],
      {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/nonexistent", NODE_NO_WARNINGS: "1", ...env },
        timeout: timeoutMs,
      },
      (error, stdout, stderr) => {
        const last = stdout.trim().split("\n").at(-1) ?? "{}";
        let result: PodRun["result"];
        try {
          result = JSON.parse(last);
        } catch {
          result = { ok: false, name: "NoJson", message: last };
        }
        resolve({
          exitCode: error ? Number(error.code ?? 1) : 0,
          stdout,
          stderr,
          result,
          elapsedMs: Date.now() - started,
        });
      },
    );
  });
};
