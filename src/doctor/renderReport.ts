import type { DoctorReport, DoctorVerdict, FileReport, SourceReport } from "./doctorReport.js";

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

const sourceDetail = (source: SourceReport, endpoint: string): string => {
  if (source.status === "absent") return source.reason ?? "";
  if (source.status === "failed") {
    const problem = source.error?.message.split(" Fix: ")[0] ?? "";
    return `${source.error?.name ?? "Error"}: ${problem}`;
  }
  const credentials = source.credentials;
  const parts = [
    (credentials?.roleArn ?? credentials?.roleName)
      ? `role ${credentials?.roleArn ?? credentials?.roleName}`
      : undefined,
    credentials?.accountId ? `account ${credentials.accountId}` : undefined,
    credentials ? `key ${credentials.accessKeyId}` : undefined,
    credentials?.expiration ? `expires ${credentials.expiration}` : undefined,
    source.configuredBy ? `via ${source.configuredBy}` : undefined,
  ].filter(Boolean);
  const whose = source.nodeCredentials
    ? "the NODE's credentials: "
    : source.source === "instanceProfile"
      ? `through ${endpoint}, not the node: `
      : "";
  return `${whose}${parts.join(", ")}`;
};

const fileDetail = (file: FileReport): string => {
  if (!file.exists) return file.problem ?? "does not exist";
  const parts = [`${file.bytes ?? 0} bytes`, file.modifiedAt ? `written ${file.modifiedAt}` : undefined];
  if (file.token) {
    const { audience, subject, issuer, expiresAt, expired } = file.token;
    parts.push(`aud ${audience.join(",") || "(none)"}`, `sub ${subject ?? "(none)"}`, `iss ${issuer ?? "(none)"}`);
    if (expiresAt) parts.push(`${expired ? "EXPIRED" : "expires"} ${expiresAt}`);
  }
  if (file.declaredRole) parts.push(`declares role ${file.declaredRole}`);
  if (file.problem) parts.push(file.problem);
  return parts.filter(Boolean).join(", ");
};

/**
 * The report as text for a terminal: the metadata endpoint, every source in a table, the files, the environment,
 * what the chain does (with its log lines), the `--verify` result, and the verdict last, where the eye lands.
 * No secrets: the report holds none.
 */
