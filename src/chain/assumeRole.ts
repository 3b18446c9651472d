// Role chaining (`assumeRole`): the pinned source's credentials (hop 1) sign an STS AssumeRole for the target role
// (hop 2). STS names the session it gave: it must be the target role's. Every error says which hop failed.
import type { AwsCredentialIdentity } from "@smithy/types";
import { CredentialSourceError, InvalidConfigurationError, isPodCredentialsError } from "../base/errors.js";
import { quoteRemoteText } from "../base/logging.js";
import type { CredentialHop } from "../base/options.js";
import type { Settings, SourceName } from "../base/settings.js";
import { monotonicNow, retryWhileRetryable } from "../base/timing.js";
import type { ResolutionContext } from "../sources/source.js";
import { defaultRoleSessionName } from "../sources/webIdentity.js";
import { parseRoleReference, sameRole } from "../wire/kubernetes.js";
import { assumeRole, isStsError, type StsError, type StsTransportFor, stsFailureFix } from "../wire/sts.js";

/** Assumes the target role with hop 1's credentials; `sourceRole` names hop 1's role for the fixes, when known. */
export type Chainer = (
  source: SourceName,
  sourceRole: string | undefined,
  credentials: AwsCredentialIdentity,
  context: ResolutionContext,
) => Promise<{ readonly credentials: AwsCredentialIdentity; readonly hop: CredentialHop }>;

/**
 * The chainer of a provider, or `undefined` without `assumeRole`. A target that is not a role ARN is refused at
 * creation. The parameters are STS's own names; tags go as `Tags.member.N.Key`/`.Value`.
 */
export const roleChainer = (settings: Settings, transport: StsTransportFor): Chainer | undefined => {
  const config = settings.assumeRole;
  if (config === undefined) return undefined;
  const roleArn = config.roleArn.value;
  const target = parseRoleReference(roleArn);
  if (target?.form !== "roleArn") {
    throw new InvalidConfigurationError(
      config.roleArn.from,
      `is not a role ARN ("${quoteRemoteText(roleArn, 100)}").`,
      "set it to a full ARN such as arn:aws:iam::210987654321:role/reports-writer.",
    );
  }
  const parameters: Record<string, string | number | undefined> = {
    RoleArn: roleArn,
    RoleSessionName: config.roleSessionName ?? defaultRoleSessionName(),
    ExternalId: config.externalId,
    DurationSeconds: config.durationSeconds,
    Policy: config.policy,
    SourceIdentity: config.sourceIdentity,
  };
  config.tags.forEach(([key, value], index) => {
    parameters[`Tags.member.${index + 1}.Key`] = key;
    parameters[`Tags.member.${index + 1}.Value`] = value;
  });
  config.transitiveTagKeys.forEach((key, index) => {
    parameters[`TransitiveTagKeys.member.${index + 1}`] = key;
  });
  const hop = `hop 2 (AssumeRole ${roleArn})`;
  return async (source, sourceRole, credentials, context) => {
    const attempt = async () => {
      try {
        return await assumeRole(parameters, credentials, await transport("AssumeRole", context));
      } catch (error) {
        if (!isStsError(error)) throw error;
        throw new CredentialSourceError(`${hop}: ${error.message}`, {
          source,
          target: roleArn,
          status: error.status,
          retryable: error.retryable,
          cause: error,
          fix: fixFor(error, source, sourceRole ?? `the role of the ${source} credentials`, roleArn, config),
        });
      }
    };
    const answer = await retryWhileRetryable(attempt, {
      until: context.deadlineAt ?? monotonicNow(),
      signal: context.signal,
      logger: context.logger,
      onRetry: context.onRetry,
      what: hop,
    });
    if (
      !sameRole(roleArn, answer.assumedRoleArn) ||
      parseRoleReference(answer.assumedRoleArn)?.form !== "assumedRoleArn"
    ) {
      throw new CredentialSourceError(
        `${hop}: STS answered with credentials for ${quoteRemoteText(answer.assumedRoleArn, 200)}, not for that role; they were not used.`,
        {
          source,
          target: roleArn,
          fix: "check what answers at the STS endpoint (AWS_ENDPOINT_URL_STS, proxies): real STS names the role it was asked for.",
        },
      );
    }
    const accountId = answer.accountId ?? target.accountId;
    return {
      credentials: { ...answer.credentials, ...(accountId && { accountId }) },
      hop: {
        hop: 2,
        via: "assumeRole",
        configuredBy: config.roleArn.from,
        roleArn,
        roleName: target.name,
        accountId,
        expiration: answer.credentials.expiration,
        assumedRoleArn: answer.assumedRoleArn,
      },
    };
  };
};

const fixFor = (
  error: StsError,
  source: SourceName,
  sourceRole: string,
  roleArn: string,
  config: NonNullable<Settings["assumeRole"]>,
): string => {
  const transport = stsFailureFix(
    error,
    `STS does not accept the credentials of hop 1 (${source}): ${
      error.code === "ExpiredToken" ? "they had expired when STS checked them" : "whatever issued them is not AWS"
    }; check this node's clock (NTP) and the endpoint that issued them.`,
  );
  if (transport !== undefined) return transport;
  switch (error.code) {
    case "AccessDenied": {
      const needs = [
        config.externalId === undefined ? undefined : "the matching sts:ExternalId condition",
        config.tags.length === 0 ? undefined : "sts:TagSession",
        config.sourceIdentity === undefined ? undefined : "sts:SetSourceIdentity",
      ].filter(Boolean);
      return (
        `the trust policy of ${roleArn} must allow ${sourceRole} to call sts:AssumeRole` +
        `${needs.length === 0 ? "" : ` (with ${needs.join(", ")})`}, and that role's own policy must allow ` +
        `sts:AssumeRole on ${roleArn}.`
      );
    }
    case "ValidationError":
    case "MalformedPolicyDocument":
    case "PackedPolicyTooLarge":
      return "check assumeRole (roleArn, roleSessionName, externalId, durationSeconds, policy, tags): STS's message says what it refuses.";
    default:
      return `check ${roleArn}, its trust policy, and the credentials of hop 1 (${source}).`;
  }
};

/**
 * Marks an error of hop 1 (the source, or the verification of its credentials) as such: `[webIdentity] hop 1: …`.
 * Only this package's errors are marked, once; the message is the only field that changes.
 */
export const inHopOne = (error: unknown): unknown => {
  // The deadline's error is already named by hop, and is the abort reason the source may reject with too.
  if (!isPodCredentialsError(error) || /^(\[\w+\] )?hop \d/.test(error.message)) return error;
  const message = error.message.replace(/^(\[\w+\] )?/, (prefix) => `${prefix}hop 1: `);
  Object.defineProperty(error, "message", { value: message, writable: true, configurable: true });
  return error;
};
