import { DEFAULT_METADATA_ENDPOINT, DEFAULT_METADATA_ENDPOINT_IPV6 } from "../config/defaults.js";
import { ENV } from "../config/environmentVariables.js";
import { type Environment, pickSetting, type SettingValue } from "../config/settingValue.js";
import { InvalidConfigurationError } from "../errors/InvalidConfigurationError.js";

/**
 * The instance metadata endpoint, chosen as the SDK chooses it: the option, else `AWS_EC2_METADATA_SERVICE_ENDPOINT`,
 * else `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` (`IPv4`, `IPv6`), else `http://169.254.169.254`.
 * A trailing slash is dropped so paths can be appended.
 */
export const metadataEndpoint = (option: string | undefined, env: Environment): SettingValue => {
  const explicit = pickSetting("metadataEndpoint", option, env, ENV.metadataEndpoint);
  if (explicit) {
    try {
      const url = new URL(explicit.value);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    } catch {
      throw new InvalidConfigurationError(
        explicit.from,
        "is not an http(s) URL.",
        "set it to the metadata service's base URL, such as http://169.254.169.254.",
      );
    }
    return { value: explicit.value.replace(/\/+$/, ""), from: explicit.from };
  }
  const mode = env[ENV.metadataEndpointMode]?.trim();
  if (mode === undefined || mode === "" || mode.toLowerCase() === "ipv4") {
    return { value: DEFAULT_METADATA_ENDPOINT, from: "the default endpoint" };
  }
  if (mode.toLowerCase() === "ipv6") return { value: DEFAULT_METADATA_ENDPOINT_IPV6, from: ENV.metadataEndpointMode };
  throw new InvalidConfigurationError(ENV.metadataEndpointMode, `unknown mode "${mode}".`, "set it to IPv4 or IPv6.");
};

/** The path of the IAM role listing; the role's credentials are at this path plus the role as listed. */
export const SECURITY_CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/";
/** The IMDSv2 session-token path. */
export const TOKEN_PATH = "/latest/api/token";
/** The header that carries an IMDSv2 session token. */
export const TOKEN_HEADER = "x-aws-ec2-metadata-token";
/** The header that asks for a session token of this many seconds. */
export const TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
