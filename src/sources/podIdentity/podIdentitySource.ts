import { MAX_RESPONSE_BYTES, MAX_TOKEN_FILE_BYTES } from "../../config/defaults.js";
import { ENV } from "../../config/environmentVariables.js";
import type { SettingValue } from "../../config/settingValue.js";
import { CredentialSourceError } from "../../errors/CredentialSourceError.js";
import { displayUrl } from "../../utils/displayUrl.js";
import { quoteRemoteText, redactSecrets } from "../../utils/redact.js";
import { retryWhileRetryable } from "../../utils/retryWhileRetryable.js";
import { parseCredentialsDocument } from "../../wire/credentialsDocument.js";
import { readTokenFile } from "../../wire/files.js";
import { type HttpResponse, httpRequest, isHttpRequestError } from "../../wire/http.js";
import type { AbsentSource, ConfiguredSource, ResolutionContext, Source, SourceResult } from "../source.js";
import { containerCredentialsUrlProblem } from "./checkContainerCredentialsUrl.js";
import type { PodIdentitySettings } from "./podIdentitySettings.js";

const AGENT_FIX =
  "check that the eks-pod-identity-agent DaemonSet runs on this node and that a pod identity association exists for " +
  "this pod's namespace and service account (aws eks list-pod-identity-associations).";

/** What to check when the agent answers something other than credentials. */
const documentFix = (url: string) => ({
  notCredentials:
    "check AWS_CONTAINER_CREDENTIALS_FULL_URI (the EKS Pod Identity agent is http://169.254.170.23/v1/credentials) " +
    "and that the eks-pod-identity-agent DaemonSet runs on this node.",
  refused:
    `the EKS Pod Identity agent at ${url} could not get credentials: check the pod identity association of the ` +
    "pod's service account and the agent's logs.",
});

/**
 * EKS Pod Identity (and any container-credentials endpoint): GET the configured URL with the authorization token,
 * read again from its file at every request.
 *
 * Written on our own HTTP client rather than the SDK's `fromHttp`, for reasons measured in
 * `test/sdk-behaviour/fromHttp.test.ts`: `fromHttp` retries every failure, final ones included, three times with a
 * 1 s pause (a down agent costs ~3 s); it reports the agent's plain-text 400 answers only as "Server responded with
 * status: 400", dropping the agent's reason; its timeout is a socket-idle timeout that a trickling endpoint never
 * trips; it reads bodies of any size; and it drops the agent's `AccountId`.
 */
export const podIdentitySource = (settings: PodIdentitySettings): Source => ({
  name: "podIdentity",
  async detect(): Promise<ConfiguredSource | AbsentSource> {
    const { url } = settings;
    if (!url) {
      return { configured: false, reason: `${ENV.containerFullUri} and ${ENV.containerRelativeUri} are not set` };
    }
    const endpoint = parseEndpoint(url);
    const via = [url.from, settings.tokenFile?.from ?? settings.token?.from].filter(Boolean).join(" and ");
    return { configured: true, via, resolve: (context) => fetchFromAgent(settings, endpoint, context) };
  },
});

const parseEndpoint = (url: SettingValue): URL => {
  let parsed: URL;
  try {
    parsed = new URL(url.value);
  } catch {
    throw new CredentialSourceError(`${url.from} is not a valid URL.`, {
      source: "podIdentity",
      target: url.from,
      fix: "EKS Pod Identity sets it to http://169.254.170.23/v1/credentials; check the pod's environment.",
    });
  }
  const problem = containerCredentialsUrlProblem(parsed);
  if (problem) {
    throw new CredentialSourceError(`${url.from} (${displayUrl(parsed)}) is refused: ${problem}.`, {
      source: "podIdentity",
      target: displayUrl(parsed),
      fix: "use the agent's address (http://169.254.170.23/v1/credentials), a loopback address, or https.",
    });
  }
  return parsed;
};

const readAuthorizationToken = async (settings: PodIdentitySettings): Promise<string | undefined> => {
  if (settings.tokenFile) {
    return readTokenFile(settings.tokenFile.value, {
      source: "podIdentity",
      what: "pod identity token file",
      maxBytes: MAX_TOKEN_FILE_BYTES,
      envVar: ENV.containerTokenFile,
    });
  }
  const token = settings.token?.value;
  if (token !== undefined && /[\r\n]/.test(token)) {
    throw new CredentialSourceError(`${settings.token?.from} contains a line break.`, {
      source: "podIdentity",
      target: settings.token?.from,
      fix: "set it to the token alone, on one line.",
    });
  }
  return token;
};

const fetchFromAgent = async (
  settings: PodIdentitySettings,
  endpoint: URL,
  context: ResolutionContext,
): Promise<SourceResult> => {
  const shown = displayUrl(endpoint);
  const attempt = async (): Promise<SourceResult> => {
    const token = await readAuthorizationToken(settings);
    const response = await askAgent(endpoint, token, settings.timeoutMs, context.signal);
    if (response.status !== 200) throw agentRefusal(response, shown, token);
    const parsed = parseCredentialsDocument(response.body, {
      source: "podIdentity",
      url: shown,
      fix: documentFix(shown),
    });
    return { credentials: parsed, accountId: parsed.accountId };
  };
  return retryWhileRetryable(attempt, {
    until: context.firstCallAt + settings.startupTimeoutMs,
    signal: context.signal,
    logger: context.logger,
    onRetry: context.onRetry,
    what: `the Pod Identity agent at ${shown}`,
  });
};

const askAgent = async (
  endpoint: URL,
  token: string | undefined,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<HttpResponse> => {
  try {
    return await httpRequest({
      url: endpoint.href,
      headers: token === undefined ? {} : { Authorization: token },
      timeoutMs,
      maxBodyBytes: MAX_RESPONSE_BYTES,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (!isHttpRequestError(error)) throw error;
    throw new CredentialSourceError(`The credentials endpoint gave no usable answer: ${error.message}.`, {
      source: "podIdentity",
      target: displayUrl(endpoint),
      fix: AGENT_FIX,
      cause: error,
    });
  }
};

/** 429 and 5xx mean "not yet" (rate limited, or the agent's upstream is failing for now); other statuses are final. */
const agentRefusal = (response: HttpResponse, shown: string, token: string | undefined): CredentialSourceError => {
  const reason = quoteRemoteText(redactSecrets(response.body, [token])) || "(no message)";
  const retryable = response.status === 429 || response.status >= 500;
  const fix =
    response.status === 400
      ? "the agent could not validate the pod's service-account token: check AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " +
        "points at the eks-pod-identity-token projected volume, and that the pod was started after the association."
      : response.status === 429
        ? "the agent is rate-limiting this pod; the call is retried. Cache credentials (this provider does) rather than creating many providers."
        : AGENT_FIX;
  return new CredentialSourceError(`The credentials endpoint ${shown} answered HTTP ${response.status}: ${reason}`, {
    source: "podIdentity",
    target: shown,
    status: response.status,
    retryable,
    fix,
  });
};
