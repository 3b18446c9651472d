import { CredentialSourceError } from "../base/errors.js";
import { displayUrl, quoteRemoteText, redactSecrets } from "../base/logging.js";
import { SETTINGS, type Setting, type Settings } from "../base/settings.js";
import { retryWhileRetryable } from "../base/timing.js";
import { readTokenFile } from "../wire/files.js";
import type { HttpResponse } from "../wire/http.js";
import { parseCredentialsDocument } from "../wire/metadata.js";
import { ask, type ResolutionContext, type Source, type SourceResult, sharedText } from "./source.js";

// EKS Pod Identity (and any container-credentials endpoint): GET the configured URL with the authorization token,
// read again from its file at every request.
//
// Written on our own HTTP client rather than the SDK's `fromHttp`, for reasons measured in
// test/sdk-behaviour/sdkProviders.test.ts: `fromHttp` retries every failure, final ones included, three times with a
// 1 s pause (a down agent costs ~3 s); it reports the agent's plain-text 400 answers only as "Server responded with
// status: 400", dropping the agent's reason; its timeout is a socket-idle timeout that a trickling endpoint never
// trips; it reads bodies of any size; and it drops the agent's `AccountId`.

const MAX_TOKEN_FILE_BYTES = 16 * 1024;
const AGENT_FIX =
  "check that the eks-pod-identity-agent DaemonSet runs on this node and that a pod identity association exists for " +
  "this pod's namespace and service account (aws eks list-pod-identity-associations).";

/** Hosts the SDK accepts for plain-HTTP container credentials: ECS, EKS Pod Identity (IPv4 and IPv6) and loopback. */
const LINK_LOCAL_HOSTS = new Set(["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "localhost", "[::1]"]);
const LOOPBACK_IPV4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Why a container-credentials URL is refused, or `undefined` when it is fine. The SDK's rule (https anywhere; http
 * only to the link-local agent hosts and loopback), plus: no user name or password (it would end up in logs), and
 * only http or https.
 */
export const containerCredentialsUrlProblem = (url: URL): string | undefined => {
  if (url.username !== "" || url.password !== "") return "it contains a user name or password";
  if (url.protocol === "https:") return undefined;
  if (url.protocol !== "http:") return `its scheme ${url.protocol} is neither http nor https`;
  const loopback =
    LOOPBACK_IPV4.exec(url.hostname)
      ?.slice(1)
      .every((part) => Number(part) <= 255) ?? false;
  if (LINK_LOCAL_HOSTS.has(url.hostname) || loopback) return undefined;
  return `plain http is only allowed to 169.254.170.2, 169.254.170.23, [fd00:ec2::23] or loopback, not ${url.hostname}`;
};

const NOT_SET = `${SETTINGS.containerCredentialsFullUri.variable} and ${SETTINGS.containerCredentialsRelativeUri.variable} are not set`;

export const podIdentitySource = (settings: Settings): Source => ({
  name: "podIdentity",
  async detect() {
    const url = settings.containerCredentialsUrl;
    if (!url) return { configured: false, reason: NOT_SET };
    const { containerAuthorizationTokenFile: file, containerAuthorizationToken: token } = settings;
    return new ConfiguredAgent(
      sharedText([url.from, (file ?? token)?.from].filter(Boolean).join(" and ")),
      endpointText(parseEndpoint(url)),
      file && sharedText(file.value),
      file ? undefined : token,
      settings.timeoutMs,
      settings.startupTimeoutMs,
    );
  },
});

/** The endpoint as the source keeps it: shared with other providers, unless it has a query or fragment (a secret?). */
const endpointText = (url: URL): string => (url.search === "" && url.hash === "" ? sharedText(url.href) : url.href);

/**
 * The source once configured, as the chain pins it: what its requests need, as strings and numbers, and not the
 * settings, a URL object or a closure over either (a process may hold thousands of providers).
 */
class ConfiguredAgent {
  // On the prototype, as the method: nothing per provider.
  get configured(): true {
    return true;
  }

  constructor(
    readonly configuredBy: string,
    /** The endpoint's URL, checked and normalized. */
    readonly href: string,
    readonly tokenFile: string | undefined,
    readonly token: Setting | undefined,
    readonly timeoutMs: number,
    readonly startupTimeoutMs: number,
  ) {}

  resolve(context: ResolutionContext): Promise<SourceResult> {
    return fetchFromAgent(this, context);
  }
}

const parseEndpoint = (url: Setting): URL => {
  if (!URL.canParse(url.value)) {
    throw new CredentialSourceError(`${url.from} is not a valid URL.`, {
      source: "podIdentity",
      target: url.from,
      fix: "EKS Pod Identity sets it to http://169.254.170.23/v1/credentials; check the pod's environment.",
    });
  }
  const parsed = new URL(url.value);
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

const readAuthorizationToken = async ({ tokenFile, token }: ConfiguredAgent): Promise<string | undefined> => {
  if (tokenFile !== undefined) {
    return readTokenFile(tokenFile, {
      source: "podIdentity",
      what: "pod identity token file",
      maxBytes: MAX_TOKEN_FILE_BYTES,
      envVar: SETTINGS.containerAuthorizationTokenFile.variable,
    });
  }
  if (token && /[\r\n]/.test(token.value)) {
    throw new CredentialSourceError(`${token.from} contains a line break.`, {
      source: "podIdentity",
      target: token.from,
      fix: "set it to the token alone, on one line.",
    });
  }
  return token?.value;
};

const fetchFromAgent = async (agent: ConfiguredAgent, context: ResolutionContext): Promise<SourceResult> => {
  const shown = displayUrl(agent.href);
  const attempt = async (): Promise<SourceResult> => {
    const token = await readAuthorizationToken(agent);
    if (token !== undefined) context.secret?.(token);
    const response = await ask(
      {
        url: agent.href,
        headers: token === undefined ? {} : { Authorization: token },
        timeoutMs: agent.timeoutMs,
        signal: context.signal,
      },
      { source: "podIdentity", what: "The credentials endpoint", target: shown, fix: AGENT_FIX },
    );
    if (response.status !== 200) throw agentRefusal(response, shown, token);
    const parsed = parseCredentialsDocument(response.body, {
      source: "podIdentity",
      url: shown,
      fix: {
        notCredentials:
          "check AWS_CONTAINER_CREDENTIALS_FULL_URI (the EKS Pod Identity agent is http://169.254.170.23/v1/credentials) " +
          "and that the eks-pod-identity-agent DaemonSet runs on this node.",
        refused:
          `the EKS Pod Identity agent at ${shown} could not get credentials: check the pod identity association of the ` +
          "pod's service account and the agent's logs.",
      },
    });
    return { credentials: parsed, accountId: parsed.accountId };
  };
  return retryWhileRetryable(attempt, {
    until: context.firstCallAt + agent.startupTimeoutMs,
    signal: context.signal,
    logger: context.logger,
    onRetry: context.onRetry,
    what: `the Pod Identity agent at ${shown}`,
  });
};

/** 429 and 5xx mean "not yet" (rate limited, or the agent's upstream is failing for now); other statuses are final. */
const agentRefusal = (response: HttpResponse, shown: string, token: string | undefined): CredentialSourceError => {
  const reason = quoteRemoteText(redactSecrets(response.body, [token])) || "(no message)";
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
    retryable: response.status === 429 || response.status >= 500,
    fix,
  });
};
