import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Environment } from "../../config/settingValue.js";
import { CredentialSourceError } from "../../errors/CredentialSourceError.js";
import { quoteRemoteText } from "../../utils/redact.js";
import type { AbsentSource, ConfiguredSource, ResolutionContext, Source } from "../source.js";

/** The shared credentials and config files, located from the provider's environment as the SDK locates them. */
const configFiles = (env: Environment): [credentials: string, config: string] => {
  const home = env.HOME?.trim() || homedir();
  return [
    env.AWS_SHARED_CREDENTIALS_FILE?.trim() || join(home, ".aws", "credentials"),
    env.AWS_CONFIG_FILE?.trim() || join(home, ".aws", "config"),
  ];
};

/**
 * Profiles, SSO and `credential_process` from `~/.aws`, through the SDK's own `fromIni`, for local development.
 * `AWS_PROFILE` picks the profile, as in the SDK.
 */
export const sharedConfigSource = (env: Environment): Source => ({
  name: "sharedConfig",
  async detect(): Promise<ConfiguredSource | AbsentSource> {
    const [filepath, configFilepath] = configFiles(env);
    const files = [filepath, configFilepath].filter((file) => existsSync(file));
    if (files.length === 0) return { configured: false, reason: `neither ${configFiles(env).join(" nor ")} exists` };
    const profile = env.AWS_PROFILE?.trim() || "default";
    return {
      configured: true,
      via: `profile ${profile} in ${files.join(" and ")}`,
      resolve: async (context: ResolutionContext) => {
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
