// The report as text for a terminal: one section per part of the report, the verdict last, where the eye lands.
import {
  type ChainReport,
  type ConfigurationReport,
  type DoctorReport,
  type DoctorVerdict,
  type FileReport,
  type LogLineReport,
  type MetadataEndpointReport,
  problemOf,
  type SourceReport,
  type TokenClaimsReport,
  type VerificationReport,
  type WaitReport,
} from "./doctorReport.js";

/** Options of {@link renderReport}. */
export interface RenderOptions {
  /** Use ANSI colours (the CLI: only when standard output is a TTY and `NO_COLOR` is unset or empty). */
  readonly color: boolean;
}

type Paint = (text: string) => string;

const ansi =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

interface Palette {
  readonly bold: Paint;
  readonly dim: Paint;
  readonly green: Paint;
  readonly yellow: Paint;
  readonly red: Paint;
}

const plain: Paint = (text) => text;
const palette = (color: boolean): Palette =>
  color
    ? { bold: ansi(1, 22), dim: ansi(2, 22), green: ansi(32, 39), yellow: ansi(33, 39), red: ansi(31, 39) }
    : { bold: plain, dim: plain, green: plain, yellow: plain, red: plain };

/** A table cell for {@link formatTable}: its text, and how to colour it once padded. */
export interface Cell {
  /** The text, measured for alignment. */
  readonly text: string;
  /** Wraps the padded text in colour codes; none for plain text. */
  readonly paint?: ((text: string) => string) | undefined;
}

const cell = (text: string, paint?: Paint): Cell => ({ text, paint });

/**
 * Rows of cells, every column but the last padded to its widest cell (measured without colour codes), indented by
 * two spaces, columns two spaces apart.
 */
export const formatTable = (rows: readonly (readonly Cell[])[]): string[] => {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((item, index) => {
      if (index < row.length - 1) widths[index] = Math.max(widths[index] ?? 0, item.text.length);
    });
  }
  return rows.map((row) =>
    `  ${row
      .map((item, index) => {
        const padded = index < row.length - 1 ? item.text.padEnd(widths[index] ?? 0) : item.text;
        return item.paint ? item.paint(padded) : padded;
      })
      .join("  ")}`.trimEnd(),
  );
};

const VERDICT_LABELS: Readonly<Record<DoctorVerdict, string>> = {
  podCredentials: "OK: pod-scoped credentials",
  nodeCredentialsOnly: "NODE CREDENTIALS ONLY",
  notConfigured: "NOT CONFIGURED",
  failed: "FAILED",
};

/** A section: a blank line, the bold heading, then its lines. */
const section = (c: Palette, heading: string, lines: readonly string[]): string[] => ["", c.bold(heading), ...lines];

/** `ok` and `resolved` green, `failed` red, anything else dim. */
const statusPaint = (c: Palette, status: string): Paint =>
  status === "ok" || status === "resolved" ? c.green : status === "failed" ? c.red : c.dim;

const headerLine = (report: DoctorReport, c: Palette): string =>
  c.bold(`pod-credentials doctor ${report.tool.version}`) + c.dim(`  ${report.generatedAt}, ${report.durationMs} ms`);

// Metadata endpoint

/** The real IMDS is a warning sign (yellow), no answer is dim, a proxy is good news (green). */
const endpointPaint = (c: Palette, kind: MetadataEndpointReport["kind"]): Paint =>
  kind === "ec2Imds" ? c.yellow : kind === "unreachable" || kind === "invalid" ? c.dim : c.green;

const listingText = ({ status, answer, role, message }: MetadataEndpointReport["listing"]): string =>
  status === null
    ? `no answer (${message ?? "unknown reason"})`
    : `HTTP ${status} (${answer}${role ? `: ${role}` : ""}${message ? `: ${message}` : ""}) to an invalid IMDSv2 token`;

