// The report as text for a terminal: one section per part of the report, in the order an operator reads them, and
// the verdict last, where the eye lands. The report holds no secret, so neither does the text.
import {
  type ChainReport,
  type DoctorReport,
  type FileReport,
  type HopReport,
  problemOf,
  roleOf,
  type SourceReport,
  seconds,
} from "./doctorReport.js";

type Paint = (text: string) => string;
const plain: Paint = (text) => text;

const palette = (color: boolean) => {
  const ansi = (open: number, close: number): Paint =>
    color ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : plain;
  return { bold: ansi(1, 22), dim: ansi(2, 22), green: ansi(32, 39), yellow: ansi(33, 39), red: ansi(31, 39) };
};
type Palette = ReturnType<typeof palette>;

/** A cell's text is measured for alignment; `paint` colours it once padded. */
type Cell = { readonly text: string; readonly paint?: Paint | undefined };
const cell = (text: string, paint?: Paint): Cell => ({ text, paint });
/** A label and its value, the shape of most rows. */
const row = (label: string, text: string, paint?: Paint): Cell[] => [cell(label), cell(text, paint)];

/** Every column but the last padded to its widest cell, columns two spaces apart; a `false` row is left out. */
export const formatTable = (rows: readonly (readonly Cell[] | false)[]): string[] => {
  const shown = rows.filter((item): item is readonly Cell[] => item !== false);
  const widths: number[] = [];
  for (const cells of shown) {
    cells.forEach((item, index) => {
      if (index < cells.length - 1) widths[index] = Math.max(widths[index] ?? 0, item.text.length);
    });
  }
  return shown.map((cells) =>
    `  ${cells
      .map((item, index) => {
        const padded = index < cells.length - 1 ? item.text.padEnd(widths[index] ?? 0) : item.text;
        return item.paint ? item.paint(padded) : padded;
      })
      .join("  ")}`.trimEnd(),
  );
};

const section = (c: Palette, heading: string, rows: readonly (readonly Cell[] | false)[]): string[] => [
  "",
  c.bold(heading),
  ...formatTable(rows),
];

const statusPaint = (c: Palette, status: string): Paint =>
  status === "ok" || status === "resolved" ? c.green : status === "failed" ? c.red : c.dim;

const known = (parts: readonly (string | false | null | undefined)[]): string => parts.filter(Boolean).join(", ");

/** Colour only where the CLI allows it: standard output is a TTY and `NO_COLOR` is unset or empty. */
export const renderReport = (report: DoctorReport, options: { readonly color: boolean }): string => {
  const c = palette(options.color);
  const sections = [
    endpointSection,
    sourcesSection,
    filesSection,
    environmentSection,
    chainSection,
    verificationSection,
    waitSection,
    verdictSection,
  ];
  const title = c.bold(`pod-credentials doctor ${report.tool.version}`);
  const lines = [title + c.dim(`  ${report.generatedAt}, ${report.durationMs} ms`)];
  return `${[...lines, ...sections.flatMap((render) => render(report, c))].join("\n")}\n`;
};

type Section = (report: DoctorReport, c: Palette) => string[];

const endpointSection: Section = ({ metadataEndpoint: endpoint }, c) => {
  const { status, answer, role, message } = endpoint.listing;
  const listing =
    status === null
      ? `no answer (${message ?? "unknown reason"})`
      : `HTTP ${status} (${answer}${role ? `: ${role}` : ""}${message ? `: ${message}` : ""}) to an invalid IMDSv2 token`;
  // The real IMDS is a warning sign, no answer says nothing, a proxy is good news.
  const paint =
    endpoint.kind === "ec2Imds" ? c.yellow : ["unreachable", "invalid"].includes(endpoint.kind) ? c.dim : c.green;
  const health = endpoint.kube2iamHealth;
  return section(c, "Metadata endpoint", [
    row("url", endpoint.url ? `${endpoint.url} (from ${endpoint.from ?? "?"})` : "(invalid setting)"),
    row("answers", endpoint.description, paint),
    row("role listing", listing),
    !!health && row("/healthz", `kube2iam on host ${health.hostIP ?? "?"}, instance ${health.instanceId ?? "?"}`),
    endpoint.kiamPing && row("/ping", "pong (kiam)"),
    !!endpoint.offeredRole &&
      row("offers role", `${endpoint.offeredRole}${endpoint.kind === "ec2Imds" ? " (the node's role)" : ""}`),
    // No answer is already said by the listing row.
    !!endpoint.error && endpoint.kind !== "unreachable" && row("problem", endpoint.error, c.red),
  ]);
};

/**
 * The doctor examines the instance profile with node credentials allowed, whatever the chain's setting, so its
 * `configuredBy` starts with "node credentials allowed": the row says what the chain does with them instead.
 */
