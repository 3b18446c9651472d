// Unsigned service-account tokens shaped like the ones the kubelet projects, and the parsing the fakes apply to them.
import { randomBytes } from "node:crypto";

/**
 * Options of {@link createFakeJwt}.
 * @example const expired = createFakeJwt({ expiresInSeconds: -60 });
 */
export interface FakeJwtOptions {
  /** Seconds from `now` to the `exp` claim; negative for an already expired token. @default 3600 */
  expiresInSeconds?: number | undefined;
  /** The clock the `iat`, `nbf` and `exp` claims are computed from. @default new Date() */
  now?: Date | undefined;
  /** Claims added to, or replacing, the default ones. */
  claims?: Readonly<Record<string, unknown>> | undefined;
}

/** The issuer of the fake tokens: an EKS cluster's OIDC provider. */
export const FAKE_OIDC_ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

const base64url = (value: string | Uint8Array): string => Buffer.from(value).toString("base64url");

/**
 * Makes a service-account token shaped like a projected Kubernetes token (`header.payload.signature`, RS256, issuer
 * an EKS OIDC provider, subject `system:serviceaccount:default:orders`, audience `sts.amazonaws.com`). The
 * signature is random: the fakes check the shape and the claims, never the signature.
 * @example
 * import { createFakeJwt } from "pod-credentials/testing";
 * const token = createFakeJwt({ claims: { aud: ["pods.eks.amazonaws.com"] } });
 */
export const createFakeJwt = (options: FakeJwtOptions = {}): string => {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims = {
    aud: ["sts.amazonaws.com"],
    exp: issuedAt + (options.expiresInSeconds ?? 3600),
    iat: issuedAt,
    iss: FAKE_OIDC_ISSUER,
    nbf: issuedAt,
    sub: "system:serviceaccount:default:orders",
    ...options.claims,
  };
  const header = { alg: "RS256", kid: "fake-key-id" };
  return [base64url(JSON.stringify(header)), base64url(JSON.stringify(claims)), base64url(randomBytes(256))].join(".");
};

/** Internal: a token's claims, or why it does not parse (worded as golang-jwt v5 words it). */
export type ParsedJwt =
  | { readonly ok: true; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly reason: string };

const malformed = (reason: string): Error => new Error(`token is malformed: ${reason}`);

const decodeSegment = (segment: string, part: "header" | "claim"): unknown => {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(segment)) throw malformed(`could not base64 decode ${part}`);
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as unknown;
  } catch {
    throw malformed(`could not JSON decode ${part}`);
  }
};

/** Internal: parses a token without verifying it, the way the Pod Identity agent and STS first look at it. */
export const parseJwt = (token: string): ParsedJwt => {
  const segments = token.split(".");
  try {
    if (segments.length !== 3) throw malformed("token contains an invalid number of segments");
    decodeSegment(segments[0] ?? "", "header");
    const claims = decodeSegment(segments[1] ?? "", "claim");
    if (typeof claims !== "object" || claims === null || Array.isArray(claims))
      throw malformed("could not JSON decode claim");
    return { ok: true, claims: claims as Record<string, unknown> };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
};

/** Internal: whether the token's `exp` claim is before `now`. */
export const jwtExpired = (claims: Readonly<Record<string, unknown>>, now: Date): boolean =>
  typeof claims.exp === "number" && claims.exp * 1000 <= now.getTime();
