import { hostname } from "node:os";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import type { Logger } from "@smithy/types";
import { CredentialSourceError } from "../base/errors.js";
import { quoteRemoteText, redactSecrets } from "../base/logging.js";
import { SETTINGS, type Settings } from "../base/settings.js";
import { monotonicNow, retryWhileRetryable } from "../base/timing.js";
import { readTokenFile } from "../wire/files.js";
import { parseRoleReference } from "../wire/kubernetes.js";
import {
  createRequestHandler,
  isIsolated,
  isolatedSdkConfig,
  loadIrsaModules,
  withAbortSignal,
} from "../wire/sdkConfig.js";
import type { ResolutionContext, Source, SourceResult } from "./source.js";

export { abortableRequestHandler } from "../wire/sdkConfig.js";

// IRSA: the projected service-account token, read again at every resolution (kubelet rotates it), exchanged through
// the SDK's own `fromWebToken` (STS `AssumeRoleWithWebIdentity`), which honours `AWS_ENDPOINT_URL_STS` and takes the
// calling client's region from `callerClientConfig`. With an `env` option, the SDK reads nothing itself: every
// setting it would read is resolved from that environment and passed (`isolatedSdkConfig`).

/** STS answers within a few hundred milliseconds; past this, one attempt is abandoned (the resolution deadline still rules). */
const STS_REQUEST_TIMEOUT_MS = 5000;
const MAX_TOKEN_FILE_BYTES = 16 * 1024;
const TOKEN_FILE = SETTINGS.webIdentityTokenFile.variable;
const ROLE_ARN = SETTINGS.roleArn.variable;
const IRSA_FIX =
  "EKS sets AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN together when the pod's ServiceAccount is annotated with " +
  "eks.amazonaws.com/role-arn; check the annotation and restart the pod, or set both variables yourself.";

/** `pod-credentials-<hostname>`, reduced to the characters STS accepts in a session name (`[\w+=,.@-]`, 2–64). */
export const defaultRoleSessionName = (host: string = hostname()): string =>
  `pod-credentials-${host.replace(/[^\w+=,.@-]/g, "-")}`.slice(0, 64);

export const webIdentitySource = (settings: Settings): Source => {
  // Loaded on first use, like the SDK's own chain does (a pod that does not use IRSA never loads the STS client), but
  // started now when IRSA is configured.
  if (settings.webIdentityTokenFile && settings.roleArn) void loadIrsaModules();
  // One HTTP handler per provider, built at its first attempt and shared by every attempt after it; each resolution
  // ties its own requests to its own AbortSignal (`withAbortSignal`).
  let handler: Promise<NodeHttpHandler> | undefined;
  const exchange: Exchange = {
    requestHandler: () =>
      (handler ??= createRequestHandler({
        connectionTimeout: settings.timeoutMs,
        requestTimeout: STS_REQUEST_TIMEOUT_MS,
      })),
    roleSessionName: settings.roleSessionName ?? defaultRoleSessionName(),
  };
  let regionWarned = false; // once per provider, not at every refresh
  const warnRegion = (logger: Logger) => (message: string) => {
    if (!regionWarned) logger.warn(message);
    regionWarned = true;
  };
  return {
    name: "webIdentity",
    async detect() {
      const { webIdentityTokenFile: tokenFile, roleArn } = settings;
      if (!tokenFile && !roleArn) return { configured: false, reason: `${TOKEN_FILE} and ${ROLE_ARN} are not set` };
      if (!tokenFile || !roleArn) {
        const [present, missing] = tokenFile ? [tokenFile.from, ROLE_ARN] : [roleArn?.from ?? ROLE_ARN, TOKEN_FILE];
        throw new CredentialSourceError(`${present} is set but ${missing} is not: IRSA needs both.`, {
          source: "webIdentity",
          target: missing,
          fix: IRSA_FIX,
        });
      }
      if (parseRoleReference(roleArn.value)?.form !== "roleArn") {
        throw new CredentialSourceError(`${roleArn.from} is not a role ARN ("${roleArn.value}").`, {
          source: "webIdentity",
          target: roleArn.from,
          fix: "set it to a full ARN such as arn:aws:iam::123456789012:role/orders-reader.",
        });
      }
      return {
        configured: true,
        configuredBy: `${tokenFile.from} and ${roleArn.from}`,
        resolve: (context) =>
          exchangeToken(settings, exchange, tokenFile.value, roleArn.value, context, warnRegion(context.logger)),
      };
    },
  };
};

/** What a provider keeps from one STS exchange to the next. */
interface Exchange {
  readonly requestHandler: () => Promise<NodeHttpHandler>;
  readonly roleSessionName: string;
}

