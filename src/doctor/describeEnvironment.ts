import { displayUrl } from "../base/logging.js";
import type { Environment } from "../base/settings.js";
import type { EnvironmentVariableReport } from "./doctorReport.js";
import { lastFour } from "./redaction.js";

/** Variables whose values are plain settings (paths, names, modes): shown as they are. */
const PLAIN = new Set([
  "AWS_ROLE_ARN",
  "AWS_ROLE_SESSION_NAME",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
  "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
  "AWS_EC2_METADATA_V1_DISABLED",
  "AWS_EC2_METADATA_DISABLED",
  "AWS_STS_REGIONAL_ENDPOINTS",
  "AWS_CREDENTIAL_EXPIRATION",
]);

/** Variables holding URLs: shown without user, password, query or fragment. */
const URLS = new Set([
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_EC2_METADATA_SERVICE_ENDPOINT",
  "AWS_ENDPOINT_URL_STS",
  "AWS_ENDPOINT_URL",
]);

const OWN_PREFIX = "POD_CREDENTIALS_";

/** The value the report may show for a variable, or `null` when it may be (or is) a secret. */
const shownValue = (name: string, value: string): string | null => {
  if (name === "AWS_ACCESS_KEY_ID") return lastFour(value);
  if (name.startsWith(OWN_PREFIX) || PLAIN.has(name)) return value;
  if (URLS.has(name)) return displayUrl(value);
  if (name === "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") return value.split(/[?#]/)[0] ?? "";
  return null;
};

/**
 * The AWS and `POD_CREDENTIALS_*` variables set (not blank) in `env`, sorted by name. Values are shown only for
 * variables known to hold no secret; `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN` and any variable the doctor does not know show `null`.
 */
export const describeEnvironment = (env: Environment): EnvironmentVariableReport[] =>
  Object.entries(env)
    .filter((entry): entry is [string, string] => {
      const [name, value] = entry;
      return (name.startsWith("AWS_") || name.startsWith(OWN_PREFIX)) && value !== undefined && value.trim() !== "";
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value: shownValue(name, value.trim()) }));
