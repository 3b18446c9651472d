// The `pod-credentials` command line: the arguments in, a report, a document or a message out, the exit code back.
// main.ts wires it to the process; tests pass their own streams and environment. `doctor` and `credential-process`
// live here; `serve`, long-running, in serve.ts.
import { readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import type { AwsCredentialIdentity } from "@smithy/types";
import { fromPodProviderChain } from "../chain/fromPodProviderChain.js";
import { renderReport } from "../doctor/renderReport.js";
import { runDoctor } from "../doctor/runDoctor.js";
import { awsTime, type CommandIo, errorLine, failed, serveCommand, streamLogger } from "./serve.js";

/** The process, or a test's stand-ins: `argv` after the program name; standard error takes usage errors and progress. */
export interface CliIo extends CommandIo {
  readonly argv: readonly string[];
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean | undefined };
  readonly version: string;
}

/** Runs the command line and returns the exit code: 0 pod-scoped credentials, 1 usage error, 2 anything else. */
export const runCli = async (io: CliIo): Promise<number> => {
  const [first = "", ...rest] = io.argv;
  // Commands with options of their own parse them themselves.
  if (first === "serve") return serveCommand(io, rest);
  if (first === "credential-process") return credentialProcessCommand(io, rest);
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
      const onProgress = (text: string) => io.stderr.write(`${text}\n`);
      const report = await runDoctor({ ...options, env: io.env, version: io.version, onProgress });
      // NO_COLOR (https://no-color.org): any non-empty value turns colour off.
      const color = io.stdout.isTTY === true && (io.env.NO_COLOR ?? "") === "";
      io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, { color }));
      return report.exitCode;
    }
  }
};

/**
 * {@link runCli}, with a failure of the doctor itself (a bug, or standard output that cannot be written) reported on
 * standard error as exit 1.
 */
export const runCliReportingFailures = async (io: CliIo): Promise<number> => {
  try {
    return await runCli(io);
  } catch (error) {
    io.stderr.write(`pod-credentials: the doctor itself failed: ${errorLine(error)}\n`);
    return 1;
  }
};

/**
 * The document a `credential_process` prints (Version 1): `SessionToken` and `Expiration` only when the credentials
 * have them (static keys have neither, and the SDKs then treat the keys as not expiring).
 */
export const credentialProcessDocument = (credentials: AwsCredentialIdentity) => ({
  Version: 1,
  AccessKeyId: credentials.accessKeyId,
  SecretAccessKey: credentials.secretAccessKey,
  ...(credentials.sessionToken === undefined ? {} : { SessionToken: credentials.sessionToken }),
  ...(credentials.expiration === undefined ? {} : { Expiration: awsTime(credentials.expiration) }),
});

/**
 * `pod-credentials credential-process`: takes no arguments (exit 1 otherwise), resolves once through the chain,
 * configured by the environment alone, and prints the document; exit 0, or 2 with the chain's error. Nothing is
 * written to disk: each run resolves anew (an SDK calls it again near the expiration).
 *
 * The default log level is `warn` (the AWS CLI shows the process's standard error to its user): the node-role
 * warning is kept, the info line is not. Error lines are dropped because the command prints the same error itself.
 */
export const credentialProcessCommand = async (io: CommandIo, args: readonly string[]): Promise<number> => {
  if (args.length > 0) {
    io.stderr.write(
      `pod-credentials: credential-process takes no arguments, not "${args[0]}"; it is configured by the environment, as the library is.\n`,
    );
    return 1;
  }
  try {
    const credentials = await fromPodProviderChain({ env: io.env, logger: streamLogger(io, "warn", ["error"]) })();
    io.stdout.write(`${JSON.stringify(credentialProcessDocument(credentials))}\n`);
    return 0;
  } catch (error) {
    return failed(io, "credential-process", error);
  }
};

const MAX_WAIT_SECONDS = 86_400;
const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;

const usageError = (message: string) => ({ command: "usageError" as const, message });

/** The commands, for "did you mean"; `serve` and `credential-process` never reach the parser below. */
export const KNOWN_COMMANDS = ["doctor", "help", "serve", "credential-process"] as const;

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
  json: { type: "boolean" },
  verify: { type: "boolean" },
  wait: { type: "string" },
  region: { type: "string" },
} as const;