/** The rows that appear only when the endpoint said something: `/healthz`, `/ping`, the offered role, a problem. */
const endpointExtraRows = (endpoint: MetadataEndpointReport, c: Palette): Cell[][] => {
  const rows: Cell[][] = [];
  const health = endpoint.kube2iamHealth;
  if (health) {
    rows.push([
      cell("/healthz"),
      cell(`kube2iam on host ${health.hostIP ?? "?"}, instance ${health.instanceId ?? "?"}`),
    ]);
  }
  if (endpoint.kiamPing) rows.push([cell("/ping"), cell("pong (kiam)")]);
  if (endpoint.offeredRole) {
    const whose = endpoint.kind === "ec2Imds" ? " (the node's role)" : "";
    rows.push([cell("offers role"), cell(`${endpoint.offeredRole}${whose}`)]);
  }
  if (endpoint.error && endpoint.kind !== "unreachable") rows.push([cell("problem"), cell(endpoint.error, c.red)]);
  return rows;
};

const endpointSection = (endpoint: MetadataEndpointReport, c: Palette): string[] =>
  section(
    c,
    "Metadata endpoint",
    formatTable([
      [cell("url"), cell(endpoint.url ? `${endpoint.url} (from ${endpoint.from ?? "?"})` : "(invalid setting)")],
      [cell("answers"), cell(endpoint.description, endpointPaint(c, endpoint.kind))],
      [cell("role listing"), cell(listingText(endpoint.listing))],
      ...endpointExtraRows(endpoint, c),
    ]),
  );

// Sources

/** Whose credentials a source got: the node's, the proxy's (instance profile behind a proxy), or nothing to say. */
const whoseCredentials = (source: SourceReport, endpoint: string): string => {
  if (source.nodeCredentials) return "the NODE's credentials: ";
  return source.source === "instanceProfile" ? `through ${endpoint}, not the node: ` : "";
};

const credentialsDetail = (source: SourceReport, endpoint: string): string => {
  const credentials = source.credentials;
  const role = credentials?.roleArn ?? credentials?.roleName;
  const parts = [
    role ? `role ${role}` : undefined,
    credentials?.accountId ? `account ${credentials.accountId}` : undefined,
    credentials ? `key ${credentials.accessKeyId}` : undefined,
    credentials?.expiration ? `expires ${credentials.expiration}` : undefined,
    source.configuredBy ? `via ${source.configuredBy}` : undefined,
  ].filter(Boolean);
  return `${whoseCredentials(source, endpoint)}${parts.join(", ")}`;
};

const sourceDetail = (source: SourceReport, endpoint: string): string => {
  if (source.status === "absent") return source.reason ?? "";
  if (source.status === "failed") return source.error ? problemOf(source.error) : "Error: ";
  return credentialsDetail(source, endpoint);
};

/** The node's credentials are a warning even when they work. */
const sourceStatusPaint = (source: SourceReport, c: Palette): Paint =>
  source.status === "ok" && source.nodeCredentials ? c.yellow : statusPaint(c, source.status);

const sourceRow = (source: SourceReport, endpoint: string, c: Palette): Cell[] => [
  cell(source.chainPosition === null ? "-" : String(source.chainPosition)),
  cell(source.source),
  cell(source.status, sourceStatusPaint(source, c)),
  cell(sourceDetail(source, endpoint)),
];

const sourcesSection = (report: DoctorReport, c: Palette): string[] => {
  const endpoint = report.metadataEndpoint.description;
  const header = [cell("#", c.dim), cell("SOURCE", c.dim), cell("STATUS", c.dim), cell("DETAIL", c.dim)];
  const fixes = report.sources
    .filter((source) => source.status === "failed" && source.error?.fix)
    .map((source) => `  ${source.source} fix: ${source.error?.fix ?? ""}`);
  return section(c, "Sources, each examined on its own", [
    ...formatTable([header, ...report.sources.map((source) => sourceRow(source, endpoint, c))]),
    ...fixes,
    c.dim('  (# is the position in the chain; "-": the chain does not use the source)'),
  ]);
};

// Files

