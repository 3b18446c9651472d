// Slips on the command line that the parser words for the operator: a value given to an option that takes none, and
// a typo within reach of two options, where the nearer one is suggested whatever order the options are listed in.
import { describe, expect, it } from "vitest";
import { closest, parseCommandLine } from "../../src/cli/runCli.js";

describe("an option that takes no value, given one", () => {
  it.each([
    [["--json=yes"], "Option '--json' does not take an argument"],
    [["doctor", "--verify=true"], "Option '--verify' does not take an argument"],
    [["--help=1"], "Option '-h, --help' does not take an argument"],
  ])("%j is a usage error saying so", (argv, message) => {
    expect(parseCommandLine(argv)).toEqual({ command: "usageError", message });
  });
});

describe("a typo within reach of two options", () => {
  it("suggests the nearer one, though a farther one comes first in the list", () => {
    // --verifn: 2 edits from --version (listed first), 1 from --verify.
    expect(closest("--verifn", ["--version", "--verify"])).toBe("--verify");
    expect(parseCommandLine(["--verifn"])).toEqual({
      command: "usageError",
      message: "Unknown option '--verifn'. Did you mean '--verify'?",
    });
  });

  it("keeps the first of two equally near options", () => {
    expect(closest("--wer", ["--war", "--wet"])).toBe("--war");
  });
});
