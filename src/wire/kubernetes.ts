/** The pod annotation that names the role kube2iam and kiam assume for the pod. */
export const ROLE_ANNOTATION = "iam.amazonaws.com/role";

/** The role a pod declares; `line`, when present, is 1-based. */
export type DeclaredRole =
  | { kind: "role"; role: string }
  | { kind: "noRole" }
  | { kind: "malformed"; problem: string; line?: number };

/** A reference to an IAM role, as read by {@link parseRoleReference}. */
export interface RoleReference {
  form: "name" | "path" | "roleArn" | "assumedRoleArn";
  name: string;
  path?: string;
  accountId?: string;
  partition?: string;
  arn?: string;
}

/**
 * A line the kubelet writes: a key without spaces, quotes or `=`, then `=` and a quoted value. The quote may be a
 * backquote, which Go's `%q` never writes but `strconv.Unquote` reads.
 */
const ANNOTATION_LINE = /^([^\s="`]+)=(["`].*)$/s;
/** A key with a dotted DNS prefix followed by `=`, such as `iam.amazonaws.com/role=`. */
const DOMAIN_KEY_THEN_EQUALS =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?=/;

/**
 * Reads the role a pod declares in its `iam.amazonaws.com/role` annotation from either file a pod can mount: the
 * whole annotations map (`fieldPath: metadata.annotations`), or the annotation's raw value alone
 * (`fieldPath: metadata.annotations['iam.amazonaws.com/role']`), such as `orders-reader` and a newline.
 *
 * Text of more than one non-blank line is an annotations file. So is a single line that starts with `key="` (no
 * role holds `="`) or with a domain-prefixed key and `=` (`iam.amazonaws.com/role=orders-reader` is malformed, not a
 * role named `role=orders-reader` under the path `iam.amazonaws.com`). Any other single line is the raw value.
 *
 * The role comes back trimmed and unvalidated (see {@link parseRoleReference}). An empty file or value, or an
 * annotations file without the annotation, is `noRole`.
 */
export const declaredRoleFromAnnotationsText = (text: string): DeclaredRole => {
  const [onlyLine, ...otherLines] = splitLines(text)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (onlyLine === undefined) return { kind: "noRole" };
  const annotationLine = ANNOTATION_LINE.test(onlyLine) || DOMAIN_KEY_THEN_EQUALS.test(onlyLine);
  if (otherLines.length === 0 && !annotationLine) return { kind: "role", role: onlyLine };
  return roleInAnnotations(text);
};

/**
 * The annotations file: one `key="value"` line per annotation, each value quoted by Go's `strconv.Quote` (so `\x41`,
 * `\a` and `\U0001f600` appear: JSON unquoting is not enough). CRLF, blank lines, whitespace around a line, a leading
 * BOM and any key order are tolerated. Refused, with the line: a line that is not `key=` and a quoted value, a value
 * that is not exactly one valid Go string literal, a key given twice. Problems name keys, never values.
 */
const roleInAnnotations = (text: string): DeclaredRole => {
  const keys = new Set<string>();
  let role = "";
  for (const [index, rawLine] of splitLines(text).entries()) {
    const line = rawLine.trim();
    if (line === "") continue;
    const refuse = (problem: string) => ({ kind: "malformed", problem, line: index + 1 }) as const;
    const [, key = "", quoted = ""] = ANNOTATION_LINE.exec(line) ?? [];
    if (key === "") return refuse(notKeyAndQuotedValue(line));
    const value = unquoteGoString(quoted);
    if (!value.ok) return refuse(`the value of ${key} is not a valid Go string: ${value.problem}`);
    if (keys.has(key)) return refuse(`the key ${key} appears twice`);
    keys.add(key);
    if (key === ROLE_ANNOTATION) role = value.value.trim();
  }
  return role === "" ? { kind: "noRole" } : { kind: "role", role };
};

/** What is wrong with a line that is not `key=` and a quoted value. */
const notKeyAndQuotedValue = (line: string): string => {
  const equals = line.indexOf("=");
  if (equals < 0) return 'the line is not key="value": it has no "="';
  if (equals === 0) return 'the line is not key="value": the key is empty';
  if (/[\s"`]/.test(line.slice(0, equals))) return 'the line is not key="value": the key holds a space or a quote';
  return `the value of ${line.slice(0, equals)} is not quoted (the kubelet writes key="value")`;
};

const splitLines = (text: string) => text.replace(/^\uFEFF/, "").split(/\r?\n/);

/** Go's single-letter escapes (spec, "Rune literals"), and at the same index the byte each stands for. */
const SIMPLE_ESCAPES = ['abfnrtv\\"', '\x07\b\f\n\r\t\v\\"'] as const;
const HEX_DIGITS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };
const encoder = new TextEncoder();
/** Like Go printing a string: each ill-formed byte sequence becomes U+FFFD; a leading BOM is kept. */
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Go's `strconv.Unquote` for one line: a double-quoted literal with the escapes `\a \b \f \n \r \t \v \\ \"`,
 * `\NNN` (at most `\377`), `\xHH`, `\uHHHH` and `\UHHHHHHHH`, or a backquoted raw literal (Go drops its `\r`). `\x`
 * and octal escapes are bytes: the whole literal is decoded as UTF-8 at the end, so `"\xe2\x82\xac"` is `"€"`, and
 * where Go would keep bytes that are not UTF-8, JavaScript gets U+FFFD, which is what Go prints. Problems give the
 * offset of the fault, never the text.
 */
const unquoteGoString = (quoted: string): { ok: true; value: string } | { ok: false; problem: string } => {
  const fail = (problem: string) => ({ ok: false, problem }) as const;
  if (quoted.length < 2) return fail("a quoted string needs an opening and a closing quote");
  if (quoted.startsWith("`")) {
    const end = quoted.indexOf("`", 1);
    if (end < 0) return fail("the raw string has no closing backquote");
    if (end !== quoted.length - 1) return fail(`unexpected text after the closing backquote at offset ${end}`);
    return { ok: true, value: decoder.decode(encoder.encode(quoted.slice(1, end).replaceAll("\r", ""))) };
  }
  const bytes: number[] = [];
  let index = 1;
  while (index < quoted.length && quoted[index] !== '"') {
    if (quoted[index] !== "\\") {
      // A whole code point, so that a surrogate pair stays together; TextEncoder turns a lone one into U+FFFD.
      const char = String.fromCodePoint(quoted.codePointAt(index) ?? 0);
      bytes.push(...encoder.encode(char));
      index += char.length;
      continue;
    }
    const step = readEscape(quoted, index);
    if (typeof step === "string") return fail(step);
    bytes.push(...step.bytes);
    index = step.next;
  }
  if (index >= quoted.length) return fail("the string has no closing double quote");
  if (index !== quoted.length - 1) return fail(`unexpected text after the closing double quote at offset ${index}`);
  return { ok: true, value: decoder.decode(Uint8Array.from(bytes)) };
};

/** The bytes of the escape whose backslash is at `index` and the index after it, or what is wrong with it. */
const readEscape = (quoted: string, index: number): { bytes: number[]; next: number } | string => {
  const letter = quoted[index + 1];
  const where = `at offset ${index}`;
  if (letter === undefined) return `the string ends in a lone backslash ${where}`;
  const simple = SIMPLE_ESCAPES[0].indexOf(letter);
  if (simple >= 0) return { bytes: [SIMPLE_ESCAPES[1].charCodeAt(simple)], next: index + 2 };
  const count = HEX_DIGITS[letter];
  if (count !== undefined) {
    const digits = quoted.slice(index + 2, index + 2 + count);
    if (!new RegExp(`^[0-9a-fA-F]{${count}}$`).test(digits)) return `\\${letter} needs ${count} hex digits ${where}`;
    const [value, next] = [Number.parseInt(digits, 16), index + 2 + count];
    if (letter === "x") return { bytes: [value], next };
    // Go's utf8.ValidRune: in range and not a surrogate half.
    if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
      return `\\${letter}${digits} ${where} is not a valid Unicode code point`;
    }
    return { bytes: [...encoder.encode(String.fromCodePoint(value))], next };
  }
  if (/[0-7]/.test(letter)) {
    const digits = quoted.slice(index + 1, index + 4);
    if (!/^[0-7]{3}$/.test(digits)) return `an octal escape needs 3 octal digits ${where}`;
    const value = Number.parseInt(digits, 8);
    return value > 0xff ? `octal escape \\${digits} ${where} is above \\377` : { bytes: [value], next: index + 4 };
  }
  if (letter === "'") return `invalid escape \\' ${where} (only valid in single quotes)`;
  const shown = /^[\x21-\x7e]$/.test(letter) ? `\\${letter}` : "a backslash before a non-printable character";
  return `invalid escape ${shown} ${where}`;
};

/** IAM role names: 1 to 64 of letters, digits and `+=,.@_-`; STS session names: 2 to 64 of the same. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** One segment of an IAM path: printable ASCII other than space and `/`. */
const PATH_SEGMENT = /^[\x21-\x2e\x30-\x7e]+$/;
const MAX_PATH_LENGTH = 512;
const ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role\/(.+)$/;
const ASSUMED_ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/;

/**
 * Reads a role reference, trimmed, in any form a pod annotation or a setting may use (`form`); the name comes back as
 * written, the path in IAM's notation (`"/"`, `"/team/sub/"`), and fields the text does not give are absent:
 * - a bare name, `orders-reader`: no path;
 * - a path and a name, `team/orders-reader` or `/team/orders-reader` (kiam allows the leading slash), or
 *   `/orders-reader` for the root path `/`;
 * - a role ARN in any partition, `arn:aws-cn:iam::123456789012:role/team/orders-reader` (path `/` for `role/name`);
 * - an assumed-role ARN, `arn:aws:sts::123456789012:assumed-role/orders-reader/session`: that session's role, without
 *   a path since STS drops it.
 *
 * Anything else is `undefined`: empty text, another kind of ARN, a name IAM refuses (too long, a character out of
 * `+=,.@_-`), an empty path segment (`team//orders-reader`) or a trailing slash.
 */
export const parseRoleReference = (text: string): RoleReference | undefined => {
  const trimmed = text.trim();
  const [, partition, accountId, resource = ""] = ROLE_ARN.exec(trimmed) ?? [];
  if (partition !== undefined && accountId !== undefined) {
    const pathAndName = parsePathAndName(resource);
    return pathAndName && { form: "roleArn", ...pathAndName, accountId, partition, arn: trimmed };
  }
  const [, assumedPartition, assumedAccountId, name = "", session = ""] = ASSUMED_ROLE_ARN.exec(trimmed) ?? [];
  if (assumedPartition !== undefined && assumedAccountId !== undefined) {
    if (!ROLE_NAME.test(name) || !SESSION_NAME.test(session)) return undefined;
    return { form: "assumedRoleArn", name, accountId: assumedAccountId, partition: assumedPartition, arn: trimmed };
  }
  if (trimmed.startsWith("arn:")) return undefined;
  const pathAndName = parsePathAndName(trimmed.replace(/^\//, ""));
  if (!pathAndName) return undefined;
  return trimmed.includes("/") ? { form: "path", ...pathAndName } : { form: "name", name: pathAndName.name };
};

/** `team/sub/name` or `name`, without a leading slash, as an IAM path and a name. */
const parsePathAndName = (text: string): { name: string; path: string } | undefined => {
  const segments = text.split("/");
  const name = segments.pop() ?? "";
  if (!ROLE_NAME.test(name) || !segments.every((segment) => PATH_SEGMENT.test(segment))) return undefined;
  const path = segments.length === 0 ? "/" : `/${segments.join("/")}/`;
  return path.length <= MAX_PATH_LENGTH ? { name, path } : undefined;
};

/**
 * Whether two role references can name the same role: both parse with {@link parseRoleReference}, with equal names
 * without regard to case (IAM role names are unique per account case-insensitively), and equal paths, accounts and
 * partitions wherever both sides give one. So a bare name matches a role under any path, and an assumed-role ARN,
 * which has no path, a role ARN under any path.
 */
export const sameRole = (a: string, b: string): boolean => {
  const [left, right] = [parseRoleReference(a), parseRoleReference(b)];
  if (left === undefined || right === undefined) return false;
  const sameWhereBothSay = (["path", "accountId", "partition"] as const).every(
    (key) => !left[key] || !right[key] || left[key] === right[key],
  );
  return sameWhereBothSay && left.name.toLowerCase() === right.name.toLowerCase();
};
