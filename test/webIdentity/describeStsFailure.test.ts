// What an operator reads when STS AssumeRoleWithWebIdentity fails: the code STS sent (or the network error on the way),
// the role, the HTTP status, a fix per code, and whether the chain retries it within the resolution deadline.
// The errors below have the shapes the AWS SDK throws: a modeled STS error is named `<Code>Exception` and carries
// `$metadata.httpStatusCode`; a network error from the Node HTTP handler has a `code` and no status.
import { describe, expect, it } from "vitest";
import { describeStsFailure } from "../../src/sources/webIdentity.js";
import { ORDERS_ROLE_ARN, secretToken } from "../support/fakes.js";
import { recordOutput } from "../support/leakCheck.js";

const TOKEN_FILE = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
const token = secretToken();
const context = { roleArn: ORDERS_ROLE_ARN, tokenFile: TOKEN_FILE, token };

const FIX = {
  invalidToken:
    "STS could not validate the token: check that the cluster's OIDC provider is registered in IAM " +
    `(eksctl utils associate-iam-oidc-provider) and that the token in ${TOKEN_FILE} has the audience sts.amazonaws.com.`,
  trustPolicy:
    `the trust policy of ${ORDERS_ROLE_ARN} does not let this service account assume it: check its Condition on ` +
    "<oidc-provider>:sub (system:serviceaccount:<namespace>:<service-account>) and <oidc-provider>:aud.",
  expired: `the token in ${TOKEN_FILE} has expired: kubelet rotates projected tokens; make sure the file is the projected volume itself, not a copy.`,
  parameters: "check AWS_ROLE_ARN (a full role ARN) and AWS_ROLE_SESSION_NAME (2 to 64 of [A-Za-z0-9+=,.@_-]).",
  regionDisabled:
    "STS is not activated in this region: activate it in IAM account settings, or set AWS_REGION to another region.",
  busy: "STS or the identity provider is busy; the call is retried. If it persists, check the OIDC provider's health.",
  other: "check network access to STS (egress, proxies, AWS_ENDPOINT_URL_STS) and the role's trust policy.",
} as const;

/** An error as the SDK throws it for an STS error answer. */
const stsAnswer = (name: string, status: number, message: string): Error =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts: 1 } });

/** An error as the Node HTTP handler throws it when no answer came (the SDK adds `$metadata` without a status). */
const networkError = (fields: { name?: string; code?: string; message: string; withMetadata?: boolean }): Error =>
  Object.assign(new Error(fields.message), {
    ...(fields.name === undefined ? {} : { name: fields.name }),
    ...(fields.code === undefined ? {} : { code: fields.code }),
    ...(fields.withMetadata ? { $metadata: { attempts: 1, totalRetryDelay: 0 } } : {}),
  });

describe("describeStsFailure: an STS error answer", () => {
  it.each([
    // [SDK error name, HTTP status, code shown, fix, retried]
    ["InvalidIdentityTokenException", 400, "InvalidIdentityToken", FIX.invalidToken, false],
    ["AccessDenied", 403, "AccessDenied", FIX.trustPolicy, false],
    ["IDPRejectedClaimException", 403, "IDPRejectedClaim", FIX.trustPolicy, false],
    ["ExpiredTokenException", 400, "ExpiredTokenException", FIX.expired, false],
    ["ValidationError", 400, "ValidationError", FIX.parameters, false],
    ["InvalidParameterValue", 400, "InvalidParameterValue", FIX.parameters, false],
    ["RegionDisabledException", 403, "RegionDisabled", FIX.regionDisabled, false],
    ["Throttling", 400, "Throttling", FIX.busy, true],
    ["IDPCommunicationErrorException", 400, "IDPCommunicationError", FIX.busy, true],
    ["ServiceUnavailable", 503, "ServiceUnavailable", FIX.busy, true],
    ["InternalFailure", 500, "InternalFailure", FIX.busy, true],
    ["MalformedPolicyDocumentException", 400, "MalformedPolicyDocument", FIX.other, false],
  ] as const)("%s (HTTP %i) is shown as %s, with its fix; retried: %s", (name, status, code, fix, retryable) => {
    const error = describeStsFailure(stsAnswer(name, status, "what STS said"), context);
    recordOutput(error);

    expect(error).toMatchObject({
      name: "CredentialSourceError",
      source: "webIdentity",
      target: ORDERS_ROLE_ARN,
      status,
      retryable,
      fix,
    });
    expect(error.message).toBe(
      `[webIdentity] STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN} failed with ${code} (HTTP ${status}): ` +
        `what STS said Fix: ${fix}`,
    );
    expect((error.cause as Error).message).toBe(`${name}: what STS said`);
  });

  it("redacts the token from what STS sent back and quotes it on one line", () => {
    const error = describeStsFailure(
      stsAnswer("InvalidIdentityTokenException", 400, `Incorrect token audience\nfor ${token}`),
      context,
    );
    recordOutput(error);

    expect(error.message).toContain(
      "failed with InvalidIdentityToken (HTTP 400): Incorrect token audience for [redacted]",
    );
    expect((error.cause as Error).message).toBe(
      "InvalidIdentityTokenException: Incorrect token audience for [redacted]",
    );
  });
});