export const renderReport = (report: DoctorReport, options: RenderOptions): string => {
  const c = palette(options.color);
  const lines: string[] = [];
  const heading = (text: string): void => {
    lines.push("", c.bold(text));
  };
  const statusPaint = (status: string): Paint =>
    status === "ok" || status === "resolved" ? c.green : status === "failed" ? c.red : c.dim;

  lines.push(
    c.bold(`pod-credentials doctor ${report.tool.version}`) + c.dim(`  ${report.generatedAt}, ${report.durationMs} ms`),
  );

  const endpoint = report.metadataEndpoint;
  heading("Metadata endpoint");
  const endpointRows: Cell[][] = [
    [cell("url"), cell(endpoint.url ? `${endpoint.url} (from ${endpoint.from ?? "?"})` : "(invalid setting)")],
    [
      cell("answers"),
      cell(
        endpoint.description,
        endpoint.kind === "ec2Imds"
          ? c.yellow
          : endpoint.kind === "unreachable" || endpoint.kind === "invalid"
            ? c.dim
            : c.green,
      ),
    ],
  ];
  const listing = endpoint.listing;
  const listingText =
    listing.status === null
      ? `no answer (${listing.message ?? "unknown reason"})`
      : `HTTP ${listing.status} (${listing.answer}${listing.role ? `: ${listing.role}` : ""}${listing.message ? `: ${listing.message}` : ""}) to an invalid IMDSv2 token`;
  endpointRows.push([cell("role listing"), cell(listingText)]);
  if (endpoint.kube2iamHealth) {
    endpointRows.push([
      cell("/healthz"),
      cell(
        `kube2iam on host ${endpoint.kube2iamHealth.hostIP ?? "?"}, instance ${endpoint.kube2iamHealth.instanceId ?? "?"}`,
      ),
    ]);
  }
  if (endpoint.kiamPing) endpointRows.push([cell("/ping"), cell("pong (kiam)")]);
  if (endpoint.offeredRole) {
    endpointRows.push([
      cell("offers role"),
      cell(`${endpoint.offeredRole}${endpoint.kind === "ec2Imds" ? " (the node's role)" : ""}`),
    ]);
  }
  if (endpoint.error && endpoint.kind !== "unreachable")
    endpointRows.push([cell("problem"), cell(endpoint.error, c.red)]);
  lines.push(...formatTable(endpointRows));

  heading("Sources, each examined on its own");
  lines.push(
    ...formatTable([
      [cell("#", c.dim), cell("SOURCE", c.dim), cell("STATUS", c.dim), cell("DETAIL", c.dim)],
      ...report.sources.map((source) => [
        cell(source.chainPosition === null ? "-" : String(source.chainPosition)),
        cell(source.source),
        cell(source.status, source.status === "ok" && source.nodeCredentials ? c.yellow : statusPaint(source.status)),
        cell(sourceDetail(source, endpoint.description)),
      ]),
    ]),
  );
  const fixes = report.sources.filter((source) => source.status === "failed" && source.error?.fix);
  for (const source of fixes) lines.push(`  ${source.source} fix: ${source.error?.fix ?? ""}`);
  lines.push(c.dim('  (# is the position in the chain; "-": the chain does not use the source)'));

  if (report.files.length > 0) {
    heading("Files");
    lines.push(
      ...formatTable(
        report.files.map((file) => [
          cell(file.purpose),
          cell(file.path),
          cell(
            file.exists && !file.problem ? "ok" : file.exists ? "problem" : "missing",
            file.exists && !file.problem ? c.green : c.yellow,
          ),
          cell(fileDetail(file)),
        ]),
      ),
    );
  }

  heading("Environment");
  lines.push(
    ...(report.environment.length === 0
      ? ["  (no AWS_* or POD_CREDENTIALS_* variable is set)"]
      : formatTable(
          report.environment.map(({ name, value }) => [
            cell(name),
            cell(value ?? "(set; value not shown)", value === null ? c.dim : undefined),
          ]),
        )),
  );
  for (const warning of report.configuration.warnings) lines.push(c.yellow(`  warning: ${warning}`));

  const chain = report.chain;
  heading("fromPodProviderChain() with this environment");
  const configuration = report.configuration;
  const chainRows: Cell[][] = [
    [
      cell("sources"),
      cell(
        configuration.sources
          ? `${configuration.sources.join(" → ")}${configuration.allowNodeCredentials ? " (node credentials allowed)" : " (node credentials refused)"}`
          : "(invalid configuration)",
      ),
    ],
    [
      cell("result"),
      cell(chain.status === "resolved" ? `resolved from ${chain.source ?? "?"}` : "failed", statusPaint(chain.status)),
    ],
  ];
  if (chain.credentials) {
    const credentials = chain.credentials;
    chainRows.push([cell("role"), cell(credentials.roleArn ?? credentials.roleName ?? "(unknown)")]);
    chainRows.push([cell("account"), cell(credentials.accountId ?? "(unknown)")]);
    chainRows.push([cell("access key"), cell(credentials.accessKeyId)]);
    chainRows.push([cell("expires"), cell(credentials.expiration ?? "never (static keys)")]);
    if (chain.configuredBy) chainRows.push([cell("configured by"), cell(chain.configuredBy)]);
  }
  if (chain.error) {
    chainRows.push([
      cell("error"),
      cell(`${chain.error.name}: ${chain.error.message.split(" Fix: ")[0] ?? ""}`, c.red),
    ]);
    if (chain.error.fix) chainRows.push([cell("fix"), cell(chain.error.fix)]);
  }
  // A failed chain's error (NoPodCredentialsError) already lists what it skipped.
  if (chain.status === "resolved")
    for (const { source, reason } of chain.skipped)
      chainRows.push([cell("skipped"), cell(`${source}: ${reason}`, c.dim)]);
  lines.push(...formatTable(chainRows));
  // Debug lines are in the JSON report; an error line that repeats the error above is not shown twice.
  const logged = chain.log.filter(
    (line) =>
      line.level !== "debug" && !(line.level === "error" && chain.error && line.message.includes(chain.error.message)),
  );
  if (logged.length > 0) {
    lines.push("  log:");
    for (const line of logged) {
      const paint = line.level === "error" ? c.red : line.level === "warn" ? c.yellow : plain;
      lines.push(`    ${paint(line.level.padEnd(5))} ${line.message}`);
    }
  }

  const verification = report.verification;
  if (verification) {
    heading(`STS GetCallerIdentity (--verify, ${verification.endpoint}, region ${verification.region})`);
    if (verification.status === "ok") {
      lines.push(
        ...formatTable([
          [cell("arn"), cell(verification.arn ?? "(none)", c.green)],
          [cell("account"), cell(verification.account ?? "(none)")],
          [cell("user id"), cell(verification.userId ?? "(none)")],
          [
            cell("matches"),
            cell(
              verification.matchesChainRole === null
                ? "(cannot compare with the chain's role)"
                : verification.matchesChainRole
                  ? "yes, the chain's role"
                  : "NO: not the role the chain reported",
              verification.matchesChainRole === false ? c.red : undefined,
            ),
          ],
        ]),
      );
    } else if (verification.status === "skipped") {
      lines.push("  skipped: the chain gave no credentials");
    } else {
      lines.push(c.red(`  failed: ${verification.error?.name ?? "Error"}: ${verification.error?.message ?? ""}`));
    }
  }

  if (report.wait) {
    const { attempts, waitedMs, resolved, seconds } = report.wait;
    heading("Wait");
    lines.push(
      `  ${attempts} attempt${attempts === 1 ? "" : "s"} in ${(waitedMs / 1000).toFixed(1)} s of ${seconds} s: ${resolved ? "resolved" : "not resolved"}`,
    );
  }

  heading("Verdict");
  const verdictPaint =
    report.verdict === "podCredentials" ? c.green : report.verdict === "nodeCredentialsOnly" ? c.yellow : c.red;
  lines.push(`  ${verdictPaint(c.bold(VERDICT_LABELS[report.verdict]))} (exit ${report.exitCode})`);
  lines.push(`  ${report.summary}`);
  return `${lines.join("\n")}\n`;
};
