// Where the chain's own STS calls go (identity verification, role chaining): the endpoint the SDK's STS client would
// pick for the region, through HTTPS_PROXY when set, each call bounded and tied to the resolution's deadline.
import type { Settings } from "../base/settings.js";
import type { ResolutionContext } from "../sources/source.js";
import { proxyFor } from "../wire/http.js";
import { resolveStsEndpoint, type StsAction, type StsTransport } from "../wire/sts.js";

/** STS answers within a few hundred milliseconds; past this, one attempt is abandoned (the deadline still rules). */
const STS_REQUEST_TIMEOUT_MS = 5000;
const REGION_WARNING =
  "pod-credentials: no region for the chain's STS calls (identity verification, role chaining): no region option, " +
  "none from the calling client, AWS_REGION not set; calling STS in us-east-1, as the SDK does. Pass the region " +
  "option or set AWS_REGION.";

/**
 * The transport of one STS call for a provider: region from the `region` option, the calling client's, then
 * `AWS_REGION`, else us-east-1 with a warning (once per provider).
 *
 * @throws {StsError} (`configuration`) when no endpoint can be built for the region and flags.
 */
export const stsTransportFor = (settings: Settings) => {
  let regionWarned = false;
  return async (action: StsAction, context: ResolutionContext): Promise<StsTransport> => {
    const caller = context.identityProperties?.callerClientConfig?.region;
    const callerRegion = typeof caller === "function" ? await (caller as () => Promise<unknown>)() : caller;
    const region =
      settings.region ??
      (typeof callerRegion === "string" && callerRegion ? callerRegion : undefined) ??
      (settings.env.AWS_REGION?.trim() || undefined);
    if (region === undefined && !regionWarned) context.logger.warn(REGION_WARNING);
    regionWarned ||= region === undefined;
    const endpoint = resolveStsEndpoint(region ?? "us-east-1", settings.env, action);
    return {
      endpoint,
      timeoutMs: STS_REQUEST_TIMEOUT_MS,
      signal: context.signal,
      proxy: proxyFor(endpoint.url, settings.env),
    };
  };
};

/** What the chain's STS steps need to make a call. */
export type StsTransportFor = ReturnType<typeof stsTransportFor>;

/** The fix for an STS call of the chain's that failed for a reason of the transport or of the credentials. */
export const stsFailureFix = (
  error: { readonly kind: string; readonly code: string; readonly retryable: boolean },
  notAccepted: string,
): string | undefined => {
  if (error.kind === "network") {
    return "check network access to STS (egress, HTTPS_PROXY, AWS_ENDPOINT_URL_STS) and AWS_REGION (or the region option).";
  }
  if (error.kind === "configuration") {
    return "check AWS_REGION (or the region option), AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT and AWS_ENDPOINT_URL_STS; the AWS SDK refuses this combination too.";
  }
  if (["InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "IncompleteSignature"].includes(error.code)) {
    return notAccepted;
  }
  if (error.code === "RegionDisabledException") {
    return "STS is not activated in this region: activate it in IAM account settings, or set AWS_REGION to another region.";
  }
  if (error.retryable)
    return "STS is busy; the call is retried within the resolution deadline. If it persists, check STS's health in this region.";
  return undefined;
};
