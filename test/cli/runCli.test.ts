// The command line in-process: runCli with its arguments, environment and streams injected. What an operator sees on
// standard output and standard error, and the exit code. (test/cli/doctor.test.ts runs the built program itself.)
import { describe, expect, it } from "vitest";
import { type CliIo, helpText, runCli, runCliReportingFailures } from "../../src/cli/runCli.js";
import type { DoctorReport } from "../../src/doctor/doctorReport.js";
import { fakeImds, fakeKube2iam } from "../../src/testing/index.js";
import { serve, unusedLoopbackUrl } from "../doctor/servers.js";
import { secretCredentials } from "../support/fakes.js";
import { recordOutput } from "../support/leakCheck.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes is the point.
const ANSI = /\u001b\[/;

interface Terminal {
  readonly io: CliIo;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** Streams that record what is written; `isTTY` as a terminal would set it. */
const terminal = (argv: readonly string[], env: Record<string, string>, isTTY?: boolean): Terminal => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      argv,
      env,
      stdout: { write: (text: string) => out.push(text), isTTY },
      stderr: { write: (text: string) => err.push(text) },
      version: "9.9.9",
    },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
};

/** Runs the command line; everything written is checked for secrets by the leak check. */
const run = async (argv: readonly string[], env: Record<string, string> = {}, isTTY?: boolean) => {
  const session = terminal(argv, env, isTTY);
  const exitCode = await runCli(session.io);
  recordOutput(session.stdout());
  recordOutput(session.stderr());
  return { exitCode, stdout: session.stdout(), stderr: session.stderr() };
};

/** An environment where nothing is configured and nothing answers at the metadata endpoint. */
const nothingConfigured = async (): Promise<Record<string, string>> => ({
  AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedLoopbackUrl(),
});

