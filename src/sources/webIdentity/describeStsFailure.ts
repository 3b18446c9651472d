import { CredentialSourceError } from "../../errors/CredentialSourceError.js";
import { quoteRemoteText, redactSecrets } from "../../utils/redact.js";

interface StsFailureContext {
  readonly roleArn: string;
  readonly tokenFile: string;
  readonly token: string;
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** Failures on the way to STS (no answer at all) that may pass: retried within the resolution's deadline. */
const TRANSIENT_NETWORK = new Set(["TimeoutError", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"]);

/** STS error codes that mean "try again shortly", not "no". */
const RETRYABLE_CODES = new Set(["Throttling", "IDPCommunicationError", "ServiceUnavailable", "InternalFailure"]);

/**
 * The code STS sends on the wire. The SDK names modeled errors `<Code>Exception` (`InvalidIdentityTokenException`
 * for `InvalidIdentityToken`); `ExpiredTokenException` is STS's own code, suffix included.
 */
const stsCode = (name: string): string => (name === "ExpiredTokenException" ? name : name.replace(/Exception$/, ""));

const fixFor = (code: string, { roleArn, tokenFile }: StsFailureContext): string => {
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
export const describeStsFailure = (error: unknown, context: StsFailureContext): CredentialSourceError => {
  const shape = (typeof error === "object" && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof shape.name === "string" ? shape.name : "Error";
  const code = stsCode(name);
  const status = typeof shape.$metadata?.httpStatusCode === "number" ? shape.$metadata.httpStatusCode : undefined;
  const rawMessage = typeof shape.message === "string" ? shape.message : String(error);
  const detail = quoteRemoteText(redactSecrets(rawMessage, [context.token]));
  const networkCode = typeof shape.code === "string" ? ` (${shape.code})` : "";
  const problem =
    status === undefined
      ? `Could not call STS AssumeRoleWithWebIdentity for ${context.roleArn}: ${name}${networkCode}: ${detail}`
      : `STS AssumeRoleWithWebIdentity for ${context.roleArn} failed with ${code} (HTTP ${status}): ${detail}`;
  return new CredentialSourceError(problem, {
    source: "webIdentity",
    target: context.roleArn,
    status,
    retryable:
      RETRYABLE_CODES.has(code) ||
      (status === undefined && (TRANSIENT_NETWORK.has(name) || TRANSIENT_NETWORK.has(String(shape.code)))),
    fix: fixFor(code, context),
    cause: new Error(`${name}${networkCode}: ${detail}`),
  });
};