const exchangeToken = async (
  settings: Settings,
  exchange: Exchange,
  tokenFile: string,
  roleArn: string,
  context: ResolutionContext,
  warnRegion: (message: string) => void,
): Promise<SourceResult> => {
  const token = await readTokenFile(tokenFile, {
    source: "webIdentity",
    what: "web-identity token file",
    maxBytes: MAX_TOKEN_FILE_BYTES,
    envVar: TOKEN_FILE,
  });
  context.secret?.(token);
  const attempt = async () => {
    const requestHandler = withAbortSignal(await exchange.requestHandler(), context.signal);
    const { fromWebToken } = await loadIrsaModules();
    const caller = context.identityProperties?.callerClientConfig;
    try {
      const isolated = isIsolated(settings.env)
        ? await isolatedSdkConfig(settings.env, { region: settings.region, caller, warnRegion })
        : undefined;
      const assumeRole = fromWebToken({
        roleArn,
        webIdentityToken: token,
        roleSessionName: exchange.roleSessionName,
        clientConfig: {
          ...(settings.region === undefined ? {} : { region: settings.region }),
          ...isolated?.clientConfig,
          // One attempt per call: "try again" answers (Throttling, IDPCommunicationError) are retried below, with
          // backoff, within the resolution's deadline, so there is one retry policy and it is bounded.
          maxAttempts: 1,
          requestHandler,
        },
        ...(isolated && { clientPlugins: isolated.clientPlugins }),
      });
      return await assumeRole(context.identityProperties as Parameters<typeof assumeRole>[0]);
    } catch (error) {
      throw describeStsFailure(error, { roleArn, tokenFile, token });
    }
  };
  const credentials = await retryWhileRetryable(attempt, {
    until: context.deadlineAt ?? monotonicNow(),
    signal: context.signal,
    logger: context.logger,
    onRetry: context.onRetry,
    what: `STS AssumeRoleWithWebIdentity for ${roleArn}`,
  });
  const role = parseRoleReference(roleArn);
  return { credentials, roleArn, roleName: role?.name, accountId: credentials.accountId ?? role?.accountId };
};

/** Failures on the way to STS (no answer at all) that may pass: retried within the resolution's deadline. */
const TRANSIENT_NETWORK = new Set(["TimeoutError", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"]);
/** STS error codes that mean "try again shortly", not "no". */
const RETRYABLE_CODES = new Set(["Throttling", "IDPCommunicationError", "ServiceUnavailable", "InternalFailure"]);

/** Node's codes for a TLS certificate it does not trust: a proxy that intercepts TLS, or a missing CA bundle. */
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)_|ERR_TLS_/;
const TLS_FIX =
  "the STS endpoint's TLS certificate is not trusted: if a proxy intercepts TLS, add its CA with NODE_EXTRA_CA_CERTS; " +
  "otherwise check AWS_ENDPOINT_URL_STS and that the image's CA bundle is present.";

const fixFor = (code: string, roleArn: string, tokenFile: string): string => {
  switch (code) {
    case "InvalidIdentityToken":
      return (
        "STS could not validate the token: check that the cluster's OIDC provider is registered in IAM " +
        `(eksctl utils associate-iam-oidc-provider) and that the token in ${tokenFile} has the audience sts.amazonaws.com.`
      );
    case "AccessDenied":
    case "IDPRejectedClaim":
      return (
        `the trust policy of ${roleArn} does not let this service account assume it: check its Condition on ` +
        "<oidc-provider>:sub (system:serviceaccount:<namespace>:<service-account>) and <oidc-provider>:aud."
      );
    case "ExpiredTokenException":
      return `the token in ${tokenFile} has expired: kubelet rotates projected tokens; make sure the file is the projected volume itself, not a copy.`;
    case "ValidationError":
    case "InvalidParameterValue":
      return "check AWS_ROLE_ARN (a full role ARN) and AWS_ROLE_SESSION_NAME (2 to 64 of [A-Za-z0-9+=,.@_-]).";
    case "RegionDisabled":
      return "STS is not activated in this region: activate it in IAM account settings, or set AWS_REGION to another region.";
    default:
      return RETRYABLE_CODES.has(code)
        ? "STS or the identity provider is busy; the call is retried. If it persists, check the OIDC provider's health."
        : "check network access to STS (egress, proxies, AWS_ENDPOINT_URL_STS) and the role's trust policy.";
  }
};

/**
 * Turns whatever the SDK's `AssumeRoleWithWebIdentity` call threw into a `CredentialSourceError` that names the role,
 * the token file and the fix. The token is redacted from any text that came back, in case an identity provider echoes it.
 */
export const describeStsFailure = (
  error: unknown,
  { roleArn, tokenFile, token }: { roleArn: string; tokenFile: string; token: string },
): CredentialSourceError => {
  const shape = (typeof error === "object" && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const name = typeof shape.name === "string" ? shape.name : "Error";
  // The SDK names modeled errors `<Code>Exception`; `ExpiredTokenException` is STS's own code, suffix included.
  const code = name === "ExpiredTokenException" ? name : name.replace(/Exception$/, "");
  const status = typeof shape.$metadata?.httpStatusCode === "number" ? shape.$metadata.httpStatusCode : undefined;
  const detail = quoteRemoteText(
    redactSecrets(typeof shape.message === "string" ? shape.message : String(error), [token]),
  );
  const networkCode = typeof shape.code === "string" ? ` (${shape.code})` : "";
  const problem =
    status === undefined
      ? `Could not call STS AssumeRoleWithWebIdentity for ${roleArn}: ${name}${networkCode}: ${detail}`
      : `STS AssumeRoleWithWebIdentity for ${roleArn} failed with ${code} (HTTP ${status}): ${detail}`;
  return new CredentialSourceError(problem, {
    source: "webIdentity",
    target: roleArn,
    status,
    retryable:
      RETRYABLE_CODES.has(code) ||
      (status === undefined && (TRANSIENT_NETWORK.has(name) || TRANSIENT_NETWORK.has(String(shape.code)))),
    fix: TLS_CODES.test(String(shape.code)) ? TLS_FIX : fixFor(code, roleArn, tokenFile),
    cause: new Error(`${name}${networkCode}: ${detail}`),
  });
};
