import { quoteRemoteText } from "../base/logging.js";
import type { HttpResponse } from "../wire/http.js";

// The EC2 instance metadata service's wire format, as IMDS, kube2iam and kiam speak it, and what their answers mean:
// shared by the kube2iam and instanceProfile sources and the doctor's probe.

/** The path of the IAM role listing; the role's credentials are at this path plus the role as listed. */
export const SECURITY_CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/";
/** The IMDSv2 session-token path. */
export const TOKEN_PATH = "/latest/api/token";
/** The header that carries an IMDSv2 session token. */
export const TOKEN_HEADER = "x-aws-ec2-metadata-token";
/** The header that asks for a session token of this many seconds. */
export const TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";

/**
 * A token the real EC2 IMDS can never have issued. IMDS answers a request that carries an invalid token with 401;
 * kube2iam and kiam ignore the header on the credentials paths and answer. Sent on every request to a metadata proxy,
 * so that the node's credentials are never fetched even if the proxy disappears between two requests.
 */
export const INVALID_IMDS_TOKEN = "pod-credentials-probe-not-a-valid-imds-token";

/** The first line of a role listing, trimmed: IMDS and the proxies list one role. */
export const firstListedRole = (body: string): string => body.trim().split(/\r?\n/)[0]?.trim() ?? "";

/**
 * What an answer on the metadata credentials paths means, for kube2iam, kiam and the real EC2 IMDS.
 *
 * - `realImds`: 401 to our deliberately invalid token: the real IMDS answered; no proxy intercepts this pod.
 * - `role`: 200 with a role (the listing).
 * - `noRole`: the proxy holds no role for this pod (kube2iam: 200 empty or 404 `unable to find role for IP`; kiam:
 *   404 `empty role`).
 * - `podNotYetKnown`: the proxy has not seen the pod yet (kube2iam: 404 `pod with specificed IP "…" not found`;
 *   kiam: 500 `… no pod found` or `… pod not found`).
 * - `refused`: a final "no" (kube2iam: 403 `Invalid role …`, 404 `role requested … not valid for namespace …`;
 *   kiam: 500 `… forbidden by policy`; or any other error status).
 */
export type ProxyAnswer =
  | { readonly kind: "realImds" }
  | { readonly kind: "role"; readonly role: string }
  | { readonly kind: "noRole"; readonly message: string }
  | { readonly kind: "podNotYetKnown"; readonly message: string }
  | { readonly kind: "refused"; readonly status: number; readonly message: string };

/** Texts only kube2iam writes, and texts only kiam writes: the proxy is named in errors when its answer gives it away. */
const KUBE2IAM_TEXTS = /specifi?c?ed IP|unable to find role for IP|^Invalid role|not valid for namespace of pod/i;
const KIAM_TEXTS = /^empty role$|error fetching credentials|allow-route-regexp|whitelist-route-regexp/i;

/** `"kube2iam: <message>"` or `"kiam: <message>"` when the text says which proxy wrote it; the message otherwise. */
export const attributeToProxy = (message: string): string =>
  KUBE2IAM_TEXTS.test(message) ? `kube2iam: ${message}` : KIAM_TEXTS.test(message) ? `kiam: ${message}` : message;

const POD_NOT_YET_KNOWN = [/pod with specifi?c?ed IP\b.*not found/i, /no pod found/i, /pod not found/i];
const NO_ROLE = [/unable to find role for IP/i, /^empty role$/i];

/** Classifies an answer to `GET /latest/meta-data/iam/security-credentials/` (the role listing). */
export const classifyListingAnswer = (response: HttpResponse): ProxyAnswer => {
  if (response.status === 200) {
    const role = firstListedRole(response.body);
    // Only kube2iam answers an empty listing (a pod annotated with an empty role, and no default role).
    return role === "" ? { kind: "noRole", message: "kube2iam: the role listing is empty" } : { kind: "role", role };
  }
  return classifyErrorAnswer(response);
};

/** Classifies an error answer (any status but 200) on the listing or credentials path. */
export const classifyErrorAnswer = (response: HttpResponse): Exclude<ProxyAnswer, { kind: "role" }> => {
  if (response.status === 401) return { kind: "realImds" };
  const text = quoteRemoteText(response.body) || "(no message)";
  const message = attributeToProxy(text);
  if (POD_NOT_YET_KNOWN.some((pattern) => pattern.test(text))) return { kind: "podNotYetKnown", message };
  if (NO_ROLE.some((pattern) => pattern.test(text))) return { kind: "noRole", message };
  return { kind: "refused", status: response.status, message };
};