const configuredByOf = (source: SourceReport, allowNodeCredentials: boolean | null): string | null => {
  const prefix = "node credentials allowed; ";
  if (source.source !== "instanceProfile" || !source.configuredBy?.startsWith(prefix)) return source.configuredBy;
  const rest = source.configuredBy.slice(prefix.length);
  return allowNodeCredentials === true
    ? `node credentials allowed by the configuration; ${rest}`
    : `${rest}; examined on its own: the chain refuses node credentials`;
};

/** What a source got, and whose it is: the node's, or (instance profile behind a proxy) the proxy's. */
const sourceDetail = (source: SourceReport, endpoint: string, allowNodeCredentials: boolean | null): string => {
  if (source.status === "absent") return source.reason ?? "";
  if (source.status === "failed") return source.error ? problemOf(source.error) : "Error: ";
  const { credentials } = source;
  const whose = source.nodeCredentials
    ? "the NODE's credentials: "
    : source.source === "instanceProfile"
      ? `through ${endpoint}, not the node: `
      : "";
  return `${whose}${known([
    roleOf(credentials) && `role ${roleOf(credentials)}`,
    credentials?.accountId && `account ${credentials.accountId}`,
    credentials && `key ${credentials.accessKeyId}`,
    credentials?.expiration && `expires ${credentials.expiration}`,
    source.configuredBy && `via ${configuredByOf(source, allowNodeCredentials)}`,
  ])}`;
};

const sourcesSection: Section = (report, c) => {
  const rows = report.sources.map((source) => [
    cell(source.chainPosition === null ? "-" : String(source.chainPosition)),
    cell(source.source),
    // The node's credentials are a warning even when they work.
    cell(source.status, source.status === "ok" && source.nodeCredentials ? c.yellow : statusPaint(c, source.status)),
    cell(sourceDetail(source, report.metadataEndpoint.description, report.configuration.allowNodeCredentials)),
  ]);
  const fixes = report.sources.flatMap(({ source, status, error }) =>
    status === "failed" && error?.fix ? [`  ${source} fix: ${error.fix}`] : [],
  );
  return section(c, "Sources, each examined on its own", [
    ["#", "SOURCE", "STATUS", "DETAIL"].map((heading) => cell(heading, c.dim)),
    ...rows,
  ]).concat(fixes, c.dim('  (# is the position in the chain; "-": the chain does not use the source)'));
};

const fileDetail = (file: FileReport): string => {
  if (!file.exists) return file.problem ?? "does not exist";
  const { token } = file;
  return known([
    `${file.bytes ?? 0} bytes`,
    file.modifiedAt && `written ${file.modifiedAt}`,
    token && `aud ${token.audience.join(",") || "(none)"}`,
    token && `sub ${token.subject ?? "(none)"}`,
    token && `iss ${token.issuer ?? "(none)"}`,
    token?.expiresAt && `${token.expired ? "EXPIRED" : "expires"} ${token.expiresAt}`,
    file.declaredRole && `declares role ${file.declaredRole}`,
    file.problem,
  ]);
};

const filesSection: Section = (report, c) => {
  const status = (file: FileReport): Cell =>
    file.exists && !file.problem ? cell("ok", c.green) : cell(file.exists ? "problem" : "missing", c.yellow);
  const rows = report.files.map((file) => [cell(file.purpose), cell(file.path), status(file), cell(fileDetail(file))]);
  return rows.length === 0 ? [] : section(c, "Files", rows);
};

const environmentSection: Section = (report, c) => {
  const variables = report.environment.map(({ name, value }) =>
    row(name, value ?? "(set; value not shown)", value === null ? c.dim : undefined),
  );
  const warnings = report.configuration.warnings.map((warning) => c.yellow(`  warning: ${warning}`));
  if (variables.length > 0) return section(c, "Environment", variables).concat(warnings);
  return ["", c.bold("Environment"), "  (no AWS_* or POD_CREDENTIALS_* variable is set)", ...warnings];
};

