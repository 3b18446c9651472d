// Each look the doctor takes at the pod, as a report section: the environment, the files the configuration names,
// what answers at the metadata endpoint, every source on its own, and the chain run for real. Sections that saw a
// secret return it beside the report (never in it), for the report's last redaction pass.
import { readFile, stat } from "node:fs/promises";
import type { AwsCredentialIdentity, Logger } from "@smithy/types";
import { displayUrl, noopLogger, quoteRemoteText } from "../base/logging.js";
import {
  DEFAULT_ANNOTATIONS_FILE,
  type Environment,
  OWN_VARIABLE_PREFIX,
  readSetting,
  readSettings,
  SOURCE_NAMES,
  type SourceName,
  shownAs,
} from "../base/settings.js";
import { monotonicNow } from "../base/timing.js";
import { fromPodProviderChain } from "../chain/fromPodProviderChain.js";
import { rejectExpired, SOURCE_FACTORIES } from "../chain/resolve.js";
import { MAX_RESPONSE_BYTES } from "../sources/source.js";
import { type HttpResponse, httpRequest, isHttpRequestError } from "../wire/http.js";
import { declaredRoleFromAnnotationsText, ROLE_ANNOTATION } from "../wire/kubernetes.js";
import {
  classifyListingAnswer,
  INVALID_IMDS_TOKEN,
  SECURITY_CREDENTIALS_PATH,
  TOKEN_HEADER,
} from "../wire/metadata.js";
import {
  type ChainReport,
  type EnvironmentVariableReport,
  errorReport,
  type FileReport,
  type LogLineReport,
  lastFour,
  type MetadataEndpointKind,
  type MetadataEndpointReport,
  type SourceReport,
  secretsOf,
  summarizeCredentials,
  type TokenClaimsReport,
} from "./doctorReport.js";

/** A report section, with the secrets the doctor saw while making it: never printed, only used to redact. */
export interface Examined<Report> {
  readonly report: Report;
  /** Secret values (credentials, tokens) to redact from the whole report. */
  readonly secrets: readonly string[];
}

// The environment

/** A variable's value as the report may show it, by its row of the settings table; `null` when it may be a secret. */
const shownValue = (name: string, value: string): string | null => {
  switch (shownAs(name)) {
    case "value":
      return value;
    case "lastFour":
      return lastFour(value);
    case "url":
      return displayUrl(value);
    case "path":
      // A path, not a URL: displayUrl cannot parse it, so only its query and fragment are cut.
      return value.split(/[?#]/)[0] ?? "";
    case "hidden":
      return null;
  }
};

/**
 * The AWS and `POD_CREDENTIALS_*` variables set (not blank) in `env`, sorted by name. Values are shown only for
 * variables known to hold no secret; `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN` and any variable the doctor does not know show `null`.
 */
export const describeEnvironment = (env: Environment): EnvironmentVariableReport[] =>
  Object.entries(env)
    .filter((entry): entry is [string, string] => {
      const [name, value] = entry;
      return (
        (name.startsWith("AWS_") || name.startsWith(OWN_VARIABLE_PREFIX)) && value !== undefined && value.trim() !== ""
      );
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value: shownValue(name, value.trim()) }));

// The files

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

/**
 * The claims of a JWT that matter to trust policies, decoded without checking the signature; `undefined` when the
 * text is not a JWT.
 */
export const tokenClaims = (token: string, now: number = Date.now()): TokenClaimsReport | undefined => {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) return undefined;
  const { iss, sub, aud, exp } = claims as Record<string, unknown>;
  const audience =
    typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((item) => typeof item === "string") : [];
  const expiresAt = typeof exp === "number" && Number.isFinite(exp) ? new Date(exp * 1000) : undefined;
  return {
    issuer: text(iss),
    subject: text(sub),
    audience,
    expiresAt: expiresAt?.toISOString() ?? null,
    expired: expiresAt !== undefined && expiresAt.getTime() <= now,
  };
};