const LONG_OPTIONS = Object.keys(OPTIONS).map((name) => `--${name}`);
const SHORT_OPTIONS = Object.values(OPTIONS).flatMap((option) => ("short" in option ? [`-${option.short}`] : []));

/**
 * The number of one-character edits (insert, delete, replace, or swap two neighbours) that turn `a` into `b`: the
 * optimal string alignment distance, so that the common slip "--wiat" is one edit from "--wait", not two.
 */
export const editDistance = (a: string, b: string): number => {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i || j));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(a.length, b.length);
};

/**
 * The known word closest to `word`, when it is close enough to be a slip: at most 2 edits, and fewer than half the
 * word, so that "--x" suggests nothing rather than a random option.
 */
export const closest = (word: string, known: readonly string[]): string | undefined => {
  const typed = word.toLowerCase();
  let best: { word: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(typed, candidate);
    if (distance <= 2 && distance * 2 < typed.replace(/^-+/, "").length && (!best || distance < best.distance)) {
      best = { word: candidate, distance };
    }
  }
  return best?.word;
};

const didYouMean = (word: string, known: readonly string[]): string => {
  const suggestion = closest(word, known);
  return suggestion ? ` Did you mean '${suggestion}'?` : "";
};

const WAIT_RANGE = `--wait takes a number of seconds from 0 to ${MAX_WAIT_SECONDS}`;
const REGION_FORM = "--region takes an AWS region such as us-east-1";

/** The usage error for an option that does not exist, with the closest known one; undefined for a known option. */
const unknownOption = (arg: string): string | undefined => {
  if (arg.startsWith("--")) {
    const name = arg.split("=", 1)[0] ?? arg;
    return LONG_OPTIONS.includes(name) ? undefined : `Unknown option '${name}'.${didYouMean(name, LONG_OPTIONS)}`;
  }
  // Short options may be grouped: "-hv".
  if (!/^-[^-]/.test(arg) || [...arg.slice(1)].every((letter) => SHORT_OPTIONS.includes(`-${letter}`)))
    return undefined;
  // "-json" is a long option typed with one dash.
  return `Unknown option '${arg}'.${didYouMean(arg.length > 2 ? `-${arg}` : arg, LONG_OPTIONS)}`;
};

const isOption = (arg: string): boolean => LONG_OPTIONS.includes(arg) || SHORT_OPTIONS.includes(arg);

/**
 * What node:util's parseArgs would word for a programmer, said for an operator: an unknown option with the closest
 * known one, a value option without its value, and a value that starts with "-" (`--wait -1`), which parseArgs
 * calls ambiguous, handed on as `--wait=-1` so that the number check words it.
 */
const prepare = (argv: readonly string[]): { args: string[] } | { error: string } => {
  const args: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? "";
    if (arg === "--") return { args: [...args, ...argv.slice(index)] };
    const unknown = unknownOption(arg);
    if (unknown) return { error: unknown };
    if (arg === "--wait" || arg === "--region") {
      const value = argv[index + 1];
      if (value === undefined || isOption(value))
        return { error: `${arg === "--wait" ? WAIT_RANGE : REGION_FORM}, got nothing.` };
      args.push(`${arg}=${value}`);
      index++;
    } else {
      args.push(arg);
    }
  }
  return { args };
};

/** Strict (an unknown option is a usage error); `doctor` is the default command; `--help` and `--version` win. */
export const parseCommandLine = (argv: readonly string[]) => {
  const prepared = prepare(argv);
  if ("error" in prepared) return usageError(prepared.error);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(prepared.args);
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" as const };
  if (values.version) return { command: "version" as const };
  const [command = "doctor", ...extra] = positionals;
  if (command !== "doctor" && command !== "help") {
    return usageError(`unknown command "${command}".${didYouMean(command, KNOWN_COMMANDS)}`);
  }
  if (extra.length > 0) return usageError(`unexpected argument "${extra[0] ?? ""}".`);
  if (command === "help") return { command: "help" as const };

  const wait = values.wait?.trim();
  // Plain decimals only: Number() would also take "", "0x10", "1e3" and "Infinity".
  const waitSeconds = wait === undefined ? undefined : /^\d+(\.\d+)?$/.test(wait) ? Number(wait) : Number.NaN;
  if (waitSeconds !== undefined && !(waitSeconds <= MAX_WAIT_SECONDS)) {
    return usageError(`${WAIT_RANGE}, got ${quoteValue(values.wait ?? "")}.`);
  }
  const region = values.region?.trim();
  if (values.region !== undefined && (region === undefined || !REGION.test(region))) {
    return usageError(`${REGION_FORM}, got ${quoteValue(values.region)}.`);
  }
  return {
    command: "doctor" as const,
    options: { json: values.json === true, verify: values.verify === true, waitSeconds, region },
  };
};

