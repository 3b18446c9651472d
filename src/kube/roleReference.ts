/** How a {@link RoleReference} was written. */
export type RoleReferenceForm =
  /** A bare role name: `orders-reader`. */
  | "name"
  /** A path and a name without an account: `team/orders-reader`, `/team/orders-reader`, `/orders-reader`. */
  | "path"
  /** An IAM role ARN: `arn:aws:iam::123456789012:role/team/orders-reader`. */
  | "roleArn"
  /** An STS assumed-role ARN, as `GetCallerIdentity` returns it: `arn:aws:sts::123456789012:assumed-role/orders-reader/session`. */
  | "assumedRoleArn";

/** A reference to an IAM role, as read by {@link parseRoleReference}. Fields the text does not give are absent. */
export interface RoleReference {
  /** How the reference was written. */
  form: RoleReferenceForm;
  /** The role name, as written (IAM compares role names without regard to case). */
  name: string;
  /**
   * The role's IAM path in IAM's own notation: `"/"` for the root path, `"/team/"` or `"/team/sub/"` otherwise.
   * Absent for a bare name and for an assumed-role ARN, which do not say.
   */
  path?: string;
  /** The 12-digit account id, from an ARN. */
  accountId?: string;
  /** The ARN partition (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, …), from an ARN. */
  partition?: string;
  /** The ARN as written, when the reference is one. */
  arn?: string;
}

/** IAM role names: 1 to 64 of letters, digits and `+=,.@_-`. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** STS role session names: 2 to 64 of the same characters. */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** One segment of an IAM path: printable ASCII other than space and `/`. */
const PATH_SEGMENT = /^[\x21-\x2e\x30-\x7e]+$/;
const MAX_PATH_LENGTH = 512;
const ARN_PREFIX = "arn:";
const ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role\/(.+)$/;
const ASSUMED_ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/;

/**
 * Reads a role reference in any of the forms a pod annotation or a configuration may use:
 *
 * - a bare name, `orders-reader`: `{ form: "name", name }`, no path;
 * - a path and a name, `team/orders-reader` or `/team/orders-reader` (the leading slash is optional, as kiam
 *   allows it), or `/orders-reader` for the root path: `{ form: "path", name, path: "/team/" }`;
 * - a role ARN in any partition, `arn:aws-cn:iam::123456789012:role/team/orders-reader`:
 *   `{ form: "roleArn", name, path, accountId, partition, arn }`, with `path: "/"` for `role/orders-reader`;
 * - an assumed-role ARN, `arn:aws:sts::123456789012:assumed-role/orders-reader/session`: the role of that session,
 *   `{ form: "assumedRoleArn", name, accountId, partition, arn }`, without a path since STS drops it.
 *
 * Surrounding whitespace is ignored. Anything else is `undefined`: empty text, another kind of ARN
 * (`arn:aws:iam::123456789012:user/alice`), a name longer than 64 characters or with characters IAM refuses, an
 * empty path segment (`team//orders-reader`) or a trailing slash (`team/orders-reader/`, which leaves no name).
 *
 * @example
 * ```ts
 * parseRoleReference("arn:aws:iam::123456789012:role/team/orders-reader");
 * // { form: "roleArn", name: "orders-reader", path: "/team/", accountId: "123456789012", partition: "aws", arn: "…" }
 * parseRoleReference("orders-reader"); // { form: "name", name: "orders-reader" }
 * parseRoleReference("arn:aws:iam::123456789012:user/alice"); // undefined
 * ```
 */
export const parseRoleReference = (text: string): RoleReference | undefined => {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (trimmed.startsWith(ARN_PREFIX)) return parseRoleArn(trimmed) ?? parseAssumedRoleArn(trimmed);
  const withoutLeadingSlash = trimmed.startsWith("/") ? trimmed.slice(1) : trimmed;
  const pathAndName = parsePathAndName(withoutLeadingSlash);
  if (!pathAndName) return undefined;
  return trimmed.includes("/") ? { form: "path", ...pathAndName } : { form: "name", name: pathAndName.name };
};

/**
 * Whether two role references can name the same role. Both must parse with {@link parseRoleReference}, then:
 *
 * - the names must be equal without regard to case (IAM role names are unique per account case-insensitively);
 * - the paths must be equal, but only when both sides give one: a bare name matches a role under any path, and an
 *   assumed-role ARN, which has no path, matches a role ARN under any path;
 * - the account ids must be equal, but only when both sides give one;
 * - the partitions must be equal, but only when both sides give one.
 *
 * @example
 * ```ts
 * sameRole("orders-reader", "arn:aws:iam::123456789012:role/team/Orders-Reader"); // true
 * sameRole("team/orders-reader", "arn:aws:iam::123456789012:role/other/orders-reader"); // false
 * sameRole("arn:aws:iam::123456789012:role/team/orders-reader",
 *   "arn:aws:sts::123456789012:assumed-role/orders-reader/1764277200000"); // true
 * ```
 */
export const sameRole = (a: string, b: string): boolean => {
  const left = parseRoleReference(a);
  const right = parseRoleReference(b);
  return left !== undefined && right !== undefined && sameRoleReference(left, right);
};

/** {@link sameRole} for references already parsed. */
export const sameRoleReference = (a: RoleReference, b: RoleReference): boolean =>
  a.name.toLowerCase() === b.name.toLowerCase() &&
  equalWhenBothGiven(a.path, b.path) &&
  equalWhenBothGiven(a.accountId, b.accountId) &&
  equalWhenBothGiven(a.partition, b.partition);

/**
 * The bare role name of a reference, for messages and logs: `orders-reader` for
 * `arn:aws:iam::123456789012:role/team/orders-reader`. `undefined` when the text is not a role reference.
 *
 * @example
 * ```ts
 * roleNameOf("team/orders-reader"); // "orders-reader"
 * ```
 */
export const roleNameOf = (text: string): string | undefined => parseRoleReference(text)?.name;

const equalWhenBothGiven = (a: string | undefined, b: string | undefined): boolean =>
  a === undefined || b === undefined || a === b;

/** `team/sub/name` or `name` (no leading slash) into an IAM path and a name. */
const parsePathAndName = (text: string): { name: string; path: string } | undefined => {
  const segments = text.split("/");
  const name = segments.pop() ?? "";
  if (!ROLE_NAME.test(name) || !segments.every((segment) => PATH_SEGMENT.test(segment))) return undefined;
  const path = segments.length === 0 ? "/" : `/${segments.join("/")}/`;
  return path.length <= MAX_PATH_LENGTH ? { name, path } : undefined;
};

const parseRoleArn = (arn: string): RoleReference | undefined => {
  const match = ROLE_ARN.exec(arn);
  const [, partition, accountId, resource] = match ?? [];
  if (partition === undefined || accountId === undefined || resource === undefined) return undefined;
  const pathAndName = parsePathAndName(resource);
  return pathAndName && { form: "roleArn", ...pathAndName, accountId, partition, arn };
};

const parseAssumedRoleArn = (arn: string): RoleReference | undefined => {
  const match = ASSUMED_ROLE_ARN.exec(arn);
  const [, partition, accountId, name, session] = match ?? [];
  if (partition === undefined || accountId === undefined || name === undefined || session === undefined) {
    return undefined;
  }
  if (!ROLE_NAME.test(name) || !SESSION_NAME.test(session)) return undefined;
  return { form: "assumedRoleArn", name, accountId, partition, arn };
};
