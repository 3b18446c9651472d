import { parseArgs } from "node:util";

/** The doctor's options as given on the command line. */
export interface DoctorCommandOptions {
  /** `--json`: print the report as one JSON object. */
  readonly json: boolean;
  /** `--verify`: call STS GetCallerIdentity with the chain's credentials. */
  readonly verify: boolean;
  /** `--wait <seconds>`: retry the chain until it resolves or this time has passed. */
  readonly waitSeconds: number | undefined;
  /** `--region <region>`: the region for STS calls. */
  readonly region: string | undefined;
}

/** What the command line asks for. */
export type CommandLine =
  | { readonly command: "help" }
  | { readonly command: "version" }
  | { readonly command: "doctor"; readonly options: DoctorCommandOptions }
  | { readonly command: "usageError"; readonly message: string };

/** The longest `--wait`: a day. */
export const MAX_WAIT_SECONDS = 86_400;
const COMMANDS = ["doctor", "help"] as const;
const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;

const usageError = (message: string): CommandLine => ({ command: "usageError", message });

/**
 * Parses the arguments after the program name with `node:util` `parseArgs` (strict: an unknown option is a usage
 * error). `doctor` is the default command; `--help` and `--version` win over everything else.
 */
export const parseCommandLine = (argv: readonly string[]): CommandLine => {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const [command = "doctor", ...extra] = positionals;
  if (!(COMMANDS as readonly string[]).includes(command)) return usageError(`unknown command "${command}".`);
  if (extra.length > 0) return usageError(`unexpected argument "${extra[0] ?? ""}".`);
  if (command === "help") return { command: "help" };

  let waitSeconds: number | undefined;
  if (values.wait !== undefined) {
    waitSeconds = /^\d+(\.\d+)?$/.test(values.wait.trim()) ? Number(values.wait.trim()) : Number.NaN;
    if (!Number.isFinite(waitSeconds) || waitSeconds > MAX_WAIT_SECONDS) {
      return usageError(`--wait takes a number of seconds from 0 to ${MAX_WAIT_SECONDS}, not "${values.wait}".`);
    }
  }
  const region = values.region?.trim();
  if (values.region !== undefined && (region === undefined || !REGION.test(region))) {
    return usageError(`--region takes an AWS region such as us-east-1, not "${values.region}".`);
  }
  return {
    command: "doctor",
    options: { json: values.json === true, verify: values.verify === true, waitSeconds, region },
  };
};

const parse = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
      json: { type: "boolean" },
      verify: { type: "boolean" },
      wait: { type: "string" },
      region: { type: "string" },
    },
  });
