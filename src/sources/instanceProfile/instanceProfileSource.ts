import type { Logger } from "@smithy/types";
import { MAX_RESPONSE_BYTES } from "../../config/defaults.js";
import { ENV } from "../../config/environmentVariables.js";
import { CredentialSourceError } from "../../errors/CredentialSourceError.js";
import {
  SECURITY_CREDENTIALS_PATH,
  TOKEN_HEADER,
  TOKEN_PATH,
  TOKEN_TTL_HEADER,
} from "../../metadata/metadataEndpoint.js";
import { quoteRemoteText } from "../../utils/redact.js";
import { parseCredentialsDocument } from "../../wire/credentialsDocument.js";
import { type HttpResponse, httpRequest, isHttpRequestError } from "../../wire/http.js";
import type { AbsentSource, ConfiguredSource, ResolutionContext, Source, SourceResult } from "../source.js";
import { forgetImdsToken, imdsTokenState, rememberImdsTokenState } from "./imdsSessionTokens.js";
import type { InstanceProfileSettings } from "./instanceProfileSettings.js";

/** What to check when IMDS answers something other than the node role's credentials. */
const DOCUMENT_FIX = {
  notCredentials:
    "check AWS_EC2_METADATA_SERVICE_ENDPOINT (when it is not set, the endpoint is http://169.254.169.254).",
  refused:
    "the instance metadata service could not get credentials for the node's role: check the node's instance " +
    "profile and that its role trusts ec2.amazonaws.com.",
};

const TOKEN_TTL_SECONDS = 21_600;
/** Renew a session token this long before IMDS would stop accepting it. */
const TOKEN_RENEWAL_MARGIN_MS = 60_000;
const HOP_LIMIT_FIX =
  "raise the instance's metadata hop limit to 2 (aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2) " +
  "so that pods can use IMDSv2";

/**
 * The node's own role, from the EC2 instance metadata service with IMDSv2 session tokens (kept and reused until
 * shortly before they expire). Only used when node credentials are allowed; every pod on the node shares them.
 *
 * Written on our own HTTP client rather than the SDK's `fromInstanceMetadata`: that one requests a new token for every
 * fetch and, behind a hop limit of 1, pays a 1 s timeout at every refresh (its check for the timeout compares the
 * message with "TimeoutError" and never matches; see `test/sdk-behaviour/fromInstanceMetadata.test.ts`). We pay that
 * timeout once per process and endpoint.
 */
export const instanceProfileSource = (settings: InstanceProfileSettings): Source => ({
  name: "instanceProfile",
  async detect(): Promise<ConfiguredSource | AbsentSource> {
    if (settings.metadataDisabled) {
      return { configured: false, reason: `${ENV.metadataDisabled} disables the instance metadata service` };
    }
    return {
      configured: true,
      via: `node credentials allowed; metadata endpoint from ${settings.endpoint.from}`,
      resolve: (context) => fetchNodeRole(settings, context),
    };
  },
});