/** A number as typed (`-1`, `100000`); anything else in quotes, so an empty or odd value is visible. */
const quoteValue = (value: string): string => (/^-?\d+(\.\d+)?$/.test(value) ? value : `"${value}"`);

const parse = (args: string[]) => parseArgs({ args, allowPositionals: true, strict: true, options: OPTIONS });

/** Where the documentation lives: the package ships the code, not the docs folder. */
export const DOCS_URL = "https://github.com/pod-credentials/pod-credentials/blob/main/docs";

export const helpText = (version: string): string => `pod-credentials ${version}: AWS credentials that are the pod's own

Usage:
  pod-credentials [doctor] [--json] [--verify] [--wait <seconds>] [--region <region>]
  pod-credentials credential-process      (for a credential_process profile)
  pod-credentials serve [--listen 127.0.0.1:PORT] [--token-file FILE]   (see serve --help)
  pod-credentials --help | --version

doctor (the default command) examines this pod's credential set-up: what answers at the metadata
endpoint (the real EC2 IMDS, kube2iam, kiam or nothing), every source on its own (IRSA, EKS Pod
Identity, kube2iam/kiam, the node's instance profile, static keys, ~/.aws), and what
fromPodProviderChain() does with this environment. It never prints a secret.

credential-process prints this pod's credentials as a credential_process document, for the AWS CLI
and any SDK; serve serves them to the pod's other containers on loopback (serve --help; the guide:
${DOCS_URL}/serving-the-pod.md).

Options:
  --json              print the report as one JSON object (schema version 1, documented at
                      ${DOCS_URL}/doctor.md)
  --verify            call STS GetCallerIdentity with the chain's credentials and print the ARN
  --wait <seconds>    run the chain again, a second apart, until it resolves or the time is up
                      (progress on standard error); for an init container
  --region <region>   region for STS calls (default: AWS_REGION, else us-east-1);
                      AWS_ENDPOINT_URL_STS is honoured
  -h, --help          show this help
  -v, --version       show the version

Exit codes:
  0  the chain resolves pod-scoped credentials (and --verify, if given, succeeded)
  1  usage error
  2  anything else: the chain fails, nothing is configured, or only the node's credentials are on
     offer (also when POD_CREDENTIALS_ALLOW_NODE=true lets the chain use them)

Colour is used only when standard output is a terminal and NO_COLOR is not set.
`;

/** `dist/esm/cli/main.js` is three levels below package.json. */
const MAX_LEVELS = 6;

/**
 * Walks up from the running script (`npx` runs it through a symbolic link, resolved first). Read at run time rather
 * than imported, so that the same source builds as ES module and CommonJS.
 */
export const packageVersion = (scriptPath: string | undefined): string => {
  // realpath takes an empty path for the working folder: without a script there is nothing to walk up from.
  if (!scriptPath) return "unknown";
  let folder: string;
  try {
    folder = dirname(realpathSync(scriptPath));
  } catch {
    return "unknown";
  }
  for (let level = 0; level < MAX_LEVELS; level++) {
    try {
      const manifest: { name?: unknown; version?: unknown } = JSON.parse(
        readFileSync(join(folder, "package.json"), "utf8"),
      );
      if (manifest.name === "pod-credentials" && typeof manifest.version === "string") return manifest.version;
    } catch {
      // no package.json here, or not readable: keep walking up
    }
    if (folder === dirname(folder)) break;
    folder = dirname(folder);
  }
  return "unknown";
};
