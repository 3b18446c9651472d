// Identity verification (`verifyIdentity`): one signed STS GetCallerIdentity per new set of credentials, before they
// are used. STS, not the endpoint that handed them out, says whose they are: they must be the declared role's, and
// never a session of the EC2 instance (the node's role) unless the node's role was asked for.
import { CredentialSourceError, InvalidConfigurationError, NodeCredentialsRefusedError } from "../base/errors.js";
import { quoteRemoteText } from "../base/logging.js";
import type { IdentityVerification } from "../base/options.js";
import type { Setting, Settings, SourceName } from "../base/settings.js";
import { monotonicNow, retryWhileRetryable } from "../base/timing.js";
import type { ResolutionContext, SourceResult } from "../sources/source.js";
import { parseRoleReference, sameRole } from "../wire/kubernetes.js";
import { getCallerIdentity, isStsError, type StsError, type StsTransportFor, stsFailureFix } from "../wire/sts.js";

/** EC2 names the sessions of an instance profile's role after the instance: `i-` and 8 or 17 hex digits. */
const INSTANCE_SESSION = /^arn:[\w-]+:sts::\d{12}:assumed-role\/([^/]+)\/(i-[0-9a-f]{8}(?:[0-9a-f]{9})?)$/;

/** Where each source's role is declared, for the fix of a mismatch. */
const WHERE_THE_ROLE_IS_SET: Readonly<Record<SourceName, string>> = {
  webIdentity: "the role in the ServiceAccount's eks.amazonaws.com/role-arn annotation (AWS_ROLE_ARN)",
  podIdentity:
    "the role of the pod identity association of this pod's service account (aws eks list-pod-identity-associations)",
  kube2iam: "the role kube2iam or kiam maps this pod to (its iam.amazonaws.com/role annotation, the proxy's logs)",
  instanceProfile: "the node's instance profile",
  env: "whose keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY hold",
  sharedConfig: "the profile in ~/.aws",
};

/** Verifies the pinned source's credentials; `configuredBy` names where the source's own role was declared. */
export type Verifier = (
  source: SourceName,
  configuredBy: string,
  result: SourceResult,
  context: ResolutionContext,
) => Promise<IdentityVerification>;

/**
 * The verifier of a provider, or `undefined` when `verifyIdentity` is off. Declared roles that are not role
 * references are refused at creation.
 */
export const identityVerifier = (settings: Settings, transport: StsTransportFor): Verifier | undefined => {
  if (!settings.verifyIdentity) return undefined;
  const declaredForAll = [settings.expectedRole, settings.verifiedRole].filter((s): s is Setting => s !== undefined);
  for (const declared of declaredForAll) {
    if (parseRoleReference(declared.value) === undefined) {
      throw new InvalidConfigurationError(
        declared.from,
        `is not a role name, path or ARN ("${quoteRemoteText(declared.value, 100)}").`,
        "declare the role as a name (orders-reader), a path and name (team/orders-reader) or a role ARN.",
      );
    }
  }
  // A source may hand out the same set again (the agent and IMDS cache theirs): STS is asked once per set.
  let last: { accessKeyId: string; sessionToken: string | undefined; verification: IdentityVerification } | undefined;
  return async (source, configuredBy, result, context) => {
    const { credentials } = result;
    if (last?.accessKeyId === credentials.accessKeyId && last.sessionToken === credentials.sessionToken) {
      return last.verification;
    }
    const attempt = async () => {
      try {
        return await getCallerIdentity(credentials, await transport("GetCallerIdentity", context));
      } catch (error) {
        throw isStsError(error) ? verificationFailed(source, error) : error;
      }
    };
    const identity = await retryWhileRetryable(attempt, {
      until: context.deadlineAt ?? monotonicNow(),
      signal: context.signal,
      logger: context.logger,
      onRetry: context.onRetry,
      what: `STS GetCallerIdentity for the ${source} credentials`,
    });
    const arn = quoteRemoteText(identity.arn, 200);
    const node = INSTANCE_SESSION.exec(identity.arn);
    // Where the source's own role was declared: IRSA's variable (not its token file's), the node's listing, else
    // what configured the source (kube2iam: the annotation or POD_CREDENTIALS_ROLE).
    const ownFrom =
      source === "webIdentity"
        ? (settings.roleArn?.from ?? configuredBy)
        : source === "instanceProfile"
          ? "the instance metadata service's role listing"
          : configuredBy;
    const declared = declaredRoles(ownFrom, result, declaredForAll);
    if (node && source !== "instanceProfile") {
      throw new NodeCredentialsRefusedError(
        `STS GetCallerIdentity says these credentials belong to ${arn}, a session of the EC2 instance ${node[2]}: ` +
          "the node's own role, not this pod's; they were not used.",
        {
          source,
          expectedRole: declared[0]?.role,
          offeredRole: node[1],
          fix:
            `whatever answers for ${source} passes the node's credentials through: check that it is the real endpoint ` +
            "for this pod. Only the instanceProfile source, with POD_CREDENTIALS_ALLOW_NODE=true, may use the node's role.",
        },
      );
    }
    const wrong = declared.find(({ role }) => !sameRole(role, identity.arn));
    if (wrong) {
      throw new CredentialSourceError(
        `STS GetCallerIdentity says these credentials belong to ${arn}, not to the role ${wrong.role} declared by ` +
          `${wrong.from}; they were not used.`,
        {
          source,
          target: wrong.role,
          fix: `check ${WHERE_THE_ROLE_IS_SET[source]}, or correct ${wrong.from}.`,
        },
      );
    }
    const verification = {
      callerArn: identity.arn,
      accountId: identity.account,
      declaredRoles: declared,
      verifiedAt: new Date(),
    };
    last = { accessKeyId: credentials.accessKeyId, sessionToken: credentials.sessionToken, verification };
    return verification;
  };
};

/** The roles the credentials must belong to: the source's own, then those declared for any source; each once. */
const declaredRoles = (
  ownFrom: string,
  result: SourceResult,
  declaredForAll: readonly Setting[],
): { role: string; from: string }[] => {
  const own = result.roleArn ?? result.roleName;
  const all = [
    ...(own === undefined ? [] : [{ role: own, from: ownFrom }]),
    ...declaredForAll.map(({ value, from }) => ({ role: value, from })),
  ];
  return all.filter((entry, index) => all.findIndex((other) => other.role === entry.role) === index);
};

const verificationFailed = (source: SourceName, error: StsError): CredentialSourceError =>
  new CredentialSourceError(`Verifying the credentials failed: ${error.message}`, {
    source,
    status: error.status,
    retryable: error.retryable,
    cause: error,
    fix:
      stsFailureFix(
        error,
        `STS does not accept the credentials ${source} handed out: whatever issued them is not AWS (check its address), ` +
          "or this node's clock is off (NTP).",
      ) ??
      "verification (POD_CREDENTIALS_VERIFY_IDENTITY) needs STS GetCallerIdentity to answer: check STS's answer above.",
  });
