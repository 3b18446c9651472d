// Unsigned service-account tokens shaped like the ones the kubelet projects, and the parsing the fakes apply to them.
import { randomBytes } from "node:crypto";

/**
 * Options of {@link createFakeJwt}.
 *
 * @example
 * ```ts
 * import { createFakeJwt } from "pod-credentials/testing";
 * const expired = createFakeJwt({ expiresInSeconds: -60 });
 * ```
 */
export interface FakeJwtOptions {
  /**
   * Seconds from `now` to the `exp` claim; negative for an already expired token.
   * @default 3600
   */
  expiresInSeconds?: number | undefined;
  /**
   * The clock the `iat`, `nbf` and `exp` claims are computed from.
   * @default new Date()
   */
  now?: Date | undefined;
  /** Claims added to, or replacing, the default ones. */
  claims?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The issuer of the fake tokens: an EKS cluster's OIDC provider.
 *
 * @example
 * ```ts
 * import { FAKE_OIDC_ISSUER } from "pod-credentials/testing";
 * FAKE_OIDC_ISSUER; // "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
 * ```
 */
export const FAKE_OIDC_ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

const base64url = (value: string | Uint8Array): string => Buffer.from(value).toString("base64url");

/**
 * Makes a service-account token shaped like a projected Kubernetes token (`header.payload.signature`, RS256, issuer
 * an EKS OIDC provider, subject `system:serviceaccount:default:orders`, audience `sts.amazonaws.com`). The
 * signature is random: the fakes check the shape and the claims, never the signature.
 *
 * @example
 * ```ts
 * import { createFakeJwt } from "pod-credentials/testing";
 * const token = createFakeJwt({ claims: { aud: ["pods.eks.amazonaws.com"] } });
 * ```
 */
export const createFakeJwt = (options: FakeJwtOptions = {}): string => {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const header = { alg: "RS256", kid: "fake-key-id" };
  const payload = {
    aud: ["sts.amazonaws.com"],
    exp: issuedAt + (options.expiresInSeconds ?? 3600),
    iat: issuedAt,
    iss: FAKE_OIDC_ISSUER,
    nbf: issuedAt,
    sub: "system:serviceaccount:default:orders",
    ...options.claims,
  };
  return [base64url(JSON.stringify(header)), base64url(JSON.stringify(payload)), base64url(randomBytes(256))].join(".");
};

/** Internal: a token's claims, or why it does not parse (worded as golang-jwt v5 words it). */
export type ParsedJwt =
  | { readonly ok: true; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly reason: string };

const decodeSegment = (segment: string, part: "header" | "claim"): { value: unknown } | { reason: string } => {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(segment)) return { reason: `token is malformed: could not base64 decode ${part}` };
  try {
    return { value: JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as unknown };
  } catch {
    return { reason: `token is malformed: could not JSON decode ${part}` };
  }
};

/** Internal: parses a token without verifying it, the way the Pod Identity agent and STS first look at it. */
export const parseJwt = (token: string): ParsedJwt => {
  const segments = token.split(".");
  if (segments.length !== 3)
    return { ok: false, reason: "token is malformed: token contains an invalid number of segments" };
  const [header = "", payload = ""] = segments;
  const decodedHeader = decodeSegment(header, "header");
  if ("reason" in decodedHeader) return { ok: false, reason: decodedHeader.reason };
  const decodedClaims = decodeSegment(payload, "claim");
  if ("reason" in decodedClaims) return { ok: false, reason: decodedClaims.reason };
  const claims = decodedClaims.value;
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
    return { ok: false, reason: "token is malformed: could not JSON decode claim" };
  }
  return { ok: true, claims: claims as Record<string, unknown> };
};

/** Internal: whether the token's `exp` claim is before `now`. */
export const jwtExpired = (claims: Readonly<Record<string, unknown>>, now: Date): boolean =>
  typeof claims.exp === "number" && claims.exp * 1000 <= now.getTime();
