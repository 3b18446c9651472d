import { MAX_RESPONSE_BYTES } from "../../config/defaults.js";
import type { SettingValue } from "../../config/settingValue.js";
import { CredentialSourceError } from "../../errors/CredentialSourceError.js";
import { NodeCredentialsRefusedError } from "../../errors/NodeCredentialsRefusedError.js";
import type { PodCredentialsError } from "../../errors/PodCredentialsError.js";
import { SECURITY_CREDENTIALS_PATH, TOKEN_HEADER } from "../../metadata/metadataEndpoint.js";
import { quoteRemoteText } from "../../utils/redact.js";
import { retryWhileRetryable } from "../../utils/retryWhileRetryable.js";
import { parseCredentialsDocument } from "../../wire/credentialsDocument.js";
import { type HttpResponse, httpRequest, isHttpRequestError } from "../../wire/http.js";
import { parseRoleReference, sameRole } from "../../wire/kubernetes.js";
import type { AbsentSource, ConfiguredSource, ResolutionContext, Source, SourceResult } from "../source.js";
import { classifyErrorAnswer, classifyListingAnswer, type ProxyAnswer } from "./classifyProxyAnswer.js";
import { lookUpDeclaredRole } from "./declaredRole.js";
import type { Kube2iamSettings } from "./kube2iamSettings.js";

/**
 * A token the real EC2 IMDS can never have issued. IMDS answers a request that carries an invalid token with 401;
 * kube2iam and kiam ignore the header on the credentials paths and answer. Sent on both requests, so that the node's
 * credentials are never fetched even if the proxy disappears between the two.
 */
export const INVALID_IMDS_TOKEN = "pod-credentials-probe-not-a-valid-imds-token";

/** Retried until `startupTimeoutMs` after the first call; its `final` error is thrown when that time is up. */
class NotYet extends Error {
  readonly retryable = true;
  constructor(readonly final: PodCredentialsError) {
    super(final.message);
  }
}

/**
 * kube2iam and kiam: verify that a metadata proxy intercepts this pod's metadata traffic and offers exactly the role
 * the pod declares, then fetch that role's credentials. Two requests in all when everything is in place.
 */
export const kube2iamSource = (settings: Kube2iamSettings): Source => ({
  name: "kube2iam",
  async detect(): Promise<ConfiguredSource | AbsentSource> {
    const lookup = await lookUpDeclaredRole(settings);
    if (!lookup.declared) return { configured: false, reason: lookup.reason };
    const { role } = lookup;
    return { configured: true, via: role.from, resolve: (context) => resolveThroughProxy(settings, role, context) };
  },
});

const resolveThroughProxy = async (
  settings: Kube2iamSettings,
  expected: SettingValue,
  context: ResolutionContext,
): Promise<SourceResult> => {
  const endpoint = settings.endpoint.value;
  try {
    return await retryWhileRetryable(() => fetchDeclaredRole(settings, expected, context), {
      until: context.firstCallAt + settings.startupTimeoutMs,
      signal: context.signal,
      logger: context.logger,
      onRetry: context.onRetry,
      what: `the metadata proxy at ${endpoint}`,
    });
  } catch (error) {
    throw error instanceof NotYet ? error.final : error;
  }
};

const fetchDeclaredRole = async (
  settings: Kube2iamSettings,
  expected: SettingValue,
  context: ResolutionContext,
): Promise<SourceResult> => {
  const listingUrl = `${settings.endpoint.value}${SECURITY_CREDENTIALS_PATH}`;
  const listing = classifyListingAnswer(await ask(listingUrl, settings, context));
  if (listing.kind !== "role") throw verdict(listing, settings, expected, listingUrl);
  if (!sameRole(expected.value, listing.role)) {
    throw new NotYet(
      new NodeCredentialsRefusedError(
        `The metadata endpoint ${settings.endpoint.value} offers the role "${quoteRemoteText(listing.role)}", not the role ` +
          `"${expected.value}" this pod declares (${expected.from}): these are probably the node's credentials, or the ` +
          "proxy's default role.",
        {
          source: "kube2iam",
          endpoint: settings.endpoint.value,
          expectedRole: expected.value,
          offeredRole: listing.role,
          fix:
            "check the pod's iam.amazonaws.com/role annotation matches POD_CREDENTIALS_ROLE, that the namespace's " +
            "iam.amazonaws.com/allowed-roles (kube2iam) or iam.amazonaws.com/permitted (kiam) allows it, and that the " +
            "proxy runs on this node.",
        },
      ),
    );
  }
  const credentialsUrl = `${listingUrl}${listing.role}`;
  const response = await ask(credentialsUrl, settings, context);
  if (response.status !== 200) throw verdict(classifyErrorAnswer(response), settings, expected, credentialsUrl);
  const credentials = parseCredentialsDocument(response.body, {
    source: "kube2iam",
    url: credentialsUrl,
    fix: documentFix(credentialsUrl),
  });
  const role = parseRoleReference(expected.value) ?? parseRoleReference(listing.role);
  return {
    credentials,
    roleArn: role?.form === "roleArn" ? role.arn : undefined,
    roleName: role?.name ?? listing.role,
    accountId: role?.accountId,
  };
};