const chainSection: Section = ({ chain, configuration }, c) => {
  const { sources, allowNodeCredentials } = configuration;
  const order = sources
    ? `${sources.join(" → ")}${allowNodeCredentials ? " (node credentials allowed)" : " (node credentials refused)"}`
    : "(invalid configuration)";
  const { credentials, error } = chain;
  // Debug lines are in the JSON report; an error line that repeats the error above is not shown twice.
  const log = chain.log.filter(
    ({ level, message }) => level !== "debug" && !(level === "error" && error && message.includes(error.message)),
  );
  const levelPaint = (level: string): Paint => (level === "error" ? c.red : level === "warn" ? c.yellow : plain);
  const result = chain.status === "resolved" ? `resolved from ${chain.source ?? "?"}` : "failed";
  return section(c, "fromPodProviderChain() with this environment", [
    row("sources", order),
    row("result", result, statusPaint(c, chain.status)),
    !!credentials && row("role", roleOf(credentials) ?? "(unknown)"),
    !!credentials && row("account", credentials.accountId ?? "(unknown)"),
    !!credentials && row("access key", credentials.accessKeyId),
    !!credentials && row("expires", credentials.expiration ?? "never (static keys)"),
    !!credentials && !!chain.configuredBy && row("configured by", chain.configuredBy),
    ...hopRows(chain, configuration.assumeRoleArn, c),
    configuration.verifyIdentity === true && verifiedRow(chain, c),
    !!error && row("error", problemOf(error), c.red),
    !!error?.fix && row("fix", error.fix),
    // A failed chain's error (NoPodCredentialsError) already lists what it skipped.
    ...(chain.status === "resolved"
      ? chain.skipped.map(({ source, reason }) => row("skipped", `${source}: ${reason}`, c.dim))
      : []),
  ]).concat(
    log.length === 0 ? [] : ["  log:"],
    log.map((line) => `    ${levelPaint(line.level)(line.level.padEnd(5))} ${line.message}`),
  );
};

/** One hop of role chaining, as the sources table shows a source: role, account, session, expiry, what set it. */
const hopDetail = (hop: HopReport): string =>
  `${hop.via}: ${known([
    (hop.roleArn ?? hop.roleName) && `role ${hop.roleArn ?? hop.roleName}`,
    hop.accountId && `account ${hop.accountId}`,
    hop.assumedRoleArn && `session ${hop.assumedRoleArn}`,
    hop.expiration && `expires ${hop.expiration}`,
    `via ${hop.configuredBy}`,
  ])}`;

/** A row per hop of role chaining; when the chain failed, the role it would have assumed. */
const hopRows = (chain: ChainReport, assumeRoleArn: string | null | undefined, c: Palette): Cell[][] => {
  const hops = chain.hops ?? [];
  if (hops.length > 0) return hops.map((hop) => row(`hop ${hop.hop}`, hopDetail(hop)));
  if (!assumeRoleArn) return [];
  return [row("hop 2", `assumeRole: role ${assumeRoleArn}, not assumed: the chain failed`, c.dim)];
};

/** Identity verification: the ARN STS confirmed and the declared roles it matched; with role chaining, hop 1's. */
const verifiedRow = (chain: ChainReport, c: Palette): Cell[] => {
  const verified = chain.identityVerification;
  if (!verified) return row("verified", "no: the chain gave no credentials (see the error)", c.red);
  const matched = verified.declaredRoles.map(({ role, from }) => `${role} (${from})`).join(", ");
  const checked = matched ? `matching ${matched}` : "no role declared: checked only that it is not the node's role";
  const whose = (chain.hops ?? []).length > 0 ? "hop 1: " : "";
  return row("verified", `${whose}STS says ${verified.callerArn}, account ${verified.accountId}; ${checked}`, c.green);
};

const verificationSection: Section = ({ verification: verified }, c) => {
  if (!verified) return [];
  const heading = `STS GetCallerIdentity (--verify, ${verified.endpoint}, region ${verified.region})`;
  if (verified.status === "skipped") return ["", c.bold(heading), "  skipped: the chain gave no credentials"];
  if (verified.status === "failed") {
    const { name = "Error", message = "" } = verified.error ?? {};
    return ["", c.bold(heading), c.red(`  failed: ${name}: ${message}`)];
  }
  const matches = verified.matchesChainRole;
  return section(c, heading, [
    row("arn", verified.arn ?? "(none)", c.green),
    row("account", verified.account ?? "(none)"),
    row("user id", verified.userId ?? "(none)"),
    matches === null
      ? row("matches", "(cannot compare with the chain's role)")
      : matches
        ? row("matches", "yes, the chain's role")
        : row("matches", "NO: not the role the chain reported", c.red),
  ]);
};

const waitSection: Section = ({ wait }, c) => {
  if (!wait) return [];
  const { attempts, waitedMs, resolved } = wait;
  const counted = `${attempts} attempt${attempts === 1 ? "" : "s"}`;
  const outcome = resolved ? "resolved" : "not resolved";
  return ["", c.bold("Wait"), `  ${counted} in ${seconds(waitedMs)} of ${wait.seconds} s: ${outcome}`];
};

const VERDICTS = {
  podCredentials: ["OK: pod-scoped credentials", "green"],
  nodeCredentialsOnly: ["NODE CREDENTIALS ONLY", "yellow"],
  notConfigured: ["NOT CONFIGURED", "red"],
  failed: ["FAILED", "red"],
} as const;

const verdictSection: Section = ({ verdict, exitCode, summary }, c) => {
  const [label, colour] = VERDICTS[verdict];
  return ["", c.bold("Verdict"), `  ${c[colour](c.bold(label))} (exit ${exitCode})`, `  ${summary}`];
};
