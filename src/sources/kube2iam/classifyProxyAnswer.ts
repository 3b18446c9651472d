import { quoteRemoteText } from "../../utils/redact.js";
import type { HttpResponse } from "../../wire/http.js";

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
    const role = response.body.trim().split(/\r?\n/)[0]?.trim() ?? "";
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
