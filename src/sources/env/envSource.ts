import { ENV } from "../../config/environmentVariables.js";
import type { Environment } from "../../config/settingValue.js";
import { CredentialSourceError } from "../../errors/CredentialSourceError.js";
import type { AbsentSource, ConfiguredSource, Source } from "../source.js";

const SESSION_TOKEN = "AWS_SESSION_TOKEN";
const EXPIRATION = "AWS_CREDENTIAL_EXPIRATION";

/**
 * Static keys from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN` and
 * `AWS_CREDENTIAL_EXPIRATION` when set), for local development. Read from the provider's environment, which may be
 * injected; the SDK's `fromEnv` only reads `process.env`.
 */
export const envSource = (env: Environment): Source => ({
  name: "env",
  async detect(): Promise<ConfiguredSource | AbsentSource> {
    const accessKeyId = env[ENV.accessKeyId]?.trim();
    const secretAccessKey = env[ENV.secretAccessKey]?.trim();
    if (!accessKeyId || !secretAccessKey) {
      return { configured: false, reason: `${ENV.accessKeyId} and ${ENV.secretAccessKey} are not both set` };
    }
    const sessionToken = env[SESSION_TOKEN]?.trim() || undefined;
    const expirationText = env[EXPIRATION]?.trim() || undefined;
    const expiration = expirationText === undefined ? undefined : new Date(expirationText);
    if (expiration !== undefined && Number.isNaN(expiration.getTime())) {
      throw new CredentialSourceError(`${EXPIRATION} is not a date.`, {
        source: "env",
        target: EXPIRATION,
        fix: "set it to an ISO 8601 time such as 2026-11-27T21:00:00Z, or unset it.",
      });
    }
    return {
      configured: true,
      via: `${ENV.accessKeyId} and ${ENV.secretAccessKey}`,
      resolve: async () => ({
        credentials: {
          accessKeyId,
          secretAccessKey,
          ...(sessionToken ? { sessionToken } : {}),
          ...(expiration ? { expiration } : {}),
        },
      }),
    };
  },
});
