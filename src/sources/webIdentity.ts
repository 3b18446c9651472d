import { hostname } from "node:os";
import { CredentialSourceError } from "../base/errors.js";
import { SETTINGS, type Settings } from "../base/settings.js";
import { monotonicNow, retryWhileRetryable } from "../base/timing.js";
import { readTokenFile } from "../wire/files.js";
import { parseRoleReference } from "../wire/kubernetes.js";
import {
  assumeRoleWithWebIdentity,
  isStsError,
  type StsAssumedRole,
  type StsError,
  stsTransportFor,
} from "../wire/sts.js";
import type { Source, SourceResult } from "./source.js";

// IRSA: the projected service-account token, read again at every resolution (kubelet rotates it), exchanged at STS
// `AssumeRoleWithWebIdentity` over the transport the chain's own STS calls share (src/wire/sts.ts: the SDK's region,
// endpoint and proxy rules). STS names the role it gave: it must be the role asked for.

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
  const roleSessionName = settings.roleSessionName ?? defaultRoleSessionName();
  const transport = stsTransportFor(settings);
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
        resolve: async (context) => {
          const token = await readTokenFile(tokenFile.value, {
            source: "webIdentity",
            what: "web-identity token file",
            maxBytes: MAX_TOKEN_FILE_BYTES,
            envVar: TOKEN_FILE,
          });
          context.secret?.(token);
          const failure = { roleArn: roleArn.value, tokenFile: tokenFile.value, token };
          const attempt = async () => {
            try {
              const parameters = {
                roleArn: roleArn.value,
                roleSessionName,
                webIdentityToken: token,
                durationSeconds: settings.durationSeconds,
              };
              return await assumeRoleWithWebIdentity(parameters, await transport("AssumeRoleWithWebIdentity", context));
            } catch (error) {
              throw isStsError(error) ? describeStsFailure(error, failure) : error;
            }
          };
          const answer = await retryWhileRetryable(attempt, {
            until: context.deadlineAt ?? monotonicNow(),
            signal: context.signal,
            logger: context.logger,
            onRetry: context.onRetry,
            what: `STS AssumeRoleWithWebIdentity for ${roleArn.value}`,
          });
          return verifiedRole(answer, roleArn.value, roleArn.from);
        },
      };
    },
  };
};

/**
 * The credentials, once STS's `AssumedRoleUser.Arn` is checked against the role asked for. An assumed-role ARN has
 * no path (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`): partition, account and name are compared.
 */
const verifiedRole = (answer: StsAssumedRole, roleArn: string, from: string): SourceResult => {
  const asked = parseRoleReference(roleArn);
  const got = parseRoleReference(answer.assumedRoleArn);
  const same =
    got?.form === "assumedRoleArn" &&
    got.name === asked?.name &&
    got.accountId === asked.accountId &&
    got.partition === asked.partition;
  if (!same) {
    throw new CredentialSourceError(
      `STS AssumeRoleWithWebIdentity for ${roleArn} (${from}) answered with credentials for ${answer.assumedRoleArn}, not for that role.`,
      {
        source: "webIdentity",
        target: roleArn,
        fix: `check what answers at the STS endpoint (AWS_ENDPOINT_URL_STS, proxies): real STS names the role it was asked for; the credentials were not used.`,
      },
    );
  }
  const credentials = { ...answer.credentials, ...(answer.accountId && { accountId: answer.accountId }) };
  return { credentials, roleArn, roleName: asked?.name, accountId: answer.accountId ?? asked?.accountId };
};

/** Node's codes for a TLS certificate it does not trust: a proxy that intercepts TLS, or a missing CA bundle. */
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)_|ERR_TLS_/;
const TLS_FIX =
  "the STS endpoint's TLS certificate is not trusted: if a proxy intercepts TLS, add its CA with NODE_EXTRA_CA_CERTS; " +
  "otherwise check AWS_ENDPOINT_URL_STS and that the image's CA bundle is present.";

const fixFor = (code: string, retryable: boolean, roleArn: string, tokenFile: string): string => {
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
    case "ConfigurationError":
      return "check AWS_REGION (or the region option), AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT and AWS_ENDPOINT_URL_STS; the AWS SDK refuses this combination too.";
    case "ERR_INVALID_URL":
      return "set AWS_ENDPOINT_URL_STS (or AWS_ENDPOINT_URL) to an https URL such as https://sts.us-east-1.amazonaws.com.";
    case "RegionDisabledException":
      return "STS is not activated in this region: activate it in IAM account settings, or set AWS_REGION to another region.";
    default:
      return retryable
        ? "STS or the identity provider is busy; the call is retried. If it persists, check the OIDC provider's health."
        : "check network access to STS (egress, proxies, AWS_ENDPOINT_URL_STS) and the role's trust policy.";
  }
};

/**
 * Turns an STS failure into a `CredentialSourceError` that names the role, the token file and the fix, retryable as
 * the SDK would retry it. The token was already redacted from any text STS or the network sent back.
 */
export const describeStsFailure = (
  error: StsError,
  { roleArn, tokenFile }: { roleArn: string; tokenFile: string; token: string },
): CredentialSourceError => {
  const action = "STS AssumeRoleWithWebIdentity";
  let problem: string;
  if (error.kind === "service") {
    problem = `${action} for ${roleArn} failed with ${error.code} (HTTP ${error.status}): ${error.detail}`;
  } else if (error.kind === "network") {
    // As the SDK's HTTP handler named it: `TimeoutError`, or `Error (ECONNREFUSED)`.
    const name = error.code === "TimeoutError" ? "TimeoutError" : error.code === "aborted" ? "AbortError" : "Error";
    const code = name === "Error" ? ` (${error.code})` : "";
    problem = `Could not call ${action} for ${roleArn}: ${name}${code}: ${error.detail}`;
  } else if (error.kind === "configuration") {
    problem = `Cannot call ${action} for ${roleArn}: ${error.message}${/[.!?]$/.test(error.message) ? "" : "."}`;
  } else {
    // "STS AssumeRoleWithWebIdentity at <url> answered …": the role joins the action.
    problem = error.message.replace(action, `${action} for ${roleArn}`);
  }
  return new CredentialSourceError(problem, {
    source: "webIdentity",
    target: roleArn,
    status: error.status,
    retryable: error.retryable,
    fix: TLS_CODES.test(error.code) ? TLS_FIX : fixFor(error.code, error.retryable, roleArn, tokenFile),
    cause: error,
  });
};
