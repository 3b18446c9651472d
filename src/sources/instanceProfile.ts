import type { Logger } from "@smithy/types";
import { CredentialSourceError } from "../base/errors.js";
import { quoteRemoteText } from "../base/logging.js";
import type { Settings } from "../base/settings.js";
import { monotonicNow } from "../base/timing.js";
import { type HttpResponse, isHttpRequestError } from "../wire/http.js";
import {
  firstListedRole,
  parseCredentialsDocument,
  SECURITY_CREDENTIALS_PATH,
  TOKEN_HEADER,
  TOKEN_PATH,
  TOKEN_TTL_HEADER,
} from "../wire/metadata.js";
import { ask, type ResolutionContext, type Source, type SourceResult } from "./source.js";

// The node's own role, from the EC2 instance metadata service with IMDSv2 session tokens, kept and reused until
// shortly before they expire. Only used when node credentials are allowed; every pod on the node shares them.
//
// Written on our own HTTP client rather than the SDK's `fromInstanceMetadata`: that one requests a new token for every
// fetch and, behind a hop limit of 1, pays a 1 s timeout at every refresh (its check for the timeout compares the
// message with "TimeoutError" and never matches; see test/sdk-behaviour/sdkProviders.test.ts). We pay that timeout
// once per process and endpoint.

const TOKEN_TTL_SECONDS = 21_600;
/** Renew a session token this long before IMDS would stop accepting it. */
const TOKEN_RENEWAL_MARGIN_MS = 60_000;
const V1_DISABLED = "AWS_EC2_METADATA_V1_DISABLED";
const HOP_LIMIT_FIX =
  "raise the instance's metadata hop limit to 2 (aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2) " +
  "so that pods can use IMDSv2";

/** Each endpoint's session token, or that IMDSv2 is out of reach (hop limit 1: the PUT gets no answer), per process. */
type TokenState =
  // `expiresAt` is on the monotonic clock: a token lives TOKEN_TTL_SECONDS from when IMDS issued it, whatever NTP does.
  | { readonly kind: "token"; readonly token: string; readonly expiresAt: number }
  | { readonly kind: "v2Unavailable"; readonly reason: string };
const tokenStates = new Map<string, TokenState>();

/** For tests: forget every session token and hop-limit finding, as a new process would. */
export const resetImdsTokenStates = (): void => tokenStates.clear();

export const instanceProfileSource = (settings: Settings): Source => ({
  name: "instanceProfile",
  async detect() {
    if (settings.metadataDisabled) {
      return {
        configured: false,
        reason: `AWS_EC2_METADATA_DISABLED disables the instance metadata service`,
      };
    }
    return {
      configured: true,
      configuredBy: `node credentials allowed; metadata endpoint from ${settings.metadataEndpoint.from}`,
      resolve: (context) => fetchNodeRole(settings, context),
    };
  },
});

const fetchNodeRole = async (settings: Settings, context: ResolutionContext): Promise<SourceResult> => {
  const endpoint = settings.metadataEndpoint.value;
  const listingUrl = `${endpoint}${SECURITY_CREDENTIALS_PATH}`;
  let token = await sessionToken(settings, context);
  let listing = await askImds(listingUrl, token, settings, context);
  if (listing.status === 401 && token !== undefined) {
    // The token expired early (IMDS restarted, or the instance was stopped and started): get a new one, once.
    if (tokenStates.get(endpoint)?.kind === "token") tokenStates.delete(endpoint);
    token = await sessionToken(settings, context);
    listing = await askImds(listingUrl, token, settings, context);
  }
  if (listing.status === 401 && token === undefined) {
    const known = tokenStates.get(endpoint);
    const reason = known?.kind === "v2Unavailable" ? known.reason : "no IMDSv2 session token could be obtained";
    throw new CredentialSourceError(
      `IMDSv2 is out of reach (${reason}), and the instance requires IMDSv2: its IMDSv1 answer was HTTP 401.`,
      { source: "instanceProfile", target: listingUrl, status: 401, fix: `${HOP_LIMIT_FIX}.` },
    );
  }
  const roleName = listing.status === 200 ? firstListedRole(listing.body) : "";
  if (roleName === "") {
    throw new CredentialSourceError(
      `The instance metadata service at ${endpoint} lists no instance-profile role (HTTP ${listing.status}).`,
      {
        source: "instanceProfile",
        target: listingUrl,
        status: listing.status,
        fix: "attach an instance profile with a role to the node, or configure a pod-scoped identity instead.",
      },
    );
  }
  const credentialsUrl = `${listingUrl}${roleName}`;
  const answer = await askImds(credentialsUrl, token, settings, context);
  if (answer.status !== 200) {
    throw new CredentialSourceError(
      `The instance metadata service answered HTTP ${answer.status} for the role's credentials: ${quoteRemoteText(answer.body) || "(no message)"}`,
      {
        source: "instanceProfile",
        target: credentialsUrl,
        status: answer.status,
        fix: "check the node's instance profile.",
      },
    );
  }
  return {
    credentials: parseCredentialsDocument(answer.body, {
      source: "instanceProfile",
      url: credentialsUrl,
      fix: DOCUMENT_FIX,
    }),
    roleName,
  };
};

