import type { Environment } from "../base/settings.js";
import { renderReport } from "../doctor/renderReport.js";
import { runDoctor } from "../doctor/runDoctor.js";
import { helpText } from "./helpText.js";
import { parseCommandLine } from "./parseCommandLine.js";

/** Where the CLI writes, and what it reads: the process, or a test's stand-ins. */
export interface CliIo {
  /** The arguments after the program name. */
  readonly argv: readonly string[];
  /** The environment (`process.env`). */
  readonly env: Environment;
  /** Standard output; `isTTY` decides colour. */
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean | undefined };
  /** Standard error: usage errors and `--wait` progress. */
  readonly stderr: { write(text: string): unknown };
  /** The package version. */
  readonly version: string;
}

/** `NO_COLOR` (https://no-color.org): any non-empty value turns colour off. */
const colorAllowed = (io: CliIo): boolean => io.stdout.isTTY === true && (io.env.NO_COLOR ?? "") === "";

/** Runs the command line and returns the exit code: 0 pod-scoped credentials, 1 usage error, 2 anything else. */
export const runCli = async (io: CliIo): Promise<number> => {
  const line = parseCommandLine(io.argv);
  switch (line.command) {
    case "help":
      io.stdout.write(helpText(io.version));
      return 0;
    case "version":
      io.stdout.write(`${io.version}\n`);
      return 0;
    case "usageError":
      io.stderr.write(`pod-credentials: ${line.message}\nRun "pod-credentials --help" for usage.\n`);
      return 1;
    case "doctor": {
      const { options } = line;
      const report = await runDoctor({
        env: io.env,
        version: io.version,
        region: options.region,
        verify: options.verify,
        waitSeconds: options.waitSeconds,
        onProgress: (text) => io.stderr.write(`${text}\n`),
      });
      io.stdout.write(
        options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, { color: colorAllowed(io) }),
      );
      return report.exitCode;
    }
  }
};

/**
 * {@link runCli}, with a failure of the doctor itself (a bug, or standard output that cannot be written) reported on
 * standard error as exit 1. Name and message only: a stack trace helps nobody at 3 a.m. and could quote data.
 */
export const runCliReportingFailures = async (io: CliIo): Promise<number> => {
  try {
    return await runCli(io);
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.stderr.write(`pod-credentials: the doctor itself failed: ${text}\n`);
    return 1;
  }
};