describe("describeStsFailure: no answer from STS", () => {
  it.each([
    // [what, error, name and code shown, retried]
    [
      "a request timeout",
      networkError({ name: "TimeoutError", code: "ETIMEDOUT", message: "request timed out", withMetadata: true }),
      "TimeoutError (ETIMEDOUT)",
      true,
    ],
    ["a socket timeout", networkError({ name: "TimeoutError", message: "socket timed out" }), "TimeoutError", true],
    [
      "a reset connection",
      networkError({ code: "ECONNRESET", message: "read ECONNRESET" }),
      "Error (ECONNRESET)",
      true,
    ],
    [
      "a connect timeout",
      networkError({ code: "ETIMEDOUT", message: "connect ETIMEDOUT", withMetadata: true }),
      "Error (ETIMEDOUT)",
      true,
    ],
    ["a broken pipe", networkError({ code: "EPIPE", message: "write EPIPE" }), "Error (EPIPE)", true],
    [
      "a DNS lookup that failed for now",
      networkError({ code: "EAI_AGAIN", message: "getaddrinfo EAI_AGAIN sts.us-east-1.amazonaws.com" }),
      "Error (EAI_AGAIN)",
      true,
    ],
    [
      "a refused connection",
      networkError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:1", withMetadata: true }),
      "Error (ECONNREFUSED)",
      false,
    ],
    [
      "an unknown host",
      networkError({ code: "ENOTFOUND", message: "getaddrinfo ENOTFOUND sts.example" }),
      "Error (ENOTFOUND)",
      false,
    ],
    ["an error without a code", networkError({ message: "something broke" }), "Error", false],
  ] as const)("%s: names the error and its code, retried: %s", (_what, thrown, shown, retryable) => {
    const error = describeStsFailure(thrown, context);
    recordOutput(error);

    expect(error).toMatchObject({
      name: "CredentialSourceError",
      source: "webIdentity",
      target: ORDERS_ROLE_ARN,
      status: undefined,
      retryable,
      fix: FIX.other,
    });
    expect(error.message).toBe(
      `[webIdentity] Could not call STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN}: ${shown}: ${thrown.message} ` +
        `Fix: ${FIX.other}`,
    );
    expect((error.cause as Error).message).toBe(`${shown}: ${thrown.message}`);
  });

  it.each([
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "CERT_HAS_EXPIRED",
    "ERR_TLS_CERT_ALTNAME_INVALID",
  ])(
    "a TLS certificate Node does not trust (%s): the fix says which CA to add, not to check the trust policy",
    (code) => {
      const error = describeStsFailure(
        networkError({ code, message: "unable to verify the first certificate" }),
        context,
      );
      expect(error).toMatchObject({ retryable: false, fix: expect.stringContaining("NODE_EXTRA_CA_CERTS") });
      expect(error.fix).toContain("TLS certificate is not trusted");
      expect(error.message).toContain(`Error (${code}): unable to verify the first certificate`);
    },
  );

  it("describes something thrown that is not an Error by its text", () => {
    const error = describeStsFailure("socket hang up", context);
    recordOutput(error);

    expect(error).toMatchObject({ status: undefined, retryable: false, fix: FIX.other });
    expect(error.message).toBe(
      `[webIdentity] Could not call STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN}: Error: socket hang up ` +
        `Fix: ${FIX.other}`,
    );
  });

  it("does not treat an answer with a status as a network failure, whatever its name", () => {
    const error = describeStsFailure(
      Object.assign(stsAnswer("TimeoutError", 504, "gateway timeout"), { code: "ETIMEDOUT" }),
      context,
    );
    expect(error).toMatchObject({ status: 504, retryable: false });
    expect(error.message).toContain("failed with TimeoutError (HTTP 504): gateway timeout");
  });
});
