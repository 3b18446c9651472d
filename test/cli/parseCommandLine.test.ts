import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { closest, DOCS_URL, editDistance, helpText, KNOWN_COMMANDS, parseCommandLine } from "../../src/cli/runCli.js";

const root = join(import.meta.dirname, "..", "..");

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
    [["--bogus"], "Unknown option '--bogus'."],
    [["-x"], "Unknown option '-x'."],
    [["fix"], 'unknown command "fix".'],
    [["doctor", "extra"], 'unexpected argument "extra".'],
    [["--wait"], "--wait takes a number of seconds from 0 to 86400, got nothing."],
    [["--wait", "--json"], "--wait takes a number of seconds from 0 to 86400, got nothing."],
    [["--wait", "soon"], '--wait takes a number of seconds from 0 to 86400, got "soon".'],
    [["--wait", ""], '--wait takes a number of seconds from 0 to 86400, got "".'],
    [["--wait=-1"], "--wait takes a number of seconds from 0 to 86400, got -1."],
    [["--wait", "-1"], "--wait takes a number of seconds from 0 to 86400, got -1."],
    [["--wait", "-0.5"], "--wait takes a number of seconds from 0 to 86400, got -0.5."],
    [["--wait", "100000"], "--wait takes a number of seconds from 0 to 86400, got 100000."],
    [["--wait", "1e3"], '--wait takes a number of seconds from 0 to 86400, got "1e3".'],
    [["--region", "Mars"], '--region takes an AWS region such as us-east-1, got "Mars".'],
    [["--region", "-eu-west-1"], '--region takes an AWS region such as us-east-1, got "-eu-west-1".'],
    [["--region"], "--region takes an AWS region such as us-east-1, got nothing."],
  ])("calls %j a usage error: %s", (argv, message) => {
    expect(parseCommandLine(argv)).toEqual({ command: "usageError", message });
  });

  it.each([
    [["--jsn"], "Unknown option '--jsn'. Did you mean '--json'?"],
    [["--JSON"], "Unknown option '--JSON'. Did you mean '--json'?"],
    [["--verfy"], "Unknown option '--verfy'. Did you mean '--verify'?"],
    [["--wiat=3"], "Unknown option '--wiat'. Did you mean '--wait'?"],
    [["--regoin", "eu-west-1"], "Unknown option '--regoin'. Did you mean '--region'?"],
    [["-json"], "Unknown option '-json'. Did you mean '--json'?"],
    [["--versoin"], "Unknown option '--versoin'. Did you mean '--version'?"],
    [["doctr"], "unknown command \"doctr\". Did you mean 'doctor'?"],
    [["hlep"], "unknown command \"hlep\". Did you mean 'help'?"],
    [["sevre"], "unknown command \"sevre\". Did you mean 'serve'?"],
    [["credential_process"], "unknown command \"credential_process\". Did you mean 'credential-process'?"],
    [["credentials-process"], "unknown command \"credentials-process\". Did you mean 'credential-process'?"],
  ])("suggests the closest known word for %j", (argv, message) => {
    expect(parseCommandLine(argv)).toEqual({ command: "usageError", message });
  });

  it("suggests nothing when no known word is close", () => {
    expect(parseCommandLine(["--x"])).toEqual({ command: "usageError", message: "Unknown option '--x'." });
    expect(parseCommandLine(["--output"])).toEqual({ command: "usageError", message: "Unknown option '--output'." });
    expect(parseCommandLine(["deploy"])).toEqual({ command: "usageError", message: 'unknown command "deploy".' });
  });

  it("knows the commands of the whole tool, serve and credential-process included", () => {
    expect(KNOWN_COMMANDS).toEqual(["doctor", "help", "serve", "credential-process"]);
  });

  it("measures closeness as the number of one-character edits", () => {
    expect(editDistance("", "")).toBe(0);
    expect(editDistance("json", "json")).toBe(0);
    expect(editDistance("jsn", "json")).toBe(1);
    expect(editDistance("jsno", "json")).toBe(1);
    expect(editDistance("jnos", "json")).toBe(2);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "wait")).toBe(4);
    expect(editDistance("wiat", "wait")).toBe(1);
    expect(editDistance("ab", "ba")).toBe(1);
    expect(closest("--verison", ["--verify", "--version"])).toBe("--version");
    expect(closest("--vers", ["--verify", "--version"])).toBeUndefined();
    expect(closest("--x", ["--h"])).toBeUndefined();
  });

  it("keeps grouped short options and values after --", () => {
    expect(parseCommandLine(["-hv"])).toEqual({ command: "help" });
    expect(parseCommandLine(["--", "-1"])).toEqual({ command: "usageError", message: 'unknown command "-1".' });
  });
});

describe("the help", () => {
  it("links the documentation by URL: the package does not ship docs/", async () => {
    const text = helpText("9.9.9");
    const cited = [...text.matchAll(/(\S*)docs\/([\w-]+\.md)/g)];
    expect(cited.map((match) => match[0])).toEqual([`${DOCS_URL}/serving-the-pod.md`, `${DOCS_URL}/doctor.md`]);
    const { homepage, files } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
      homepage: string;
      files: string[];
    };
    expect(DOCS_URL.startsWith(homepage.replace(/#readme$/, ""))).toBe(true);
    expect(files).not.toContain("docs");
    for (const [, , name] of cited)
      await expect(readFile(join(root, "docs", name ?? ""), "utf8")).resolves.toContain("#");
  });
});