const tokenDetail = ({ audience, subject, issuer, expiresAt, expired }: TokenClaimsReport): string[] => [
  `aud ${audience.join(",") || "(none)"}`,
  `sub ${subject ?? "(none)"}`,
  `iss ${issuer ?? "(none)"}`,
  ...(expiresAt ? [`${expired ? "EXPIRED" : "expires"} ${expiresAt}`] : []),
];

const fileDetail = (file: FileReport): string => {
  if (!file.exists) return file.problem ?? "does not exist";
  const parts = [
    `${file.bytes ?? 0} bytes`,
    file.modifiedAt ? `written ${file.modifiedAt}` : undefined,
    ...(file.token ? tokenDetail(file.token) : []),
    file.declaredRole ? `declares role ${file.declaredRole}` : undefined,
    file.problem ?? undefined,
  ];
  return parts.filter(Boolean).join(", ");
};

const fileStatus = (file: FileReport, c: Palette): Cell => {
  if (file.exists && !file.problem) return cell("ok", c.green);
  return cell(file.exists ? "problem" : "missing", c.yellow);
};

const filesSection = (files: readonly FileReport[], c: Palette): string[] =>
  files.length === 0
    ? []
    : section(
        c,
        "Files",
        formatTable(
          files.map((file) => [cell(file.purpose), cell(file.path), fileStatus(file, c), cell(fileDetail(file))]),
        ),
      );

// Environment

const environmentSection = (report: DoctorReport, c: Palette): string[] => {
  const variables =
    report.environment.length === 0
      ? ["  (no AWS_* or POD_CREDENTIALS_* variable is set)"]
      : formatTable(
          report.environment.map(({ name, value }) => [
            cell(name),
            cell(value ?? "(set; value not shown)", value === null ? c.dim : undefined),
          ]),
        );
  const warnings = report.configuration.warnings.map((warning) => c.yellow(`  warning: ${warning}`));
  return section(c, "Environment", [...variables, ...warnings]);
};

// The chain

const chainSourcesText = ({ sources, allowNodeCredentials }: ConfigurationReport): string => {
  if (!sources) return "(invalid configuration)";
  return `${sources.join(" → ")}${allowNodeCredentials ? " (node credentials allowed)" : " (node credentials refused)"}`;
};

const credentialsRows = (chain: ChainReport): Cell[][] => {
  const credentials = chain.credentials;
  if (!credentials) return [];
  return [
    [cell("role"), cell(credentials.roleArn ?? credentials.roleName ?? "(unknown)")],
    [cell("account"), cell(credentials.accountId ?? "(unknown)")],
    [cell("access key"), cell(credentials.accessKeyId)],
    [cell("expires"), cell(credentials.expiration ?? "never (static keys)")],
    ...(chain.configuredBy ? [[cell("configured by"), cell(chain.configuredBy)]] : []),
  ];
};

const chainErrorRows = (chain: ChainReport, c: Palette): Cell[][] => {
  const error = chain.error;
  if (!error) return [];
  return [
    // The fix goes on a row of its own.
    [cell("error"), cell(problemOf(error), c.red)],
    ...(error.fix ? [[cell("fix"), cell(error.fix)]] : []),
  ];
};

/** A failed chain's error (NoPodCredentialsError) already lists what it skipped. */
const skippedRows = (chain: ChainReport, c: Palette): Cell[][] =>
  chain.status === "resolved"
    ? chain.skipped.map(({ source, reason }) => [cell("skipped"), cell(`${source}: ${reason}`, c.dim)])
    : [];

/** Debug lines are in the JSON report; an error line that repeats the error above is not shown twice. */
const shownInLog = (line: LogLineReport, chain: ChainReport): boolean =>
  line.level !== "debug" && !(line.level === "error" && chain.error && line.message.includes(chain.error.message));

const logLevelPaint = (level: LogLineReport["level"], c: Palette): Paint =>
  level === "error" ? c.red : level === "warn" ? c.yellow : plain;

