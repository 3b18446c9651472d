// The messages of `pod-credentials serve` and `credential-process` that are theirs, not the chain's: the token
// file's refusals and the usage errors. (The chain's errors they print are the scenarios in scenarios.ts.)
import { chmod } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "../../src/cli/runCli.js";
import { loadOrCreateToken } from "../../src/cli/serve.js";
import type { Scenario } from "./scenarios.js";
import { errorText, type World } from "./world.js";

const TOKEN_FILE = "/var/run/pod-credentials/token";

/** The error loading `path` as serve's token file gives. */
const tokenError = async (path: string): Promise<string[]> => {
  try {
    await loadOrCreateToken(path);
  } catch (error) {
    return [errorText(error)];
  }
  throw new Error("the token file was accepted");
};

/** What the command line writes on standard error for `argv`. */
const usage = async (argv: string[]): Promise<string[]> => {
  const err: string[] = [];
  const ignore = { write: () => true };
  await runCli({ argv, env: {}, stdout: ignore, stderr: { write: (text: string) => err.push(text) }, version: "" });
  return [err.join("").trimEnd()];
};

/** Serve's token file holds `content`, with these permissions. */
const tokenFileScenario = (what: string, documented: string, content: string, mode: number): Scenario => ({
  name: `serve: the token file ${what}`,
  documented: [documented],
  run: async (world: World) => {
    const path = await world.file(TOKEN_FILE, content);
    await chmod(path, mode);
    return tokenError(path);
  },
});

export const SERVE_SCENARIOS: readonly Scenario[] = [
  tokenFileScenario(
    "can be read by any user",
    "can be read or written by any user",
    "a-token-the-operator-chose-0123456789",
    0o644,
  ),
  tokenFileScenario(
    "ends with a newline",
    "must hold one token of at least 16 visible ASCII characters and nothing else",
    "a-token-the-operator-chose-0123456789\n",
    0o600,
  ),
  {
    name: "serve: the token file's folder does not exist",
    documented: ["Cannot create the token file"],
    run: async (world: World) => {
      const folder = await world.folder("/var/run");
      const path = join(folder, "pod-credentials", "token");
      world.show(path, TOKEN_FILE);
      return tokenError(path);
    },
  },
  {
    name: "serve: --listen on an address that is not loopback",
    documented: [
      "--listen takes 127.0.0.1:PORT or [::1]:PORT (loopback only",
      'Run "pod-credentials serve --help" for usage.',
    ],
    run: () => usage(["serve", "--listen", "0.0.0.0:9911"]),
  },
  {
    name: "credential-process: an argument",
    documented: ["credential-process takes no arguments"],
    run: () => usage(["credential-process", "--profile", "orders"]),
  },
];