/** What to check when the proxy answers something other than the pod role's credentials. */
const documentFix = (url: string) => ({
  notCredentials:
    "check AWS_EC2_METADATA_SERVICE_ENDPOINT and that kube2iam or kiam on this node answers for the pod (see the " +
    "proxy's logs).",
  refused:
    `kube2iam or kiam at ${url} could not get credentials for the pod's role: check the pod's ` +
    "iam.amazonaws.com/role annotation, that the role trusts the node role, and the proxy's logs.",
});

const ask = async (url: string, settings: Kube2iamSettings, context: ResolutionContext): Promise<HttpResponse> => {
  try {
    return await httpRequest({
      url,
      headers: { [TOKEN_HEADER]: INVALID_IMDS_TOKEN },
      timeoutMs: settings.timeoutMs,
      maxBodyBytes: MAX_RESPONSE_BYTES,
      ...(context.signal ? { signal: context.signal } : {}),
    });
  } catch (error) {
    if (!isHttpRequestError(error)) throw error;
    throw new CredentialSourceError(`The metadata endpoint gave no usable answer: ${error.message}.`, {
      source: "kube2iam",
      target: url,
      cause: error,
      fix:
        `check that kube2iam or kiam runs on this node and intercepts ${settings.endpoint.value} ` +
        "(its iptables rule), or set AWS_EC2_METADATA_SERVICE_ENDPOINT to where it listens.",
    });
  }
};

/** The error for an answer that is not the declared role's credentials; "not yet" answers are wrapped in `NotYet`. */
const verdict = (
  answer: Exclude<ProxyAnswer, { kind: "role" }>,
  settings: Kube2iamSettings,
  expected: SettingValue,
  url: string,
): Error => {
  const endpoint = settings.endpoint.value;
  switch (answer.kind) {
    case "realImds":
      return new NotYet(
        new NodeCredentialsRefusedError(
          `The metadata endpoint ${endpoint} is the real EC2 instance metadata service (it rejected an invalid IMDSv2 ` +
            `token with 401): no kube2iam or kiam intercepts this pod's metadata traffic, so it would hand out the node's role, not "${expected.value}".`,
          {
            source: "kube2iam",
            endpoint,
            expectedRole: expected.value,
            fix:
              "check that the kube2iam or kiam agent DaemonSet runs on this node and installed its iptables rule " +
              "(kube2iam --iptables=true with the right --host-interface), or use IRSA or EKS Pod Identity.",
          },
        ),
      );
    case "noRole":
      return new NotYet(
        new CredentialSourceError(
          `The metadata proxy at ${endpoint} holds no role for this pod (${answer.message}), though the pod declares "${expected.value}".`,
          {
            source: "kube2iam",
            target: url,
            fix: "annotate the pod itself (not the Deployment) with iam.amazonaws.com/role and restart it; the proxy reads the annotation from the pod.",
          },
        ),
      );
    case "podNotYetKnown":
      return new NotYet(
        new CredentialSourceError(
          `The metadata proxy at ${endpoint} does not know this pod yet (start-up window ${settings.startupTimeoutMs} ms): ${answer.message}`,
          {
            source: "kube2iam",
            target: url,
            retryable: true,
            fix: "the proxy has not seen the pod in the Kubernetes API: check its logs and its access to the API server, or raise POD_CREDENTIALS_STARTUP_TIMEOUT_MS.",
          },
        ),
      );
    case "refused":
      return new CredentialSourceError(
        `The metadata proxy at ${endpoint} refused the role "${expected.value}" with HTTP ${answer.status}: ${answer.message}`,
        {
          source: "kube2iam",
          target: url,
          status: answer.status,
          fix:
            "the namespace must allow the role (kube2iam: annotation iam.amazonaws.com/allowed-roles; kiam: " +
            "iam.amazonaws.com/permitted), and the node's role must be allowed to assume it (its trust policy).",
        },
      );
  }
};
