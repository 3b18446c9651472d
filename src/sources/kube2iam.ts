import { access } from "node:fs/promises";
import { CredentialSourceError, NodeCredentialsRefusedError } from "../base/errors.js";
import { quoteRemoteText } from "../base/logging.js";
import { SETTINGS, type Setting, type Settings } from "../base/settings.js";
import { retryWhileRetryable } from "../base/timing.js";
import { readSmallTextFile } from "../wire/files.js";
import { declaredRoleFromAnnotationsText, parseRoleReference, ROLE_ANNOTATION, sameRole } from "../wire/kubernetes.js";
import {
  classifyErrorAnswer,
  classifyListingAnswer,
  INVALID_IMDS_TOKEN,
  type ProxyAnswer,
  parseCredentialsDocument,
  SECURITY_CREDENTIALS_PATH,
  TOKEN_HEADER,
} from "../wire/metadata.js";
import { ask, type Detection, type ResolutionContext, type Source, type SourceResult } from "./source.js";

// kube2iam and kiam: verify that a metadata proxy intercepts this pod's metadata traffic and offers exactly the role
// the pod declares, then fetch that role's credentials. Two requests in all when everything is in place.

const MAX_ANNOTATIONS_FILE_BYTES = 256 * 1024;
const ROLE_VARIABLE = SETTINGS.expectedRole.variable;
const PROXY_FIX =
  "check that the kube2iam or kiam agent DaemonSet runs on this node and installed its iptables rule " +
  "(kube2iam --iptables=true with the right --host-interface), or use IRSA or EKS Pod Identity.";

export const kube2iamSource = (settings: Settings): Source => ({
  name: "kube2iam",
  async detect(): Promise<Detection> {
    const lookup = await lookUpDeclaredRole(settings);
    if ("reason" in lookup) return { configured: false, reason: lookup.reason };
    if (parseRoleReference(lookup.value) === undefined) {
      // Declared text reaches every message and log line: a role IAM could not have (a control character, a
      // 256 KiB annotation) is refused here, quoted safely, instead of being echoed.
      throw new CredentialSourceError(
        `The role this pod declares (${lookup.from}) is not a role name, path or ARN: "${quoteRemoteText(lookup.value, 100)}".`,
        {
          source: "kube2iam",
          target: lookup.from,
          fix: "declare the role as a name (orders-reader), a path and name (team/orders-reader) or a role ARN.",
        },
      );
    }
    return {
      configured: true,
      configuredBy: lookup.from,
      resolve: (context) => resolveThroughProxy(settings, lookup, context),
    };
  },
});

/**
 * The role the pod declares: the `expectedRole` option, else `POD_CREDENTIALS_ROLE`, else the
 * `iam.amazonaws.com/role` annotation in the downward-API annotations file. A missing default file means "nothing
 * declared"; a missing file someone named, or a malformed one, is an error.
 */
const lookUpDeclaredRole = async (settings: Settings): Promise<Setting | { reason: string }> => {
  if (settings.expectedRole) return settings.expectedRole;
  const file = settings.annotationsFile;
  const missing = (path: string) =>
    access(path).then(
      () => false,
      (error: NodeJS.ErrnoException) => error.code === "ENOENT",
    );
  if (!file.explicit && (await missing(file.value))) {
    return { reason: `${ROLE_VARIABLE} is not set and there is no annotations file at ${file.value}` };
  }
  const text = await readSmallTextFile(file.value, {
    source: "kube2iam",
    what: "annotations file",
    maxBytes: MAX_ANNOTATIONS_FILE_BYTES,
    envVar: SETTINGS.annotationsFile.variable,
    allowEmpty: true,
  });
  const found = declaredRoleFromAnnotationsText(text);
  if (found.kind === "role") return { value: found.role, from: `the ${ROLE_ANNOTATION} annotation in ${file.value}` };
  if (found.kind === "noRole") {
    return { reason: `${ROLE_VARIABLE} is not set and ${file.value} has no ${ROLE_ANNOTATION} annotation` };
  }
  throw new CredentialSourceError(
    `The annotations file ${file.value} is malformed${found.line === undefined ? "" : ` at line ${found.line}`}: ${found.problem}.`,
    {
      source: "kube2iam",
      target: file.value,
      fix: "mount it with a downward-API volume (fieldRef: metadata.annotations), or set POD_CREDENTIALS_ROLE instead.",
    },
  );
};

