/** Environment variables read by this package, named once. Values are never logged, only names. */
export const ENV = Object.freeze({
  webIdentityTokenFile: "AWS_WEB_IDENTITY_TOKEN_FILE",
  roleArn: "AWS_ROLE_ARN",
  roleSessionName: "AWS_ROLE_SESSION_NAME",
  region: "AWS_REGION",
  stsEndpoint: "AWS_ENDPOINT_URL_STS",
  containerFullUri: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  containerRelativeUri: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  containerTokenFile: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
  containerToken: "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  metadataEndpoint: "AWS_EC2_METADATA_SERVICE_ENDPOINT",
  metadataEndpointMode: "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
  metadataV1Disabled: "AWS_EC2_METADATA_V1_DISABLED",
  metadataDisabled: "AWS_EC2_METADATA_DISABLED",
  accessKeyId: "AWS_ACCESS_KEY_ID",
  secretAccessKey: "AWS_SECRET_ACCESS_KEY",
  sources: "POD_CREDENTIALS_SOURCES",
  allowNode: "POD_CREDENTIALS_ALLOW_NODE",
  role: "POD_CREDENTIALS_ROLE",
  annotationsFile: "POD_CREDENTIALS_ANNOTATIONS_FILE",
  startupTimeoutMs: "POD_CREDENTIALS_STARTUP_TIMEOUT_MS",
  timeoutMs: "POD_CREDENTIALS_TIMEOUT_MS",
  resolutionTimeoutMs: "POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS",
  logLevel: "POD_CREDENTIALS_LOG_LEVEL",
} as const);

/** The prefix of this package's own variables; an unknown one is reported, since it is probably a typo. */
export const OWN_ENV_PREFIX = "POD_CREDENTIALS_";