/** What to check when IMDS answers something other than the node role's credentials. */
const DOCUMENT_FIX = {
  notCredentials:
    "check AWS_EC2_METADATA_SERVICE_ENDPOINT (when it is not set, the endpoint is http://169.254.169.254).",
  refused:
    "the instance metadata service could not get credentials for the node's role: check the node's instance " +
    "profile and that its role trusts ec2.amazonaws.com.",
};
const UNREACHABLE_FIX = "check that this runs on EC2 and that network policies let the pod reach 169.254.169.254.";

const askImds = (
  url: string,
  token: string | undefined,
  settings: Settings,
  context: ResolutionContext,
  method: "GET" | "PUT" = "GET",
  headers: Record<string, string> = token === undefined ? {} : { [TOKEN_HEADER]: token },
): Promise<HttpResponse> =>
  ask(
    { url, method, headers, timeoutMs: settings.timeoutMs, signal: context.signal },
    { source: "instanceProfile", what: "The instance metadata service", fix: UNREACHABLE_FIX },
  );

/** A valid IMDSv2 session token, or `undefined` to use IMDSv1 (only when IMDSv2 is out of reach and v1 is allowed). */
const sessionToken = async (settings: Settings, context: ResolutionContext): Promise<string | undefined> => {
  const endpoint = settings.metadataEndpoint.value;
  const known = tokenStates.get(endpoint);
  if (known?.kind === "token" && known.expiresAt - TOKEN_RENEWAL_MARGIN_MS > monotonicNow()) return known.token;
  if (known?.kind === "v2Unavailable") return fallBackToV1(settings, known.reason);
  const url = `${endpoint}${TOKEN_PATH}`;
  const v2Unavailable = (reason: string) => {
    tokenStates.set(endpoint, { kind: "v2Unavailable", reason });
    return fallBackToV1(settings, reason, context.logger);
  };
  let answer: HttpResponse;
  try {
    answer = await askImds(url, undefined, settings, context, "PUT", { [TOKEN_TTL_HEADER]: String(TOKEN_TTL_SECONDS) });
  } catch (error) {
    const cause = error instanceof CredentialSourceError ? error.cause : undefined;
    if (isHttpRequestError(cause) && cause.kind === "timeout") {
      return v2Unavailable(
        `the IMDSv2 token request to ${url} got no answer within ${settings.timeoutMs} ms (a metadata hop limit of 1 blocks IMDSv2 from pods)`,
      );
    }
    throw error;
  }
  if (answer.status === 200 && answer.body.trim() !== "") {
    const token = answer.body.trim();
    tokenStates.set(endpoint, { kind: "token", token, expiresAt: monotonicNow() + TOKEN_TTL_SECONDS * 1000 });
    return token;
  }
  if (answer.status === 403 || answer.status === 404 || answer.status === 405) {
    return v2Unavailable(`the IMDSv2 token request to ${url} was answered with HTTP ${answer.status}`);
  }
  throw new CredentialSourceError(`The IMDSv2 token request to ${url} failed with HTTP ${answer.status}.`, {
    source: "instanceProfile",
    target: url,
    status: answer.status,
    fix: "check AWS_EC2_METADATA_SERVICE_ENDPOINT points at the instance metadata service.",
  });
};

/** IMDSv1, with a warning the first time; or the error, when `AWS_EC2_METADATA_V1_DISABLED` forbids it. */
const fallBackToV1 = (settings: Settings, reason: string, logger?: Logger): undefined => {
  if (settings.metadataV1Disabled) {
    throw new CredentialSourceError(`IMDSv2 is out of reach: ${reason}, and ${V1_DISABLED} forbids IMDSv1.`, {
      source: "instanceProfile",
      target: settings.metadataEndpoint.value,
      fix: `${HOP_LIMIT_FIX}.`,
    });
  }
  logger?.warn(
    `pod-credentials: ${reason}; using IMDSv1 for the rest of this process. To use IMDSv2, ${HOP_LIMIT_FIX}.`,
  );
  return undefined;
};
