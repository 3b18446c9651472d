import { quoteRemoteText } from "../base/logging.js";
import { MAX_RESPONSE_BYTES } from "../sources/source.js";
import { type HttpResponse, httpRequest, isHttpRequestError } from "../wire/http.js";
import {
  classifyListingAnswer,
  INVALID_IMDS_TOKEN,
  SECURITY_CREDENTIALS_PATH,
  TOKEN_HEADER,
} from "../wire/metadata.js";
import type { MetadataEndpointKind, MetadataEndpointReport } from "./doctorReport.js";

/** kube2iam's health endpoint: `{"hostIP":"…","instanceId":"…"}`. */
export const KUBE2IAM_HEALTH_PATH = "/healthz";
/** kiam's liveness endpoint: `pong`. */
export const KIAM_PING_PATH = "/ping";

/** The metadata endpoint to probe, and what set it (a variable name, or `the default endpoint`). */
export interface MetadataEndpointSetting {
  /** The base URL, such as `http://169.254.169.254`. */
  readonly value: string;
  /** What set it, for the report. */
  readonly from: string;
}

/** `kind` in words, as the terminal report shows it. */
export const ENDPOINT_DESCRIPTIONS: Readonly<Record<MetadataEndpointKind, string>> = Object.freeze({
  ec2Imds: "real EC2 IMDS",
  kube2iam: "kube2iam",
  kiam: "kiam",
  metadataProxy: "an unidentified metadata proxy",
  unreachable: "nothing",
  invalid: "an invalid endpoint setting",
});

type Answer = { readonly ok: true; readonly response: HttpResponse } | { readonly ok: false; readonly reason: string };

const ask = async (url: string, headers: Record<string, string>, timeoutMs: number): Promise<Answer> => {
  try {
    return { ok: true, response: await httpRequest({ url, headers, timeoutMs, maxBodyBytes: MAX_RESPONSE_BYTES }) };
  } catch (error) {
    if (isHttpRequestError(error)) return { ok: false, reason: error.message };
    throw error;
  }
};

const kube2iamHealth = (answer: Answer): MetadataEndpointReport["kube2iamHealth"] => {
  if (!answer.ok || answer.response.status !== 200) return null;
  try {
    const parsed: unknown = JSON.parse(answer.response.body);
    if (typeof parsed !== "object" || parsed === null || !("hostIP" in parsed)) return null;
    const { hostIP, instanceId } = parsed as { hostIP?: unknown; instanceId?: unknown };
    return {
      hostIP: typeof hostIP === "string" ? quoteRemoteText(hostIP, 64) : null,
      instanceId: typeof instanceId === "string" ? quoteRemoteText(instanceId, 64) : null,
    };
  } catch {
    return null;
  }
};

/**
 * Finds out what answers at the metadata endpoint, with three requests sent together, none of which can fetch
 * credentials:
 *
 * 1. `GET /latest/meta-data/iam/security-credentials/` with a deliberately invalid IMDSv2 token: the real EC2 IMDS
 *    answers 401; kube2iam and kiam ignore the token and list the pod's role (or say why they cannot).
 * 2. `GET /healthz`: kube2iam answers JSON with `hostIP` and `instanceId`.
 * 3. `GET /ping`: kiam answers `pong`.
 *
 * Unlike the chain, the doctor probes even when the pod declares no role. `offeredRole` is the role a proxy lists;
 * for the real IMDS it is left `null` here (the `instanceProfile` examination finds the node's role).
 */
export const probeMetadataEndpoint = async (
  endpoint: MetadataEndpointSetting,
  timeoutMs: number,
): Promise<MetadataEndpointReport> => {
  const started = Date.now();
  const base = endpoint.value.replace(/\/+$/, "");
  const [listing, health, ping] = await Promise.all([
    ask(`${base}${SECURITY_CREDENTIALS_PATH}`, { [TOKEN_HEADER]: INVALID_IMDS_TOKEN }, timeoutMs),
    ask(`${base}${KUBE2IAM_HEALTH_PATH}`, {}, timeoutMs),
    ask(`${base}${KIAM_PING_PATH}`, {}, timeoutMs),
  ]);
  const classified = listing.ok ? classifyListingAnswer(listing.response) : undefined;
  const healthAnswer = kube2iamHealth(health);
  const kiamPing = ping.ok && ping.response.status === 200 && ping.response.body.trim() === "pong";

  let kind: MetadataEndpointKind;
  if (classified?.kind === "realImds") kind = "ec2Imds";
  else if (healthAnswer) kind = "kube2iam";
  else if (kiamPing) kind = "kiam";
  else if (listing.ok) kind = "metadataProxy";
  else kind = "unreachable";

  const role = classified?.kind === "role" ? quoteRemoteText(classified.role, 200) : null;
  return {
    url: base,
    from: endpoint.from,
    kind,
    description: ENDPOINT_DESCRIPTIONS[kind],
    listing: {
      status: listing.ok ? listing.response.status : null,
      answer: classified?.kind ?? "noAnswer",
      role,
      message: !listing.ok ? listing.reason : classified && "message" in classified ? classified.message : null,
    },
    kube2iamHealth: healthAnswer,
    kiamPing,
    offeredRole: kind === "ec2Imds" ? null : role,
    error: kind === "unreachable" ? (listing.ok ? null : listing.reason) : null,
    elapsedMs: Date.now() - started,
  };
};

/** The report for an endpoint setting that is itself invalid (no request is made). */
export const invalidEndpointReport = (problem: string): MetadataEndpointReport => ({
  url: null,
  from: null,
  kind: "invalid",
  description: ENDPOINT_DESCRIPTIONS.invalid,
  listing: { status: null, answer: "noAnswer", role: null, message: null },
  kube2iamHealth: null,
  kiamPing: false,
  offeredRole: null,
  error: problem,
  elapsedMs: 0,
});
