import { readFile, stat } from "node:fs/promises";
import type { Environment } from "../base/settings.js";
import { DEFAULT_ANNOTATIONS_FILE, SETTINGS } from "../base/settings.js";
import { declaredRoleFromAnnotationsText, ROLE_ANNOTATION } from "../wire/kubernetes.js";
import type { FileReport, TokenClaimsReport } from "./doctorReport.js";

/** Files larger than this are not read (kubelet writes tokens of a few kB and annotations of a few hundred bytes). */
const MAX_READ_BYTES = 256 * 1024;

/** A file's report, with the secret it held (a token), for the report's last redaction pass. */
export interface FileInspection {
  /** The report row. */
  readonly report: FileReport;
  /** The token the file holds; never printed, only used to redact. */
  readonly secrets: readonly string[];
}

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

const inspect = async (purpose: FileReport["purpose"], path: string, from: string): Promise<FileInspection> => {
  const report = {
    purpose,
    path,
    from,
    exists: false,
    bytes: null,
    modifiedAt: null,
    token: null,
    declaredRole: null,
    problem: null,
  } satisfies FileReport;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      report: { ...report, problem: code === "ENOENT" ? "does not exist" : `cannot be examined (${code ?? "error"})` },
      secrets: [],
    };
  }
  const found = { ...report, exists: true, bytes: info.size, modifiedAt: info.mtime.toISOString() };
  if (!info.isFile()) return { report: { ...found, problem: "is not a regular file" }, secrets: [] };
  if (info.size > MAX_READ_BYTES)
    return { report: { ...found, problem: `is larger than ${MAX_READ_BYTES} bytes` }, secrets: [] };
  let content: string;
  try {
    content = await readFile(path, "utf8");
  } catch (error) {
    return {
      report: { ...found, problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})` },
      secrets: [],
    };
  }
  if (purpose === "annotations") {
    const role = declaredRoleFromAnnotationsText(content);
    if (role.kind === "role") return { report: { ...found, declaredRole: role.role }, secrets: [] };
    if (role.kind === "noRole")
      return { report: { ...found, problem: `has no ${ROLE_ANNOTATION} annotation` }, secrets: [] };
    return {
      report: {
        ...found,
        problem: `is malformed${role.line === undefined ? "" : ` at line ${role.line}`}: ${role.problem}`,
      },
      secrets: [],
    };
  }
  const token = content.trim();
  if (token === "") return { report: { ...found, problem: "is empty" }, secrets: [] };
  const claims = tokenClaims(token);
  return {
    report: { ...found, token: claims ?? null, problem: claims ? null : "does not hold a JWT" },
    secrets: [token],
  };
};

const setting = (env: Environment, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
};

/**
 * Looks at the files the configuration names: the IRSA token file, the Pod Identity token file, and the annotations
 * file (the one named by `POD_CREDENTIALS_ANNOTATIONS_FILE`, else the default `/etc/podinfo/annotations`). Reports
 * size, age, a token's claims (`iss`, `sub`, `aud`, `exp`) and the declared role; never a token.
 */
export const inspectFiles = async (env: Environment): Promise<FileInspection[]> => {
  const wanted: Array<[FileReport["purpose"], string, string]> = [];
  const webIdentity = setting(env, SETTINGS.webIdentityTokenFile.variable);
  if (webIdentity) wanted.push(["webIdentityToken", webIdentity, SETTINGS.webIdentityTokenFile.variable]);
  const podIdentity = setting(env, SETTINGS.containerAuthorizationTokenFile.variable);
  if (podIdentity) wanted.push(["podIdentityToken", podIdentity, SETTINGS.containerAuthorizationTokenFile.variable]);
  const annotations = setting(env, SETTINGS.annotationsFile.variable);
  wanted.push(
    annotations
      ? ["annotations", annotations, SETTINGS.annotationsFile.variable]
      : ["annotations", DEFAULT_ANNOTATIONS_FILE, "the default annotations file"],
  );
  return Promise.all(wanted.map(([purpose, path, from]) => inspect(purpose, path, from)));
};