/**
 * Answers that may change while the node settles are retried until `startupTimeoutMs` after the first call: the
 * proxy may not have installed its iptables rule yet (the real IMDS answers), may not know the pod or its role yet,
 * or may still offer a default role.
 */
const notYet = new WeakSet<Error>();
const startingUp = <E extends Error>(error: E): E => {
  notYet.add(error);
  return error;
};

const resolveThroughProxy = (
  settings: Settings,
  expected: Setting,
  context: ResolutionContext,
): Promise<SourceResult> =>
  retryWhileRetryable(() => fetchDeclaredRole(settings, expected, context), {
    until: context.firstCallAt + settings.startupTimeoutMs,
    signal: context.signal,
    logger: context.logger,
    onRetry: context.onRetry,
    what: `the metadata proxy at ${settings.metadataEndpoint.value}`,
    shouldRetry: (error) => error instanceof Error && notYet.has(error),
  });

const fetchDeclaredRole = async (
  settings: Settings,
  expected: Setting,
  context: ResolutionContext,
): Promise<SourceResult> => {
  const endpoint = settings.metadataEndpoint.value;
  const listingUrl = `${endpoint}${SECURITY_CREDENTIALS_PATH}`;
  const listing = classifyListingAnswer(await askProxy(listingUrl, settings, context));
  if (listing.kind !== "role") throw verdict(listing, settings, expected, listingUrl);
  if (!sameRole(expected.value, listing.role)) {
    throw startingUp(
      new NodeCredentialsRefusedError(
        `The metadata endpoint ${endpoint} offers the role "${quoteRemoteText(listing.role)}", not the role ` +
          `"${expected.value}" this pod declares (${expected.from}): these are probably the node's credentials, or the ` +
          "proxy's default role.",
        {
          source: "kube2iam",
          endpoint,
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
  const response = await askProxy(credentialsUrl, settings, context);
  if (response.status !== 200) throw verdict(classifyErrorAnswer(response), settings, expected, credentialsUrl);
  const credentials = parseCredentialsDocument(response.body, {
    source: "kube2iam",
    url: credentialsUrl,
    fix: {
      notCredentials:
        "check AWS_EC2_METADATA_SERVICE_ENDPOINT and that kube2iam or kiam on this node answers for the pod (see the " +
        "proxy's logs).",
      refused:
        `kube2iam or kiam at ${credentialsUrl} could not get credentials for the pod's role: check the pod's ` +
        "iam.amazonaws.com/role annotation, that the role trusts the node role, and the proxy's logs.",
    },
  });
  const role = parseRoleReference(expected.value) ?? parseRoleReference(listing.role);
  return {
    credentials,
    roleArn: role?.form === "roleArn" ? role.arn : undefined,
    roleName: role?.name ?? listing.role,
    accountId: role?.accountId,
  };
};

const askProxy = (url: string, settings: Settings, context: ResolutionContext) =>
  ask(
    { url, headers: { [TOKEN_HEADER]: INVALID_IMDS_TOKEN }, timeoutMs: settings.timeoutMs, signal: context.signal },
    {
      source: "kube2iam",
      what: "The metadata endpoint",
      fix:
        `check that kube2iam or kiam runs on this node and intercepts ${settings.metadataEndpoint.value} ` +
        "(its iptables rule), or set AWS_EC2_METADATA_SERVICE_ENDPOINT to where it listens.",
    },
  );

/** The error for an answer that is not the declared role's credentials; "not yet" answers are marked for retry. */
const verdict = (
  answer: Exclude<ProxyAnswer, { kind: "role" }>,
  settings: Settings,
  expected: Setting,
  url: string,
): Error => {
  const endpoint = settings.metadataEndpoint.value;
  switch (answer.kind) {
    case "realImds":
      return startingUp(
        new NodeCredentialsRefusedError(
          `The metadata endpoint ${endpoint} is the real EC2 instance metadata service (it rejected an invalid IMDSv2 ` +
            `token with 401): no kube2iam or kiam intercepts this pod's metadata traffic, so it would hand out the node's role, not "${expected.value}".`,
          { source: "kube2iam", endpoint, expectedRole: expected.value, fix: PROXY_FIX },
        ),
      );
    case "noRole":
      return startingUp(
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
      return startingUp(
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
