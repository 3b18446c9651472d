import { MAX_TOKEN_FILE_BYTES } from "../../config/defaults.js";
import { ENV } from "../../config/environmentVariables.js";
import { CredentialSourceError } from "../../errors/CredentialSourceError.js";
import { retryWhileRetryable } from "../../utils/retryWhileRetryable.js";
import { readTokenFile } from "../../wire/files.js";
import { parseRoleReference } from "../../wire/kubernetes.js";
import type { AbsentSource, ConfiguredSource, ResolutionContext, Source, SourceResult } from "../source.js";
import { abortableRequestHandler } from "./abortableRequestHandler.js";
import { describeStsFailure } from "./describeStsFailure.js";

/** STS answers within a few hundred milliseconds; past this, one attempt is abandoned (the resolution deadline still rules). */
const STS_REQUEST_TIMEOUT_MS = 5000;

import type { WebIdentitySettings } from "./webIdentitySettings.js";

const IRSA_FIX =
  "EKS sets AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN together when the pod's ServiceAccount is annotated with " +
  "eks.amazonaws.com/role-arn; check the annotation and restart the pod, or set both variables yourself.";

/**
 * IRSA: reads the projected service-account token (again at every resolution: kubelet rotates it) and exchanges it
 * through the SDK's own `fromWebToken` (STS `AssumeRoleWithWebIdentity`), which honours `AWS_ENDPOINT_URL_STS` and
 * takes the calling client's region from `callerClientConfig`.
 */
export const webIdentitySource = (settings: WebIdentitySettings): Source => ({
  name: "webIdentity",
  async detect(): Promise<ConfiguredSource | AbsentSource> {
    const { tokenFile, roleArn } = settings;
    if (!tokenFile && !roleArn) {
      return { configured: false, reason: `${ENV.webIdentityTokenFile} and ${ENV.roleArn} are not set` };
    }
    if (!tokenFile || !roleArn) {
      const [present, missing] = tokenFile
        ? [tokenFile.from, ENV.roleArn]
        : [roleArn?.from ?? ENV.roleArn, ENV.webIdentityTokenFile];
      throw new CredentialSourceError(`${present} is set but ${missing} is not: IRSA needs both.`, {
        source: "webIdentity",
        target: missing,
        fix: IRSA_FIX,
      });
    }
    const role = parseRoleReference(roleArn.value);
    if (role?.form !== "roleArn") {
      throw new CredentialSourceError(`${roleArn.from} is not a role ARN ("${roleArn.value}").`, {
        source: "webIdentity",
        target: roleArn.from,
        fix: "set it to a full ARN such as arn:aws:iam::123456789012:role/orders-reader.",
      });
    }
    return {
      configured: true,
      via: `${tokenFile.from} and ${roleArn.from}`,
      resolve: (context) => exchangeToken(settings, tokenFile.value, roleArn.value, context),
    };
  },
});

const exchangeToken = async (
  settings: WebIdentitySettings,
  tokenFile: string,
  roleArn: string,
  context: ResolutionContext,
): Promise<SourceResult> => {
  const token = await readTokenFile(tokenFile, {
    source: "webIdentity",
    what: "web-identity token file",
    maxBytes: MAX_TOKEN_FILE_BYTES,
    envVar: ENV.webIdentityTokenFile,
  });
  const attempt = async () => {
    const requestHandler = await abortableRequestHandler(context.signal, {
      connectionTimeout: settings.timeoutMs,
      requestTimeout: STS_REQUEST_TIMEOUT_MS,
    });
    // Loaded on first use, like the SDK's own chain does: a pod that does not use IRSA never loads the STS client.
    const { fromWebToken } = await import("@aws-sdk/credential-providers");
    const exchange = fromWebToken({
      roleArn,
      webIdentityToken: token,
      roleSessionName: settings.roleSessionName,
      clientConfig: {
        ...(settings.region === undefined ? {} : { region: settings.region }),
        // One attempt per call: "try again" answers (Throttling, IDPCommunicationError) are retried below, with
        // backoff, within the resolution's deadline, so there is one retry policy and it is bounded.
        maxAttempts: 1,
        requestHandler,
      },
    });
    try {
      return await exchange(context.identityProperties as Parameters<typeof exchange>[0]);
    } catch (error) {
      throw describeStsFailure(error, { roleArn, tokenFile, token });
    } finally {
      requestHandler.destroy();
    }
  };
  const credentials = await retryWhileRetryable(attempt, {
    until: context.deadlineAt ?? Date.now(),
    signal: context.signal,
    logger: context.logger,
    onRetry: context.onRetry,
    what: `STS AssumeRoleWithWebIdentity for ${roleArn}`,
  });
  const role = parseRoleReference(roleArn);
  return {
    credentials,
    roleArn,
    roleName: role?.name,
    accountId: credentials.accountId ?? role?.accountId,
  };
};
