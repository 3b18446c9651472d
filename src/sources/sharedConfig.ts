import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CredentialSourceError } from "../base/errors.js";
import { quoteRemoteText } from "../base/logging.js";
import type { Environment, Settings } from "../base/settings.js";
import { isIsolated, isolatedSdkConfig } from "../wire/sdkConfig.js";
import type { Source } from "./source.js";

// Profiles, SSO and `credential_process` from ~/.aws, through the SDK's own `fromIni`, for local development. The
// files are located from the provider's environment as the SDK locates them; `AWS_PROFILE` picks the profile. With an
// `env` option, the home folder comes from it alone, and a role profile's STS client takes every setting from it.

/** The SDK's home folder: `HOME`, `USERPROFILE`, `HOMEDRIVE` + `HOMEPATH`, else the OS's (not with an `env` option). */
const homeOf = (env: Environment): string | undefined =>
  env.HOME?.trim() ||
  env.USERPROFILE?.trim() ||
  (env.HOMEPATH ? `${env.HOMEDRIVE ?? "C:\\"}${env.HOMEPATH}` : isIsolated(env) ? undefined : homedir());

/** A file named by a variable, `~/` expanded as the SDK expands it, or the default under the home folder. */
const fileOf = (named: string | undefined, home: string | undefined, name: string): string | undefined => {
  const file = named?.trim();
  if (file) return file.startsWith("~/") && home ? join(home, file.slice(2)) : file;
  return home === undefined ? undefined : join(home, ".aws", name);
};

export const sharedConfigSource = ({ env }: Settings): Source => ({
  name: "sharedConfig",
  async detect() {
    const home = homeOf(env);
    const filepath = fileOf(env.AWS_SHARED_CREDENTIALS_FILE, home, "credentials");
    const configFilepath = fileOf(env.AWS_CONFIG_FILE, home, "config");
    if (filepath === undefined || configFilepath === undefined) {
      return {
        configured: false,
        reason: "the given environment sets no HOME (nor AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE)",
      };
    }
    const files = [filepath, configFilepath].filter((file) => existsSync(file));
    if (files.length === 0) return { configured: false, reason: `neither ${filepath} nor ${configFilepath} exists` };
    const profile = env.AWS_PROFILE?.trim() || "default";
    return {
      configured: true,
      configuredBy: `profile ${profile} in ${files.join(" and ")}`,
      resolve: async (context) => {
        try {
          const { fromIni } = await import("@aws-sdk/credential-provider-ini");
          const caller = context.identityProperties?.callerClientConfig;
          const warnRegion = (message: string) => context.logger.warn(message);
          // A role profile's STS client: the profile's region first, then the fallbacks, as the SDK orders them.
          const isolated = isIsolated(env) ? await isolatedSdkConfig(env, { caller, warnRegion }) : undefined;
          const credentials = await fromIni({
            profile,
            filepath,
            configFilepath,
            ...(isolated && {
              clientConfig: { ...isolated.clientConfig, region: undefined },
              clientPlugins: isolated.clientPlugins,
              parentClientConfig: { ...caller, region: isolated.clientConfig.region },
            }),
          })(context.identityProperties as never);
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
