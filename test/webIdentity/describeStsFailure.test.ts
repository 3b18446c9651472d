// What an operator reads when STS AssumeRoleWithWebIdentity fails: the code STS sent (or the network error on the way),
// the role, the HTTP status, a fix per code, and whether the chain retries it within the resolution deadline. The
// failures are the STS client's own `StsError`s (src/wire/sts.ts; how it builds them from answers: test/wire/sts.test.ts).
import { describe, expect, it } from "vitest";
import { describeStsFailure } from "../../src/sources/webIdentity.js";
import { isRetryableStsAnswer, StsError } from "../../src/wire/sts.js";
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
  tls:
    "the STS endpoint's TLS certificate is not trusted: if a proxy intercepts TLS, add its CA with NODE_EXTRA_CA_CERTS; " +
    "otherwise check AWS_ENDPOINT_URL_STS and that the image's CA bundle is present.",
} as const;

const action = "AssumeRoleWithWebIdentity" as const;

/** An STS error answer, as the STS client reports it. */
const stsAnswer = (code: string, status: number, detail: string): StsError =>
  new StsError(`STS ${action} failed with ${code} (HTTP ${status}): ${detail}`, {
    action,
    kind: "service",
    code,
    detail,
    status,
    retryable: isRetryableStsAnswer(code, status),
  });

/** No answer, as the STS client reports it: Node's code, or TimeoutError. */
const networkError = (code: string, detail: string, retryable: boolean): StsError =>
  new StsError(`Could not call STS ${action} at https://sts.us-east-1.amazonaws.com/: ${detail}`, {
    action,
    kind: "network",
    code,
    detail,
    retryable,
  });

describe("describeStsFailure: an STS error answer", () => {
  it.each([
    // [STS code, HTTP status, fix, retried]
    ["InvalidIdentityToken", 400, FIX.invalidToken, false],
    ["AccessDenied", 403, FIX.trustPolicy, false],
    ["IDPRejectedClaim", 403, FIX.trustPolicy, false],
    ["ExpiredTokenException", 400, FIX.expired, false],
    ["ValidationError", 400, FIX.parameters, false],
    ["InvalidParameterValue", 400, FIX.parameters, false],
    ["RegionDisabledException", 403, FIX.regionDisabled, false],
    ["Throttling", 400, FIX.busy, true],
    ["IDPCommunicationError", 400, FIX.busy, true],
    ["ServiceUnavailable", 503, FIX.busy, true],
    ["InternalFailure", 500, FIX.busy, true],
    ["MalformedPolicyDocument", 400, FIX.other, false],
  ] as const)("%s (HTTP %i) is shown with its fix; retried: %s", (code, status, fix, retryable) => {
    const error = describeStsFailure(stsAnswer(code, status, "what STS said"), context);
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
    expect(error.cause).toBeInstanceOf(StsError);
  });
});

describe("describeStsFailure: no answer from STS", () => {
  it.each([
    // [what, code, Node's message, name and code shown, retried]
    ["a request timeout", "TimeoutError", "no complete answer within 5000 ms", "TimeoutError", true],
    ["a reset connection", "ECONNRESET", "read ECONNRESET", "Error (ECONNRESET)", true],
    ["a connect timeout", "ETIMEDOUT", "connect ETIMEDOUT", "Error (ETIMEDOUT)", true],
    ["a broken pipe", "EPIPE", "write EPIPE", "Error (EPIPE)", true],
    ["a DNS lookup that failed for now", "EAI_AGAIN", "getaddrinfo EAI_AGAIN sts.example", "Error (EAI_AGAIN)", true],
    ["a refused connection", "ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1", "Error (ECONNREFUSED)", false],
    ["an unknown host", "ENOTFOUND", "getaddrinfo ENOTFOUND sts.example", "Error (ENOTFOUND)", false],
    ["an aborted resolution", "aborted", "request was aborted", "AbortError", false],
  ] as const)("%s: names the error and its code, retried: %s", (_what, code, detail, shown, retryable) => {
    const error = describeStsFailure(networkError(code, detail, retryable), context);
    recordOutput(error);

    expect(error).toMatchObject({
      name: "CredentialSourceError",
      source: "webIdentity",
      target: ORDERS_ROLE_ARN,
      status: undefined,
      retryable,
      fix: retryable ? FIX.busy : FIX.other,
    });
    expect(error.message).toBe(
      `[webIdentity] Could not call STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN}: ${shown}: ${detail} ` +
        `Fix: ${retryable ? FIX.busy : FIX.other}`,
    );
  });

  it.each([
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "CERT_HAS_EXPIRED",
    "ERR_TLS_CERT_ALTNAME_INVALID",
  ])(
    "a TLS certificate Node does not trust (%s): the fix says which CA to add, not to check the trust policy",
    (code) => {
      const error = describeStsFailure(networkError(code, "unable to verify the first certificate", false), context);
      expect(error).toMatchObject({ retryable: false, fix: FIX.tls });
      expect(error.message).toContain(`Error (${code}): unable to verify the first certificate`);
    },
  );
});

describe("describeStsFailure: an answer that is not STS's", () => {
  it("says what answered, and retries what the SDK retries (a 502 page)", () => {
    const message =
      "STS AssumeRoleWithWebIdentity at https://sts.us-east-1.amazonaws.com/ answered HTTP 502 without an STS error document: Bad gateway";
    const thrown = new StsError(message, { action, kind: "answer", code: "HTTP 502", status: 502, retryable: true });
    const error = describeStsFailure(thrown, context);
    recordOutput(error);

    expect(error).toMatchObject({ status: 502, retryable: true, fix: FIX.busy });
    expect(error.message).toBe(
      `[webIdentity] STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN} at https://sts.us-east-1.amazonaws.com/ ` +
        `answered HTTP 502 without an STS error document: Bad gateway Fix: ${FIX.busy}`,
    );
  });
});
