import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CredentialSourceError } from "../base/errors.js";
import { quoteRemoteText } from "../base/logging.js";
import type { Settings } from "../base/settings.js";
import type { Source } from "./source.js";

// Profiles, SSO and `credential_process` from ~/.aws, through the SDK's own `fromIni`, for local development. The
// files are located from the provider's environment as the SDK locates them; `AWS_PROFILE` picks the profile.
export const sharedConfigSource = ({ env }: Settings): Source => ({
  name: "sharedConfig",
  async detect() {
    const home = env.HOME?.trim() || homedir();
    const filepath = env.AWS_SHARED_CREDENTIALS_FILE?.trim() || join(home, ".aws", "credentials");
    const configFilepath = env.AWS_CONFIG_FILE?.trim() || join(home, ".aws", "config");
    const files = [filepath, configFilepath].filter((file) => existsSync(file));
    if (files.length === 0) return { configured: false, reason: `neither ${filepath} nor ${configFilepath} exists` };
    const profile = env.AWS_PROFILE?.trim() || "default";
    return {
      configured: true,
      configuredBy: `profile ${profile} in ${files.join(" and ")}`,
      resolve: async (context) => {
        try {
          const { fromIni } = await import("@aws-sdk/credential-providers");
          const credentials = await fromIni({ profile, filepath, configFilepath })(context.identityProperties as never);
          return { credentials, accountId: credentials.accountId };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new CredentialSourceError(`Profile ${profile} gave no credentials: ${quoteRemoteText(message)}`, {
            source: "sharedConfig",
            target: files.join(", "),
            fix: `check the profile ${profile} in ${files.join(" and ")} (aws configure list --profile ${profile}).`,
          });
        }
      },
    };
  },
});