/** Kubelet writes tokens of a few kB and annotations of a few hundred bytes: anything larger is not read. */
/** The largest annotations file the kube2iam source reads. */
const MAX_READ_BYTES = 256 * 1024;

const inspect = async (purpose: FileReport["purpose"], path: string, from: string): Promise<Examined<FileReport>> => {
  const report: FileReport = {
    purpose,
    path,
    from,
    exists: false,
    bytes: null,
    modifiedAt: null,
    token: null,
    declaredRole: null,
    problem: null,
  };
  const found = (fields: Partial<FileReport>, secrets: string[] = []) => ({
    report: { ...report, ...fields },
    secrets,
  });
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return found({ problem: code === "ENOENT" ? "does not exist" : `cannot be examined (${code ?? "error"})` });
  }
  const exists = { exists: true, bytes: info.size, modifiedAt: info.mtime.toISOString() };
  if (!info.isFile()) return found({ ...exists, problem: "is not a regular file" });
  if (info.size > MAX_READ_BYTES) return found({ ...exists, problem: `is larger than ${MAX_READ_BYTES} bytes` });
  let content: string;
  try {
    content = await readFile(path, "utf8");
  } catch (error) {
    return found({ ...exists, problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})` });
  }
  if (purpose === "annotations") {
    const role = declaredRoleFromAnnotationsText(content);
    if (role.kind === "role") return found({ ...exists, declaredRole: role.role });
    if (role.kind === "noRole") return found({ ...exists, problem: `has no ${ROLE_ANNOTATION} annotation` });
    return found({
      ...exists,
      problem: `is malformed${role.line === undefined ? "" : ` at line ${role.line}`}: ${role.problem}`,
    });
  }
  const token = content.trim();
  if (token === "") return found({ ...exists, problem: "is empty" });
  const claims = tokenClaims(token);
  return found({ ...exists, token: claims ?? null, problem: claims ? null : "does not hold a JWT" }, [token]);
};

/**
 * Looks at the files the configuration names: the IRSA token file, the Pod Identity token file, and the annotations
 * file (the one named by `POD_CREDENTIALS_ANNOTATIONS_FILE`, else the default `/etc/podinfo/annotations`). Reports
 * size, age, a token's claims (`iss`, `sub`, `aud`, `exp`) and the declared role; never a token.
 */
export const inspectFiles = async (env: Environment): Promise<Examined<FileReport>[]> => {
  const named = (
    purpose: FileReport["purpose"],
    key: "webIdentityTokenFile" | "containerAuthorizationTokenFile" | "annotationsFile",
  ) => {
    const setting = readSetting(key, {}, env);
    return setting && inspect(purpose, setting.value, setting.from);
  };
  const inspections = [
    named("webIdentityToken", "webIdentityTokenFile"),
    named("podIdentityToken", "containerAuthorizationTokenFile"),
    named("annotations", "annotationsFile") ??
      inspect("annotations", DEFAULT_ANNOTATIONS_FILE, "the default annotations file"),
  ];
  return Promise.all(inspections.filter((inspection) => inspection !== undefined));
};

// The metadata endpoint

const ENDPOINT_DESCRIPTIONS: Readonly<Record<MetadataEndpointKind, string>> = Object.freeze({
  ec2Imds: "real EC2 IMDS",
  kube2iam: "kube2iam",
  kiam: "kiam",
  metadataProxy: "an unidentified metadata proxy",
  unreachable: "nothing",
  invalid: "an invalid endpoint setting",
});

type Answer = { readonly ok: true; readonly response: HttpResponse } | { readonly ok: false; readonly reason: string };

const ask = async (url: string, headers: Record<string, string>, timeoutMs: number): Promise<Answer> => {
  try {
    return { ok: true, response: await httpRequest({ url, headers, timeoutMs, maxBodyBytes: MAX_RESPONSE_BYTES }) };
  } catch (error) {
    if (isHttpRequestError(error)) return { ok: false, reason: error.message };
    throw error;
  }
};

/** kube2iam's `/healthz` answers `{"hostIP":"…","instanceId":"…"}`. */
const kube2iamHealth = (answer: Answer): MetadataEndpointReport["kube2iamHealth"] => {
  if (!answer.ok || answer.response.status !== 200) return null;
  try {
    const parsed: unknown = JSON.parse(answer.response.body);
    if (typeof parsed !== "object" || parsed === null || !("hostIP" in parsed)) return null;
    const { hostIP, instanceId } = parsed as { hostIP?: unknown; instanceId?: unknown };
    return {
      hostIP: typeof hostIP === "string" ? quoteRemoteText(hostIP, 64) : null,
      instanceId: typeof instanceId === "string" ? quoteRemoteText(instanceId, 64) : null,
    };
  } catch {
    return null;
  }
};

/**
 * Finds out what answers at the metadata endpoint (`value`, set by `from`), with three requests sent together, none
 * of which can fetch credentials: the role listing with a deliberately invalid IMDSv2 token (the real EC2 IMDS
 * answers 401; kube2iam and kiam ignore the token and list the pod's role, or say why they cannot), kube2iam's
 * `/healthz` and kiam's `/ping`. Unlike the chain, the doctor probes even when the pod declares no role.
 * `offeredRole` is left `null` for the real IMDS: the `instanceProfile` examination finds the node's role.
 */
export const probeMetadataEndpoint = async (
  endpoint: { readonly value: string; readonly from: string },
  timeoutMs: number,
): Promise<MetadataEndpointReport> => {
  const started = Date.now();
  const base = endpoint.value.replace(/\/+$/, "");
  const [listing, health, ping] = await Promise.all([
    ask(`${base}${SECURITY_CREDENTIALS_PATH}`, { [TOKEN_HEADER]: INVALID_IMDS_TOKEN }, timeoutMs),
    ask(`${base}/healthz`, {}, timeoutMs),
    ask(`${base}/ping`, {}, timeoutMs),
  ]);
  const classified = listing.ok ? classifyListingAnswer(listing.response) : undefined;
  const healthAnswer = kube2iamHealth(health);
  const kiamPing = ping.ok && ping.response.status === 200 && ping.response.body.trim() === "pong";

  let kind: MetadataEndpointKind;
  if (classified?.kind === "realImds") kind = "ec2Imds";
  else if (healthAnswer) kind = "kube2iam";
  else if (kiamPing) kind = "kiam";
  else if (listing.ok) kind = "metadataProxy";
  else kind = "unreachable";

  const role = classified?.kind === "role" ? quoteRemoteText(classified.role, 200) : null;
  return {
    url: base,
    from: endpoint.from,
    kind,
    description: ENDPOINT_DESCRIPTIONS[kind],
    listing: {
      status: listing.ok ? listing.response.status : null,
      answer: classified?.kind ?? "noAnswer",
      role,
      message: !listing.ok ? listing.reason : classified && "message" in classified ? classified.message : null,
    },
    kube2iamHealth: healthAnswer,
    kiamPing,
    offeredRole: kind === "ec2Imds" ? null : role,
    error: kind === "unreachable" && !listing.ok ? listing.reason : null,
    elapsedMs: Date.now() - started,
  };
};

/** The report for an endpoint setting that is itself invalid (no request is made). */
export const invalidEndpointReport = (problem: string): MetadataEndpointReport => ({
  url: null,
  from: null,
  kind: "invalid",
  description: ENDPOINT_DESCRIPTIONS.invalid,
  listing: { status: null, answer: "noAnswer", role: null, message: null },
  kube2iamHealth: null,
  kiamPing: false,
  offeredRole: null,
  error: problem,
  elapsedMs: 0,
});

// The sources

/** Options of {@link examineSources}. */
export interface ExamineSourcesOptions {
  /** The STS region for the IRSA exchange. */
  readonly region: string;
  /** The chain's order, to number and sort the sources; `null` when the configuration is invalid. */
  readonly chainOrder: readonly SourceName[] | null;
  /** Overrides `POD_CREDENTIALS_STARTUP_TIMEOUT_MS` (the doctor passes 0 after `--wait`: a snapshot, no retries). */
  readonly startupTimeoutMs?: number | undefined;
}

const examineOne = async (
  name: SourceName,
  env: Environment,
  options: ExamineSourcesOptions,
): Promise<Examined<SourceReport>> => {
  const started = Date.now();
  const position = options.chainOrder?.indexOf(name) ?? -1;
  const row = (
    status: SourceReport["status"],
    configuredBy: string | null,
    fields: Pick<Partial<SourceReport>, "reason" | "credentials" | "error">,
  ): SourceReport => ({
    source: name,
    chainPosition: position === -1 ? null : position + 1,
    nodeCredentials: name === "instanceProfile",
    status,
    configuredBy,
    reason: null,
    credentials: null,
    error: null,
    ...fields,
    elapsedMs: Date.now() - started,
  });
  let configuredBy: string | null = null;
  let secrets: string[] = [];
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
    const source = SOURCE_FACTORIES[name](settings);
    const detected = await source.detect();
    if (!detected.configured) {
      return { report: row("absent", null, { reason: detected.reason }), secrets };
    }
    configuredBy = detected.configuredBy;
    const result = await detected.resolve({
      identityProperties: undefined,
      logger: noopLogger,
      firstCallAt: monotonicNow(),
    });
    secrets = secretsOf(result.credentials);
    rejectExpired(name, result);
    return {
      report: row("ok", configuredBy, { credentials: summarizeCredentials(result.credentials, result) }),
      secrets,
    };
  } catch (error) {
    return { report: row("failed", configuredBy, { error: errorReport(error) }), secrets };
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
): Promise<Examined<SourceReport>[]> => {
  const chainOrder = options.chainOrder ?? [];
  const order = [...chainOrder, ...SOURCE_NAMES.filter((name) => !chainOrder.includes(name))];
  return Promise.all(order.map((name) => examineOne(name, env, options)));
};

// The chain

/** A chain run: the report section, and the credentials (kept out of the report) for `--verify` and redaction. */
export interface ChainRun {
  readonly report: ChainReport;
  /** The credentials the chain returned; never printed. */
  readonly credentials: AwsCredentialIdentity | undefined;
}

const capturingLogger = (lines: LogLineReport[]): Logger => {
  const at =
    (level: LogLineReport["level"]) =>
    (...content: unknown[]): void => {
      lines.push({ level, message: content.map((part) => (typeof part === "string" ? part : String(part))).join(" ") });
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
};

/** `NoPodCredentialsError` lists every skipped source; other errors list none. */
const skippedOf = (error: unknown): ChainReport["skipped"] => {
  const skipped = (error as { skipped?: unknown } | null)?.skipped;
  return Array.isArray(skipped) ? (skipped as ChainReport["skipped"]) : [];
};

/**
 * Does what an application does: creates `fromPodProviderChain()` with this environment (and a logger that captures
 * every line, debug included, instead of printing it) and asks it for credentials once. A new provider every call,
 * so nothing is cached from an earlier run. `startupTimeoutMs` overrides `POD_CREDENTIALS_STARTUP_TIMEOUT_MS` (the
 * `--wait` loop passes 0: it does the retrying itself).
 */
export const runChain = async (
  env: Environment,
  options: { readonly region: string; readonly startupTimeoutMs?: number | undefined },
): Promise<ChainRun> => {
  const started = Date.now();
  const log: LogLineReport[] = [];
  const report = (status: ChainReport["status"], fields: Partial<ChainReport>): ChainReport => ({
    status,
    source: null,
    configuredBy: null,
    credentials: null,
    skipped: [],
    error: null,
    ...fields,
    log,
    elapsedMs: Date.now() - started,
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
      report: report("resolved", {
        source: description?.source ?? null,
        configuredBy: description?.configuredBy ?? null,
        credentials: summarizeCredentials(credentials, description ?? {}),
        skipped: description?.skipped ?? [],
      }),
      credentials,
    };
  } catch (error) {
    return {
      report: report("failed", { skipped: skippedOf(error), error: errorReport(error) }),
      credentials: undefined,
    };
  }
};
