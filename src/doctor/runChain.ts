import type { AwsCredentialIdentity, Logger } from "@smithy/types";
import type { Environment } from "../base/settings.js";
import { fromPodProviderChain } from "../chain/fromPodProviderChain.js";
import type { ChainReport, LogLineReport } from "./doctorReport.js";
import { errorReport, summarizeCredentials } from "./redaction.js";

/** Options of {@link runChain}. */
export interface RunChainOptions {
  /** The STS region, as an SDK client in that region would pass it. */
  readonly region: string;
  /** Overrides `POD_CREDENTIALS_STARTUP_TIMEOUT_MS` (the `--wait` loop passes 0: it does the retrying itself). */
  readonly startupTimeoutMs?: number | undefined;
}

/** A chain run: the report section, and the credentials (kept out of the report) for `--verify` and redaction. */
export interface ChainRun {
  /** The report section. */
  readonly report: ChainReport;
  /** The credentials the chain returned; never printed. */
  readonly credentials: AwsCredentialIdentity | undefined;
}

/** A logger that keeps every line, debug included, in order. */
const capturingLogger = (lines: LogLineReport[]): Logger => {
  const at =
    (level: LogLineReport["level"]) =>
    (...content: unknown[]): void => {
      lines.push({ level, message: content.map((part) => (typeof part === "string" ? part : String(part))).join(" ") });
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
};

/**
 * Does what an application does: creates `fromPodProviderChain()` with this environment (and a logger that captures
 * its lines instead of printing them) and asks it for credentials once. A new provider every call, so nothing is
 * cached from an earlier run.
 */
export const runChain = async (env: Environment, options: RunChainOptions): Promise<ChainRun> => {
  const started = Date.now();
  const log: LogLineReport[] = [];
  const failed = (error: unknown): ChainRun => ({
    report: {
      status: "failed",
      source: null,
      configuredBy: null,
      credentials: null,
      skipped: skippedOf(error),
      error: errorReport(error),
      log,
      elapsedMs: Date.now() - started,
    },
    credentials: undefined,
  });
  try {
    const provider = fromPodProviderChain({
      env,
      logger: capturingLogger(log),
      region: options.region,
      ...(options.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: options.startupTimeoutMs }),
    });
    const credentials = await provider();
    const description = provider.describe();
    return {
      report: {
        status: "resolved",
        source: description?.source ?? null,
        configuredBy: description?.configuredBy ?? null,
        credentials: summarizeCredentials(credentials, description ?? {}),
        skipped: description?.skipped ?? [],
        error: null,
        log,
        elapsedMs: Date.now() - started,
      },
      credentials,
    };
  } catch (error) {
    return failed(error);
  }
};

/** `NoPodCredentialsError` lists every skipped source; other errors list none. */
const skippedOf = (error: unknown): ChainReport["skipped"] => {
  const skipped = (error as { skipped?: unknown } | null)?.skipped;
  return Array.isArray(skipped) ? (skipped as ChainReport["skipped"]) : [];
};
