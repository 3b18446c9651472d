import { unquoteGoString } from "./unquoteGoString.js";

/** The pod annotation that names the role kube2iam and kiam assume for the pod. */
export const ROLE_ANNOTATION = "iam.amazonaws.com/role";

/** The result of {@link parseAnnotations}. `line` is 1-based. */
export type ParseAnnotationsResult =
  | { ok: true; annotations: ReadonlyMap<string, string> }
  | { ok: false; problem: string; line: number };

/** The result of {@link declaredRoleFromAnnotationsText}. `line`, when present, is 1-based. */
export type DeclaredRole =
  | { kind: "role"; role: string }
  | { kind: "noRole" }
  | { kind: "malformed"; problem: string; line?: number };

/**
 * A line the kubelet writes: a key without spaces, quotes or `=`, then `=`, then a quoted value. The quote may be a
 * backquote, which Go's `%q` never writes but `strconv.Unquote` reads.
 */
const ANNOTATION_LINE = /^([^\s="`]+)=(["`].*)$/s;

/**
 * A Kubernetes annotation key with a DNS-subdomain prefix that has a dot (`iam.amazonaws.com/role`,
 * `example.com/x`) followed by `=`. A single line that starts like this is an annotation written without quotes,
 * not a raw role: IAM role paths and names do not start with a domain followed by `/…=`.
 */
const DOMAIN_PREFIXED_KEY_THEN_EQUALS =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?=/;

/**
 * Parses the file a downward-API volume writes for `fieldPath: metadata.annotations`: one `key="value"` line per
 * annotation, sorted by key, each value quoted with Go's `strconv.Quote` (so escapes such as `\x41`, `\a` and
 * `\U0001f600` appear; JSON unquoting is not enough), lines joined by `\n` and no newline after the last.
 *
 * Tolerated as well: CRLF line endings, a trailing newline, blank lines, whitespace around a line, a leading byte
 * order mark and keys in any order. An empty file is a pod without annotations.
 *
 * Refused, with the 1-based line number: a line that is not `key=` followed by a quoted value, a value that is not
 * a valid Go string literal or has text after its closing quote, and a key given twice. Problems name keys but never
 * repeat values.
 *
 * @param text - The whole file, decoded as UTF-8.
 *
 * @example
 * ```ts
 * const parsed = parseAnnotations('iam.amazonaws.com/role="orders-reader"\nkubernetes.io/config.source="api"');
 * if (parsed.ok) parsed.annotations.get("iam.amazonaws.com/role"); // "orders-reader"
 * ```
 */
export const parseAnnotations = (text: string): ParseAnnotationsResult => {
  const annotations = new Map<string, string>();
  const lines = splitLines(text);
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.trim();
    if (line === "") continue;
    const lineNumber = index + 1;
    const match = ANNOTATION_LINE.exec(line);
    if (!match) return { ok: false, problem: describeUnparsableLine(line), line: lineNumber };
    const key = match[1] ?? "";
    const unquoted = unquoteGoString(match[2] ?? "");
    if (!unquoted.ok) {
      return {
        ok: false,
        problem: `the value of ${key} is not a valid Go string: ${unquoted.problem}`,
        line: lineNumber,
      };
    }
    if (annotations.has(key)) return { ok: false, problem: `the key ${key} appears twice`, line: lineNumber };
    annotations.set(key, unquoted.value);
  }
  return { ok: true, annotations };
};

/**
 * Reads the role a pod declares in its `iam.amazonaws.com/role` annotation from a downward-API file.
 *
 * The file may be either form a pod can mount:
 * - the whole annotations map (`fieldPath: metadata.annotations`), parsed by {@link parseAnnotations};
 * - the single annotation's raw value (`fieldPath: metadata.annotations['iam.amazonaws.com/role']`), such as
 *   `orders-reader` or `arn:aws:iam::123456789012:role/orders-reader`, possibly followed by a newline.
 *
 * How the two are told apart: text with more than one non-blank line is an annotations file. A single non-blank
 * line is an annotation line when it starts with a key, `=` and a quote (`key="…`), since a role never contains
 * `="`, or when it starts with a domain-prefixed key and `=` (`iam.amazonaws.com/role=orders-reader`, an
 * annotation written without quotes, which is reported as malformed rather than taken for a role named
 * `role=orders-reader` under path `iam.amazonaws.com`). Any other single line is a raw value.
 *
 * The role is returned with surrounding whitespace trimmed and is not validated here (see
 * {@link parseRoleReference}). An empty or whitespace-only file or value, or an annotations file without the
 * annotation, is `noRole`.
 *
 * @param text - The whole file, decoded as UTF-8.
 *
 * @example
 * ```ts
 * declaredRoleFromAnnotationsText('iam.amazonaws.com/role="orders-reader"'); // { kind: "role", role: "orders-reader" }
 * declaredRoleFromAnnotationsText("orders-reader\n"); // { kind: "role", role: "orders-reader" }
 * declaredRoleFromAnnotationsText('kubernetes.io/config.source="api"'); // { kind: "noRole" }
 * ```
 */
export const declaredRoleFromAnnotationsText = (text: string): DeclaredRole => {
  const contentLines = splitLines(text)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const [onlyLine, ...otherLines] = contentLines;
  if (onlyLine === undefined) return { kind: "noRole" };
  if (otherLines.length === 0 && !looksLikeAnnotationLine(onlyLine)) return { kind: "role", role: onlyLine };

  const parsed = parseAnnotations(text);
  if (!parsed.ok) return { kind: "malformed", problem: parsed.problem, line: parsed.line };
  const role = parsed.annotations.get(ROLE_ANNOTATION)?.trim() ?? "";
  return role === "" ? { kind: "noRole" } : { kind: "role", role };
};

/** Splits on LF after dropping a leading byte order mark and turning CRLF into LF. */
const splitLines = (text: string): string[] =>
  text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n/g, "\n")
    .split("\n");

const looksLikeAnnotationLine = (line: string): boolean =>
  ANNOTATION_LINE.test(line) || DOMAIN_PREFIXED_KEY_THEN_EQUALS.test(line);

const describeUnparsableLine = (line: string): string => {
  const equals = line.indexOf("=");
  if (equals < 0) return 'the line is not key="value": it has no "="';
  if (equals === 0) return 'the line is not key="value": the key is empty';
  const key = line.slice(0, equals);
  if (/[\s"`]/.test(key)) return 'the line is not key="value": the key holds a space or a quote';
  return `the value of ${key} is not quoted (the kubelet writes key="value")`;
};
