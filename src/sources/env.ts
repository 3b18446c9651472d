import { CredentialSourceError } from "../base/errors.js";
import type { Settings } from "../base/settings.js";
import type { Source } from "./source.js";

const KEY_ID = "AWS_ACCESS_KEY_ID";
const SECRET = "AWS_SECRET_ACCESS_KEY";
const EXPIRATION = "AWS_CREDENTIAL_EXPIRATION";

// Static keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION
// when set), for local development. Read from the provider's environment, which may be injected; the SDK's `fromEnv`
// only reads `process.env`.
export const envSource = ({ env }: Settings): Source => ({
  name: "env",
  async detect() {
    const read = (name: string) => env[name]?.trim() || undefined;
    const accessKeyId = read(KEY_ID);
    const secretAccessKey = read(SECRET);
    if (!accessKeyId || !secretAccessKey)
      return { configured: false, reason: `${KEY_ID} and ${SECRET} are not both set` };
    const sessionToken = read("AWS_SESSION_TOKEN");
    const expirationText = read(EXPIRATION);
    const expiration = expirationText === undefined ? undefined : new Date(expirationText);
    if (expiration !== undefined && Number.isNaN(expiration.getTime())) {
      throw new CredentialSourceError(`${EXPIRATION} is not a date.`, {
        source: "env",
        target: EXPIRATION,
        fix: "set it to an ISO 8601 time such as 2026-11-27T21:00:00Z, or unset it.",
      });
    }
    const credentials = {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken && { sessionToken }),
      ...(expiration && { expiration }),
    };
    return { configured: true, configuredBy: `${KEY_ID} and ${SECRET}`, resolve: async () => ({ credentials }) };
  },
});
