import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../src/cli/runCli.js";

describe("the command line", () => {
  it("runs the doctor by default", () => {
    expect(parseCommandLine([])).toEqual({
      command: "doctor",
      options: { json: false, verify: false, waitSeconds: undefined, region: undefined },
    });
    expect(parseCommandLine(["doctor", "--json", "--verify", "--wait", "60", "--region", "eu-west-1"])).toEqual({
      command: "doctor",
      options: { json: true, verify: true, waitSeconds: 60, region: "eu-west-1" },
    });
    expect(parseCommandLine(["--wait=0.5"])).toMatchObject({ options: { waitSeconds: 0.5 } });
  });

  it("answers --help and --version before anything else", () => {
    expect(parseCommandLine(["doctor", "--help"])).toEqual({ command: "help" });
    expect(parseCommandLine(["-h"])).toEqual({ command: "help" });
    expect(parseCommandLine(["help"])).toEqual({ command: "help" });
    expect(parseCommandLine(["--version"])).toEqual({ command: "version" });
    expect(parseCommandLine(["-v"])).toEqual({ command: "version" });
  });

  it.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["fix"], /unknown command "fix"/],
    [["doctor", "extra"], /unexpected argument "extra"/],
    [["--wait"], /argument missing/],
    [["--wait", "soon"], /--wait takes a number of seconds/],
    [["--wait=-1"], /--wait takes a number of seconds/],
    [["--wait", "-1"], /argument is ambiguous/],
    [["--wait", "100000"], /--wait takes a number of seconds/],
    [["--region", "Mars"], /--region takes an AWS region/],
  ])("calls %j a usage error", (argv, message) => {
    const parsed = parseCommandLine(argv);
    expect(parsed.command).toBe("usageError");
    expect(parsed.command === "usageError" && parsed.message).toMatch(message);
  });
});