const logLines = (chain: ChainReport, c: Palette): string[] => {
  const shown = chain.log.filter((line) => shownInLog(line, chain));
  if (shown.length === 0) return [];
  return [
    "  log:",
    ...shown.map((line) => `    ${logLevelPaint(line.level, c)(line.level.padEnd(5))} ${line.message}`),
  ];
};

const chainSection = (report: DoctorReport, c: Palette): string[] => {
  const chain = report.chain;
  const result = chain.status === "resolved" ? `resolved from ${chain.source ?? "?"}` : "failed";
  return section(c, "fromPodProviderChain() with this environment", [
    ...formatTable([
      [cell("sources"), cell(chainSourcesText(report.configuration))],
      [cell("result"), cell(result, statusPaint(c, chain.status))],
      ...credentialsRows(chain),
      ...chainErrorRows(chain, c),
      ...skippedRows(chain, c),
    ]),
    ...logLines(chain, c),
  ]);
};

// --verify

const matchesText = (matches: boolean | null): string => {
  if (matches === null) return "(cannot compare with the chain's role)";
  return matches ? "yes, the chain's role" : "NO: not the role the chain reported";
};

const verifiedLines = (verification: VerificationReport, c: Palette): string[] =>
  formatTable([
    [cell("arn"), cell(verification.arn ?? "(none)", c.green)],
    [cell("account"), cell(verification.account ?? "(none)")],
    [cell("user id"), cell(verification.userId ?? "(none)")],
    [
      cell("matches"),
      cell(matchesText(verification.matchesChainRole), verification.matchesChainRole === false ? c.red : undefined),
    ],
  ]);

const verificationLines = (verification: VerificationReport, c: Palette): string[] => {
  if (verification.status === "ok") return verifiedLines(verification, c);
  if (verification.status === "skipped") return ["  skipped: the chain gave no credentials"];
  return [c.red(`  failed: ${verification.error?.name ?? "Error"}: ${verification.error?.message ?? ""}`)];
};

const verificationSection = (verification: VerificationReport | null, c: Palette): string[] =>
  verification
    ? section(
        c,
        `STS GetCallerIdentity (--verify, ${verification.endpoint}, region ${verification.region})`,
        verificationLines(verification, c),
      )
    : [];

// --wait

const waitSection = (wait: WaitReport | null, c: Palette): string[] => {
  if (!wait) return [];
  const { attempts, waitedMs, resolved, seconds } = wait;
  const counted = `${attempts} attempt${attempts === 1 ? "" : "s"}`;
  const outcome = resolved ? "resolved" : "not resolved";
  return section(c, "Wait", [`  ${counted} in ${(waitedMs / 1000).toFixed(1)} s of ${seconds} s: ${outcome}`]);
};

// Verdict

const verdictPaint = (verdict: DoctorVerdict, c: Palette): Paint =>
  verdict === "podCredentials" ? c.green : verdict === "nodeCredentialsOnly" ? c.yellow : c.red;

const verdictSection = (report: DoctorReport, c: Palette): string[] =>
  section(c, "Verdict", [
    `  ${verdictPaint(report.verdict, c)(c.bold(VERDICT_LABELS[report.verdict]))} (exit ${report.exitCode})`,
    `  ${report.summary}`,
  ]);

/**
 * The report as text for a terminal: the metadata endpoint, every source in a table, the files, the environment,
 * what the chain does (with its log lines), the `--verify` result, and the verdict last, where the eye lands.
 * No secrets: the report holds none.
 */
export const renderReport = (report: DoctorReport, options: RenderOptions): string => {
  const c = palette(options.color);
  const lines = [
    headerLine(report, c),
    ...endpointSection(report.metadataEndpoint, c),
    ...sourcesSection(report, c),
    ...filesSection(report.files, c),
    ...environmentSection(report, c),
    ...chainSection(report, c),
    ...verificationSection(report.verification, c),
    ...waitSection(report.wait, c),
    ...verdictSection(report, c),
  ];
  return `${lines.join("\n")}\n`;
};
