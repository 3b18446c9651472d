import type { PodCredentialsDescription } from "./podCredentialsDescription.js";

/** The role as an operator wants to read it: the ARN when known, else the name. */
export const roleLabel = (description: Pick<PodCredentialsDescription, "roleArn" | "roleName">): string | undefined =>
  description.roleArn ?? description.roleName;

/**
 * The one info line logged when a provider first resolves, and when its source or role changes. No secrets: only
 * the source, role, account, expiration and the skipped sources with their reasons.
 */
export const formatResolution = (
  description: Omit<PodCredentialsDescription, "nextRefreshAt" | "refreshCount">,
): string => {
  const role = roleLabel(description);
  const parts = [`pod-credentials: using ${description.source} credentials`];
  if (role) parts.push(` for role ${role}`);
  if (description.accountId) parts.push(` in account ${description.accountId}`);
  parts.push(description.expiration ? `, expiring ${description.expiration.toISOString()}` : ", with no expiration");
  parts.push(` (configured by ${description.configuredBy})`);
  if (description.skipped.length > 0) {
    parts.push(`; skipped ${description.skipped.map(({ source, reason }) => `${source} (${reason})`).join(", ")}`);
  }
  return parts.join("");
};
