// `--verify`: STS GetCallerIdentity with the chain's credentials, signed with SigV4 and sent by the package's own STS
// client (src/wire/sts.ts), at the endpoint the SDK would use for the region (partition, FIPS, dual-stack,
// AWS_ENDPOINT_URL_STS).
import type { AwsCredentialIdentity } from "@smithy/types";
import { displayUrl } from "../base/logging.js";
import type { Environment } from "../base/settings.js";
import { proxyFor } from "../wire/http.js";
import { getCallerIdentity, isStsError, resolveStsEndpoint, type StsEndpoint } from "../wire/sts.js";
import { errorReport, type VerificationReport } from "./doctorReport.js";

const STS_TIMEOUT_MS = 5000;

/**
 * Whether `arn:aws:sts::<account>:assumed-role/<role>/<session>` names `expectedRole` (a name or an ARN; paths
 * aside, since an assumed-role ARN has none); `null` when it cannot tell.
 */
export const arnMatchesRole = (arn: string | null, expectedRole: string | null | undefined): boolean | null => {
  if (!arn || !expectedRole) return null;
  const match = /:assumed-role\/([^/]+)\//.exec(arn);
  if (!match?.[1]) return null;
  return match[1] === expectedRole.slice(expectedRole.lastIndexOf("/") + 1);
};

const NETWORK_FIX =
  "check network access to STS (egress, proxies, AWS_ENDPOINT_URL_STS) and the region (--region or AWS_REGION).";
const REFUSED_FIX =
  "the credentials the chain returned are not accepted by STS: check the source's role and the clock of this node.";

/** Whom STS says `credentials` belong to (the chain's `expectedRole`?), or why it could not say; `skipped` without. */
export const verifyCallerIdentity = async (
  credentials: AwsCredentialIdentity | undefined,
  options: { readonly region: string; readonly env: Environment; readonly expectedRole?: string | undefined },
): Promise<VerificationReport> => {
  const started = Date.now();
  let endpoint: StsEndpoint | undefined;
  let endpointError: unknown;
  try {
    endpoint = resolveStsEndpoint(options.region, options.env, "GetCallerIdentity");
  } catch (error) {
    endpointError = error;
  }
  const report = (status: VerificationReport["status"], fields: Partial<VerificationReport> = {}) => ({
    status,
    region: options.region,
    endpoint: endpoint ? displayUrl(endpoint.url) : "(none)",
    arn: null,
    account: null,
    userId: null,
    matchesChainRole: null,
    error: null,
    elapsedMs: Date.now() - started,
    ...fields,
  });
  if (!credentials) return report("skipped", { elapsedMs: 0 });
  // A failure the operator can act on is reported, not thrown.
  const failed = (message: string, fix: string, status: number | null = null) =>
    report("failed", {
      error: { name: "VerificationError", message: `${message} Fix: ${fix}`, source: null, fix, status },
    });
  if (endpoint === undefined) {
    const message = endpointError instanceof Error ? endpointError.message : String(endpointError);
    return failed(
      `${message}.`,
      "check AWS_REGION (or --region), AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT and AWS_ENDPOINT_URL_STS.",
    );
  }
  if (!URL.canParse(endpoint.url)) {
    return failed(
      "AWS_ENDPOINT_URL_STS is not a URL.",
      "set it to an https URL such as https://sts.us-east-1.amazonaws.com.",
    );
  }
  try {
    const identity = await getCallerIdentity(credentials, {
      endpoint,
      timeoutMs: STS_TIMEOUT_MS,
      proxy: proxyFor(endpoint.url, options.env),
    });
    return report("ok", { ...identity, matchesChainRole: arnMatchesRole(identity.arn, options.expectedRole) });
  } catch (error) {
    if (!isStsError(error)) return report("failed", { error: errorReport(error) });
    if (error.kind === "network") return failed(`${error.message}.`, NETWORK_FIX);
    return failed(error.message, REFUSED_FIX, error.status ?? null);
  }
};
