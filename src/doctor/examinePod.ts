// Each look the doctor takes at the pod, as a report section: the environment, the files the configuration names,
// what answers at the metadata endpoint, every source on its own, and the chain run for real. Sections that saw a
// secret return it beside the report (never in it), for the report's last redaction pass.
import { readFile, stat } from "node:fs/promises";
import { noopLogger, quoteRemoteText } from "../base/logging.js";
import type { CredentialHop, IdentityVerification } from "../base/options.js";
import {
  DEFAULT_ANNOTATIONS_FILE,
  DEFAULT_TIMEOUT_MS,
  type Environment,
  metadataEndpoint,
  readSetting,
  readSettings,
  type Setting,
  SOURCE_NAMES,
  type SourceName,
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
  type ChainVerificationReport,
  errorReport,
  type FileReport,
  type HopReport,
  type MetadataEndpointReport,
  problemOf,
  type SourceReport,
  secretsOf,
  summarizeCredentials,
} from "./doctorReport.js";

/** A report section, with the secrets seen while making it: never printed, only redacted from the whole report. */
export interface Examined<Report> {
  readonly report: Report;
  readonly secrets: readonly string[];
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** A JSON object (not an array), or `undefined` for any other text. */
const jsonObject = (json: string): Record<string, unknown> | undefined => {
  try {
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? { ...parsed } : undefined;
  } catch {
    return undefined;
  }
};

/** The claims of a JWT that trust policies look at, without checking the signature; `undefined` for no JWT. */
export const tokenClaims = (token: string, now: number = Date.now()): FileReport["token"] | undefined => {
  const parts = token.trim().split(".");
  const claims =
    parts.length === 3 && parts[1] ? jsonObject(Buffer.from(parts[1], "base64url").toString("utf8")) : undefined;
  if (!claims) return undefined;
  const { iss, sub, aud, exp } = claims;
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
const MAX_READ_BYTES = 256 * 1024;
const NOT_FOUND = { exists: false, bytes: null, modifiedAt: null, token: null, declaredRole: null, problem: null };

const inspect = async (purpose: FileReport["purpose"], path: string, from: string): Promise<Examined<FileReport>> => {
  const found = (fields: Partial<FileReport>, secrets: string[] = []) => ({
    report: { purpose, path, from, ...NOT_FOUND, ...fields },
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
    const line = role.line === undefined ? "" : ` at line ${role.line}`;
    return found({ ...exists, problem: `is malformed${line}: ${role.problem}` });
  }
  const token = content.trim();
  if (token === "") return found({ ...exists, problem: "is empty" });
  const claims = tokenClaims(token);
  return found({ ...exists, token: claims ?? null, problem: claims ? null : "does not hold a JWT" }, [token]);
};

/** The IRSA token file, the Pod Identity token file and the annotations file (else the default one), in that order. */
export const inspectFiles = async (env: Environment): Promise<Examined<FileReport>[]> => {
  const named = (purpose: FileReport["purpose"], key: "webIdentityTokenFile" | "containerAuthorizationTokenFile") => {
    const setting = readSetting(key, {}, env);
    return setting ? [inspect(purpose, setting.value, setting.from)] : [];
  };
  const annotations = readSetting("annotationsFile", {}, env);
  return Promise.all([
    ...named("webIdentityToken", "webIdentityTokenFile"),
    ...named("podIdentityToken", "containerAuthorizationTokenFile"),
    inspect(
      "annotations",
      annotations?.value ?? DEFAULT_ANNOTATIONS_FILE,
      annotations?.from ?? "the default annotations file",
    ),
  ]);
};

const ENDPOINT_DESCRIPTIONS: Readonly<Record<MetadataEndpointReport["kind"], string>> = {
  ec2Imds: "real EC2 IMDS",
  kube2iam: "kube2iam",
  kiam: "kiam",
  metadataProxy: "an unidentified metadata proxy",
  unreachable: "nothing",
  invalid: "an invalid endpoint setting",
};

/** kube2iam's `/healthz` answers `{"hostIP":"…","instanceId":"…"}`. */
const kube2iamHealth = (answer: HttpResponse | string): MetadataEndpointReport["kube2iamHealth"] => {
  const health = typeof answer === "string" || answer.status !== 200 ? undefined : jsonObject(answer.body);
  if (!health || !("hostIP" in health)) return null;
  const quoted = (value: unknown) => (typeof value === "string" ? quoteRemoteText(value, 64) : null);
  return { hostIP: quoted(health.hostIP), instanceId: quoted(health.instanceId) };
};

/**
 * Asks the endpoint the sources would use, with their per-request deadline, three things at once, none of which can
 * fetch credentials: the role listing with an invalid IMDSv2 token (the real IMDS answers 401; kube2iam and kiam list
 * the pod's role or say why not), `/healthz` and `/ping`. Unlike the chain, the doctor probes even when the pod
 * declares no role. The node's role comes from the `instanceProfile` row.
 */
export const probeMetadataEndpoint = async (env: Environment): Promise<MetadataEndpointReport> => {
  let endpoint: Setting;
  try {
    endpoint = metadataEndpoint(undefined, env);
  } catch (error) {
    return {
      url: null,
      from: null,
      kind: "invalid",
      description: ENDPOINT_DESCRIPTIONS.invalid,
      listing: { status: null, answer: "noAnswer", role: null, message: null },
      kube2iamHealth: null,
      kiamPing: false,
      offeredRole: null,
      error: problemOf(errorReport(error)),
      elapsedMs: 0,
    };
  }
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  try {
    timeoutMs = readSetting("timeoutMs", {}, env)?.value ?? DEFAULT_TIMEOUT_MS;
  } catch {
    // The configuration section reports the invalid setting.
  }
  const started = Date.now();
  const base = endpoint.value.replace(/\/+$/, "");
  const ask = (path: string, headers: Record<string, string> = {}): Promise<HttpResponse | string> =>
    httpRequest({ url: `${base}${path}`, headers, timeoutMs, maxBodyBytes: MAX_RESPONSE_BYTES }).catch((error) => {
      if (isHttpRequestError(error)) return error.message;
      throw error;
    });
  const [listing, health, ping] = await Promise.all([
    ask(SECURITY_CREDENTIALS_PATH, { [TOKEN_HEADER]: INVALID_IMDS_TOKEN }),
    ask("/healthz"),
    ask("/ping"),
  ]);
  const answered = typeof listing !== "string";
  const classified = answered ? classifyListingAnswer(listing) : undefined;
  const healthAnswer = kube2iamHealth(health);
  const kiamPing = typeof ping !== "string" && ping.status === 200 && ping.body.trim() === "pong";
  let kind: MetadataEndpointReport["kind"] = "unreachable";
  if (classified?.kind === "realImds") kind = "ec2Imds";
  else if (healthAnswer) kind = "kube2iam";
  else if (kiamPing) kind = "kiam";
  else if (answered) kind = "metadataProxy";
  const role = classified?.kind === "role" ? quoteRemoteText(classified.role, 200) : null;
  return {
    url: base,
    from: endpoint.from,
    kind,
    description: ENDPOINT_DESCRIPTIONS[kind],
    listing: {
      status: answered ? listing.status : null,
      answer: classified?.kind ?? "noAnswer",
      role,
      message: !answered ? listing : classified && "message" in classified ? classified.message : null,
    },
    kube2iamHealth: healthAnswer,
    kiamPing,
    offeredRole: kind === "ec2Imds" ? null : role,
    error: !answered && kind === "unreachable" ? listing : null,
    elapsedMs: Date.now() - started,
  };
};

/** The doctor passes `startupTimeoutMs` 0 after `--wait`: a snapshot, no start-up retries. */
type RunOptions = { readonly region: string; readonly startupTimeoutMs?: number | undefined };

/**
 * Every source on its own, at the same time, in the chain's order and then the others. The node's instance profile is
 * examined with node credentials allowed, so that the report can say whether the node's role is on offer.
 */
export const examineSources = (
  env: Environment,
  { chainOrder, region, startupTimeoutMs }: RunOptions & { readonly chainOrder: readonly SourceName[] | null },
): Promise<Examined<SourceReport>[]> => {
  const order = [...(chainOrder ?? []), ...SOURCE_NAMES.filter((name) => !chainOrder?.includes(name))];
  return Promise.all(
    order.map(async (name) => {
      const started = Date.now();
      const position = chainOrder?.indexOf(name) ?? -1;
      let configuredBy: string | null = null;
      let secrets: string[] = [];
      const row = (status: SourceReport["status"], fields: Partial<SourceReport> = {}) => ({
        report: {
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
        },
        secrets,
      });
      try {
        // One settings object per source, so that a bad setting of one source does not hide the others.
        const sources = [name];
        const settings = readSettings({
          env,
          sources,
          allowNodeCredentials: true,
          logger: noopLogger,
          region,
          startupTimeoutMs,
        });
        const detected = await SOURCE_FACTORIES[name](settings).detect();
        if (!detected.configured) return row("absent", { reason: detected.reason });
        configuredBy = detected.configuredBy;
        const result = await detected.resolve({
          identityProperties: undefined,
          logger: noopLogger,
          firstCallAt: monotonicNow(),
        });
        secrets = secretsOf(result.credentials);
        rejectExpired(name, result);
        return row("ok", { credentials: summarizeCredentials(result.credentials, result) });
      } catch (error) {
        return row("failed", { error: errorReport(error) });
      }
    }),
  );
};

/**
 * What an application does: a new `fromPodProviderChain()` (nothing cached from an earlier run) with a logger that
 * captures every line, debug included, asked for credentials once.
 */
export const runChain = async (env: Environment, options: RunOptions) => {
  const started = Date.now();
  const log: ChainReport["log"][number][] = [];
  const at =
    (level: ChainReport["log"][number]["level"]) =>
    (...content: unknown[]) => {
      log.push({ level, message: content.map(String).join(" ") });
    };
  const report = (status: ChainReport["status"], fields: Partial<ChainReport>): ChainReport => ({
    status,
    source: null,
    configuredBy: null,
    credentials: null,
    skipped: [],
    error: null,
    identityVerification: null,
    hops: [],
    ...fields,
    log,
    elapsedMs: Date.now() - started,
  });
  try {
    const provider = fromPodProviderChain({
      env,
      logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
      ...options,
    });
    const credentials = await provider();
    const description = provider.describe();
    return {
      report: report("resolved", {
        source: description?.source ?? null,
        configuredBy: description?.configuredBy ?? null,
        credentials: summarizeCredentials(credentials, description ?? {}),
        skipped: description?.skipped ?? [],
        identityVerification: chainVerificationReport(description?.verification),
        hops: (description?.hops ?? []).map(hopReport),
      }),
      credentials,
    };
  } catch (error) {
    // NoPodCredentialsError lists every skipped source; other errors list none.
    const skipped = (error as { skipped?: unknown } | null)?.skipped;
    const fields = { skipped: Array.isArray(skipped) ? skipped : [], error: errorReport(error) };
    return { report: report("failed", fields), credentials: undefined };
  }
};

const chainVerificationReport = (verification: IdentityVerification | undefined): ChainVerificationReport | null =>
  verification
    ? {
        callerArn: verification.callerArn,
        accountId: verification.accountId,
        declaredRoles: verification.declaredRoles.map(({ role, from }) => ({ role, from })),
        verifiedAt: verification.verifiedAt.toISOString(),
      }
    : null;

const hopReport = (hop: CredentialHop): HopReport => ({
  hop: hop.hop,
  via: hop.via,
  configuredBy: hop.configuredBy,
  roleArn: hop.roleArn ?? null,
  roleName: hop.roleName ?? null,
  accountId: hop.accountId ?? null,
  expiration: hop.expiration?.toISOString() ?? null,
  assumedRoleArn: hop.assumedRoleArn ?? null,
});
