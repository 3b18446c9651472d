import { noopLogger } from "../base/logging.js";
import type { SourceName as CredentialSource, Environment } from "../base/settings.js";
import { readSettings } from "../base/settings.js";
import { SOURCE_FACTORIES } from "../chain/resolve.js";
import type { ResolutionContext, SourceResult } from "../sources/source.js";
import type { SourceReport } from "./doctorReport.js";
import { errorReport, secretsOf, summarizeCredentials } from "./redaction.js";

/** Every source, in the order the doctor lists those the chain does not use. */
export const ALL_SOURCES: readonly CredentialSource[] = Object.freeze([
  "webIdentity",
  "podIdentity",
  "kube2iam",
  "instanceProfile",
  "env",
  "sharedConfig",
]);

/** Options of {@link examineSources}. */
export interface ExamineSourcesOptions {
  /** The STS region for the IRSA exchange. */
  readonly region: string;
  /** The chain's order (from its configuration), to number and sort the sources; `null` when it is invalid. */
  readonly chainOrder: readonly CredentialSource[] | null;
  /** Overrides `POD_CREDENTIALS_STARTUP_TIMEOUT_MS` (the doctor passes 0 after `--wait`: a snapshot, no retries). */
  readonly startupTimeoutMs?: number | undefined;
}

/** A source's examination, with the secrets it saw (for the report's last redaction pass). */
export interface SourceExamination {
  /** The report row. */
  readonly report: SourceReport;
  /** Secret values of the credentials it got; never printed, only used to redact. */
  readonly secrets: readonly string[];
}

const examineOne = async (
  name: CredentialSource,
  env: Environment,
  options: ExamineSourcesOptions,
): Promise<SourceExamination> => {
  const started = Date.now();
  const position = options.chainOrder?.indexOf(name) ?? -1;
  const base = {
    source: name,
    chainPosition: position === -1 ? null : position + 1,
    nodeCredentials: name === "instanceProfile",
  };
  const failed = (error: unknown, configuredBy: string | null): SourceExamination => ({
    report: {
      ...base,
      status: "failed",
      configuredBy,
      reason: null,
      credentials: null,
      error: errorReport(error),
      elapsedMs: Date.now() - started,
    },
    secrets: [],
  });
  let configuredBy: string | null = null;
  try {
    // One settings object per source, so that a bad setting of one source does not hide the others.
    const settings = readSettings({
      env,
      sources: [name],
      allowNodeCredentials: true,
      logger: noopLogger,
      region: options.region,
      ...(options.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: options.startupTimeoutMs }),
    });
    const source = settings.sources[0] && SOURCE_FACTORIES[settings.sources[0]](settings);
    if (source === undefined) throw new Error(`no source ${name}`);
    const detected = await source.detect();
    if (!detected.configured) {
      return {
        report: {
          ...base,
          status: "absent",
          configuredBy: null,
          reason: detected.reason,
          credentials: null,
          error: null,
          elapsedMs: Date.now() - started,
        },
        secrets: [],
      };
    }
    configuredBy = detected.configuredBy;
    const context: ResolutionContext = { identityProperties: undefined, logger: noopLogger, firstCallAt: Date.now() };
    const result: SourceResult = await detected.resolve(context);
    const expiration = result.credentials.expiration;
    if (expiration !== undefined && expiration.getTime() <= Date.now()) {
      return {
        ...failed(
          new Error(`The credentials arrived already expired (expiration ${expiration.toISOString()}).`),
          configuredBy,
        ),
        secrets: secretsOf(result.credentials),
      };
    }
    return {
      report: {
        ...base,
        status: "ok",
        configuredBy,
        reason: null,
        credentials: summarizeCredentials(result.credentials, result),
        error: null,
        elapsedMs: Date.now() - started,
      },
      secrets: secretsOf(result.credentials),
    };
  } catch (error) {
    return failed(error, configuredBy);
  }
};

/**
 * Examines every source on its own, at the same time: `detect()`, then `resolve()` when it is configured. The node's
 * instance profile is examined too (node credentials are allowed here), so the report can say whether the node's
 * role is on offer; the chain itself still refuses it unless allowed. Sources are listed in the chain's order, then
 * those the chain does not use.
 */
export const examineSources = async (
  env: Environment,
  options: ExamineSourcesOptions,
): Promise<SourceExamination[]> => {
  const order = [
    ...(options.chainOrder ?? []),
    ...ALL_SOURCES.filter((name) => !(options.chainOrder ?? []).includes(name)),
  ];
  return Promise.all(order.map((name) => examineOne(name, env, options)));
};