const fetchNodeRole = async (settings: InstanceProfileSettings, context: ResolutionContext): Promise<SourceResult> => {
  const endpoint = settings.endpoint.value;
  const listingUrl = `${endpoint}${SECURITY_CREDENTIALS_PATH}`;
  let token = await sessionToken(settings, context);
  let listing = await ask(listingUrl, "GET", tokenHeaders(token), settings, context);
  if (listing.status === 401 && token !== undefined) {
    forgetImdsToken(endpoint);
    token = await sessionToken(settings, context);
    listing = await ask(listingUrl, "GET", tokenHeaders(token), settings, context);
  }
  if (listing.status === 401 && token === undefined) {
    const known = imdsTokenState(endpoint);
    const reason = known?.kind === "v2Unavailable" ? known.reason : "no IMDSv2 session token could be obtained";
    throw new CredentialSourceError(
      `IMDSv2 is out of reach (${reason}), and the instance requires IMDSv2: its IMDSv1 answer was HTTP 401.`,
      { source: "instanceProfile", target: listingUrl, status: 401, fix: `${HOP_LIMIT_FIX}.` },
    );
  }
  const roleName = listing.status === 200 ? (listing.body.trim().split(/\r?\n/)[0]?.trim() ?? "") : "";
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
  const answer = await ask(credentialsUrl, "GET", tokenHeaders(token), settings, context);
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

const tokenHeaders = (token: string | undefined): Record<string, string> =>
  token === undefined ? {} : { [TOKEN_HEADER]: token };

/** A valid IMDSv2 session token, or `undefined` to use IMDSv1 (only when IMDSv2 is out of reach and v1 is allowed). */
const sessionToken = async (
  settings: InstanceProfileSettings,
  context: ResolutionContext,
): Promise<string | undefined> => {
  const endpoint = settings.endpoint.value;
  const known = imdsTokenState(endpoint);
  if (known?.kind === "token" && known.expiresAt - TOKEN_RENEWAL_MARGIN_MS > Date.now()) return known.token;
  if (known?.kind === "v2Unavailable") return fallBackToV1(settings, known.reason);
  const url = `${endpoint}${TOKEN_PATH}`;
  let answer: HttpResponse;
  try {
    answer = await httpRequest({
      url,
      method: "PUT",
      headers: { [TOKEN_TTL_HEADER]: String(TOKEN_TTL_SECONDS) },
      timeoutMs: settings.timeoutMs,
      maxBodyBytes: MAX_RESPONSE_BYTES,
      ...(context.signal ? { signal: context.signal } : {}),
    });
  } catch (error) {
    if (isHttpRequestError(error) && error.kind === "timeout") {
      const reason = `the IMDSv2 token request to ${url} got no answer within ${settings.timeoutMs} ms (a metadata hop limit of 1 blocks IMDSv2 from pods)`;
      rememberImdsTokenState(endpoint, { kind: "v2Unavailable", reason });
      return fallBackToV1(settings, reason, context.logger);
    }
    throw unreachable(url, error);
  }
  if (answer.status === 200 && answer.body.trim() !== "") {
    const token = answer.body.trim();
    rememberImdsTokenState(endpoint, { kind: "token", token, expiresAt: Date.now() + TOKEN_TTL_SECONDS * 1000 });
    return token;
  }
  if (answer.status === 403 || answer.status === 404 || answer.status === 405) {
    const reason = `the IMDSv2 token request to ${url} was answered with HTTP ${answer.status}`;
    rememberImdsTokenState(endpoint, { kind: "v2Unavailable", reason });
    return fallBackToV1(settings, reason, context.logger);
  }
  throw new CredentialSourceError(`The IMDSv2 token request to ${url} failed with HTTP ${answer.status}.`, {
    source: "instanceProfile",
    target: url,
    status: answer.status,
    fix: "check AWS_EC2_METADATA_SERVICE_ENDPOINT points at the instance metadata service.",
  });
};

/** IMDSv1, with a warning the first time; or the error, when `AWS_EC2_METADATA_V1_DISABLED` forbids it. */
const fallBackToV1 = (settings: InstanceProfileSettings, reason: string, logger?: Logger): undefined => {
  if (settings.v1Disabled) {
    throw new CredentialSourceError(
      `IMDSv2 is out of reach: ${reason}, and ${ENV.metadataV1Disabled} forbids IMDSv1.`,
      {
        source: "instanceProfile",
        target: settings.endpoint.value,
        fix: `${HOP_LIMIT_FIX}.`,
      },
    );
  }
  logger?.warn(
    `pod-credentials: ${reason}; using IMDSv1 for the rest of this process. To use IMDSv2, ${HOP_LIMIT_FIX}.`,
  );
  return undefined;
};

const ask = async (
  url: string,
  method: "GET" | "PUT",
  headers: Record<string, string>,
  settings: InstanceProfileSettings,
  context: ResolutionContext,
): Promise<HttpResponse> => {
  try {
    return await httpRequest({
      url,
      method,
      headers,
      timeoutMs: settings.timeoutMs,
      maxBodyBytes: MAX_RESPONSE_BYTES,
      ...(context.signal ? { signal: context.signal } : {}),
    });
  } catch (error) {
    throw unreachable(url, error);
  }
};

const unreachable = (url: string, error: unknown): unknown =>
  isHttpRequestError(error)
    ? new CredentialSourceError(`The instance metadata service gave no usable answer: ${error.message}.`, {
        source: "instanceProfile",
        target: url,
        cause: error,
        fix: "check that this runs on EC2 and that network policies let the pod reach 169.254.169.254.",
      })
    : error;