describe("pod-credentials, run in-process", () => {
  it.each([["--help"], ["-h"], ["help"], ["doctor", "--help"]])(
    "%s prints the help with the version on standard output and exits 0",
    async (...argv) => {
      expect(await run(argv)).toEqual({ exitCode: 0, stdout: helpText("9.9.9"), stderr: "" });
    },
  );

  it("the help names every option and the exit codes", () => {
    const text = helpText("9.9.9");
    expect(text.startsWith("pod-credentials 9.9.9: AWS credentials that are the pod's own\n")).toBe(true);
    for (const option of ["--json", "--verify", "--wait <seconds>", "--region <region>", "--help", "--version"]) {
      expect(text).toContain(option);
    }
    expect(text).toContain("Exit codes:\n  0  the chain resolves pod-scoped credentials");
    expect(text).toContain("NO_COLOR");
  });

  it.each([["--version"], ["-v"]])("%s prints the version alone and exits 0", async (flag) => {
    expect(await run([flag])).toEqual({ exitCode: 0, stdout: "9.9.9\n", stderr: "" });
  });

  it.each([
    [["fix"], 'unknown command "fix".'],
    [["doctor", "--wait", "soon"], '--wait takes a number of seconds from 0 to 86400, got "soon".'],
    [["--bogus"], "Unknown option '--bogus'"],
  ])("calls %j a usage error on standard error with a hint, exit 1, nothing on standard output", async (argv, what) => {
    const { exitCode, stdout, stderr } = await run(argv);
    expect({ exitCode, stdout }).toEqual({ exitCode: 1, stdout: "" });
    expect(stderr.startsWith(`pod-credentials: ${what}`)).toBe(true);
    expect(stderr.endsWith('\nRun "pod-credentials --help" for usage.\n')).toBe(true);
  });

  describe("the doctor", () => {
    it("prints the report for a terminal, verdict last, and exits with the verdict's code", async () => {
      const { exitCode, stdout, stderr } = await run(["doctor"], await nothingConfigured());
      expect(exitCode).toBe(2);
      expect(stdout.startsWith("pod-credentials doctor 9.9.9  ")).toBe(true);
      expect(stdout.trimEnd().split("\n").slice(-3, -1)).toEqual(["Verdict", "  NOT CONFIGURED (exit 2)"]);
      expect(stdout).not.toMatch(ANSI);
      expect(stderr).toBe("");
    });

    it("exits 0 when the chain resolves pod-scoped credentials", async () => {
      const proxy = fakeKube2iam({
        podRole: "orders-reader",
        credentials: secretCredentials("KUBE2IAM"),
        upstream: fakeImds().handler,
      });
      const { exitCode, stdout } = await run([], {
        POD_CREDENTIALS_ROLE: "orders-reader",
        AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(proxy),
      });
      expect(exitCode).toBe(0);
      expect(stdout).toContain("  OK: pod-scoped credentials (exit 0)\n");
    });

    it.each([
      ["a terminal", true, {}, true],
      ["a terminal with NO_COLOR set", true, { NO_COLOR: "1" }, false],
      ["a terminal with NO_COLOR empty", true, { NO_COLOR: "" }, true],
      ["a pipe", false, {}, false],
      ["a stream that does not say", undefined, {}, false],
    ])("colours the report only for a terminal without NO_COLOR: %s", async (_, isTTY, env, colours) => {
      const { stdout } = await run(["doctor"], { ...(await nothingConfigured()), ...env }, isTTY);
      expect(ANSI.test(stdout)).toBe(colours);
    });

    it("--json prints one JSON object, never coloured, with the version and the flags applied", async () => {
      const { exitCode, stdout, stderr } = await run(
        ["--json", "--verify", "--region", "eu-west-1"],
        await nothingConfigured(),
        true,
      );
      const report = JSON.parse(stdout) as DoctorReport;
      expect(exitCode).toBe(2);
      expect(stdout.endsWith("}\n")).toBe(true);
      expect(stdout).not.toMatch(ANSI);
      expect(report).toMatchObject({
        schemaVersion: 1,
        tool: { name: "pod-credentials", version: "9.9.9" },
        exitCode: 2,
        configuration: { region: "eu-west-1", regionFrom: "--region" },
        verification: { status: "skipped", region: "eu-west-1" },
        wait: null,
      });
      expect(stderr).toBe("");
    });

    it("--wait writes its progress to standard error, one line per attempt, and the report to standard output", async () => {
      const { exitCode, stdout, stderr } = await run(["--wait", "0", "--json"], await nothingConfigured());
      expect(exitCode).toBe(2);
      expect(JSON.parse(stdout)).toMatchObject({ wait: { seconds: 0, attempts: 1, resolved: false } });
      const lines = stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toBe("pod-credentials doctor: waiting up to 0 s for fromPodProviderChain() to resolve");
      expect(lines[1]).toMatch(
        /^pod-credentials doctor: attempt 1: NoPodCredentialsError: .*; giving up after \d+\.\d s$/,
      );
    });
  });

  describe("when the doctor itself fails", () => {
    const brokenStdout = (thrown: unknown): Terminal => {
      const session = terminal(["--version"], {});
      return {
        ...session,
        io: {
          ...session.io,
          stdout: {
            write: () => {
              throw thrown;
            },
          },
        },
      };
    };

    it("reports the error by name and message on standard error, exit 1", async () => {
      const session = brokenStdout(Object.assign(new Error("write EPIPE"), { name: "EPIPEError" }));
      expect(await runCliReportingFailures(session.io)).toBe(1);
      expect(session.stderr()).toBe("pod-credentials: the doctor itself failed: EPIPEError: write EPIPE\n");
    });

    it("reports a thrown value that is not an Error as text", async () => {
      const session = brokenStdout("stream closed");
      expect(await runCliReportingFailures(session.io)).toBe(1);
      expect(session.stderr()).toBe("pod-credentials: the doctor itself failed: stream closed\n");
    });

    it("passes the exit code through when nothing fails", async () => {
      const session = terminal(["--bogus"], {});
      expect(await runCliReportingFailures(session.io)).toBe(1);
      expect(session.stderr()).toContain("Unknown option '--bogus'");
      const version = terminal(["--version"], {});
      expect(await runCliReportingFailures(version.io)).toBe(0);
      expect(version.stderr()).toBe("");
    });
  });
});
