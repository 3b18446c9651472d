import type { Logger } from "@smithy/types";
import type { Environment, SourceName } from "./settings.js";

/**
 * Options of {@link fromPodProviderChain}: the chain's own and those of every source. Options win over the
 * environment variables named in their docs; the environment is read once, when the provider is created.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain } from "pod-credentials";
 * const credentials = fromPodProviderChain({ sources: ["podIdentity", "webIdentity"], startupTimeoutMs: 30_000 });
 * ```
 */
export interface PodProviderChainOptions {
  /**
   * Which sources run, in order; `env` and `sharedConfig` (local development) run only when named. Env:
   * `POD_CREDENTIALS_SOURCES`, comma-separated.
   * @default ["webIdentity", "podIdentity", "kube2iam", "instanceProfile"]
   */
  sources?: readonly SourceName[] | undefined;
  /**
   * Accept the node's instance-profile role as the last source. Every pod on the node shares it, so only `true` allows
   * it, and each resolution then logs a warning. Env: `POD_CREDENTIALS_ALLOW_NODE` (`true` or `false`).
   * @default false
   */
  allowNodeCredentials?: boolean | undefined;
  /**
   * Where log lines go (a `@smithy/types` `Logger`); `noopLogger` silences the library.
   * @default a console logger from info up (`POD_CREDENTIALS_LOG_LEVEL` sets its level)
   */
  logger?: Logger | undefined;
  /**
   * The environment to read instead of `process.env`, for tests. When it is given, the library is isolated from the
   * process: every setting, the library's and those the AWS SDK pieces it calls would read themselves, comes from it.
   * For the STS client of IRSA (and of a role profile in `sharedConfig`) that is the region (the `region` option, the
   * calling client's, `AWS_REGION`, else us-east-1 with a warning through `logger`), `AWS_ENDPOINT_URL_STS`,
   * `AWS_ENDPOINT_URL`, `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`,
   * `AWS_RETRY_MODE`, `AWS_SDK_UA_APP_ID`, `AWS_EXECUTION_ENV` and the Lambda trace variables; no profile and no
   * `~/.aws` file is read for them, and `sharedConfig` finds its files from this environment's `HOME` alone. Without
   * it, the SDK resolves its own settings from `process.env` and `~/.aws`, as it always does.
   * @default process.env
   */
  env?: Environment | undefined;
  /**
   * The total deadline of each request to a metadata endpoint or agent, in ms. Env: `POD_CREDENTIALS_TIMEOUT_MS`.
   * @default 1000
   */
  timeoutMs?: number | undefined;
  /**
   * How long after the first call "not yet" answers are retried, with backoff: a new pod may not be known yet to the
   * Pod Identity agent (429, 5xx) or to kube2iam/kiam. Env: `POD_CREDENTIALS_STARTUP_TIMEOUT_MS`.
   * @default 10000
   */
  startupTimeoutMs?: number | undefined;
  /**
   * The deadline of one whole resolution, retries included, in ms (at least `timeoutMs`): past it the call fails and
   * requests in flight are aborted. Env: `POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS`.
   * @default startupTimeoutMs + 5000
   */
  resolutionTimeoutMs?: number | undefined;
  /**
   * IRSA: the projected service-account token file, re-read at every refresh (kubelet rotates it).
   * @default process.env.AWS_WEB_IDENTITY_TOKEN_FILE
   */
  webIdentityTokenFile?: string | undefined;
  /**
   * IRSA: the role to assume with the token.
   * @default process.env.AWS_ROLE_ARN
   */
  roleArn?: string | undefined;
  /**
   * IRSA: the session name STS records in CloudTrail.
   * @default process.env.AWS_ROLE_SESSION_NAME, else `pod-credentials-<hostname>` (the pod's name)
   */
  roleSessionName?: string | undefined;
  /**
   * IRSA: the session length to ask of STS (`DurationSeconds`), 900 to 43200 seconds; STS refuses more than the role's
   * maximum session duration (`ValidationError`). Env: `POD_CREDENTIALS_DURATION_SECONDS`.
   * @default STS's default, 3600
   */
  durationSeconds?: number | undefined;
  /**
   * The region of the STS endpoint: IRSA's, and that of the chain's own STS calls (`verifyIdentity`, `assumeRole`).
   * @default the calling client's region, else process.env.AWS_REGION (then the SDK's own default)
   */
  region?: string | undefined;
  /**
   * Pod Identity: the credentials endpoint; EKS sets `http://169.254.170.23/v1/credentials`.
   * @default process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI
   */
  containerCredentialsFullUri?: string | undefined;
  /**
   * A path on `http://169.254.170.2` (ECS); wins over the full URI, as in the SDK.
   * @default process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
   */
  containerCredentialsRelativeUri?: string | undefined;
  /**
   * Pod Identity: the file holding the authorization token, re-read at every request (EKS rotates it).
   * @default process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
   */
  containerAuthorizationTokenFile?: string | undefined;
  /**
   * Pod Identity: the authorization token itself, when there is no file.
   * @default process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN
   */
  containerAuthorizationToken?: string | undefined;
  /**
   * kube2iam/kiam: the role the pod declares (`orders-reader`, `path/name` or an ARN). The proxy must offer exactly
   * this role; any other is treated as the node's and refused. With `verifyIdentity`, the credentials of any source
   * must belong to it too (`POD_CREDENTIALS_EXPECTED_ROLE` declares a role for verification alone, without
   * configuring kube2iam).
   * @default process.env.POD_CREDENTIALS_ROLE, else the `iam.amazonaws.com/role` annotation in `annotationsFile`
   */
  expectedRole?: string | undefined;
  /**
   * kube2iam/kiam: the downward-API file holding the pod's annotations.
   * @default process.env.POD_CREDENTIALS_ANNOTATIONS_FILE, else `/etc/podinfo/annotations`
   */
  annotationsFile?: string | undefined;
  /**
   * The metadata endpoint of kube2iam, kiam and the node's instance profile.
   * @default process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT, else by AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE, else `http://169.254.169.254`
   */
  metadataEndpoint?: string | undefined;
  /**
   * Checks each new set of credentials with one signed STS `GetCallerIdentity` before using them: they must belong to
   * the role the pod declares (IRSA: `AWS_ROLE_ARN`; kube2iam/kiam: the declared role; the node: the role IMDS lists;
   * any source: `expectedRole` and `POD_CREDENTIALS_EXPECTED_ROLE`), and never to the node's instance-profile role
   * unless they come from the `instanceProfile` source. With nothing declared (Pod Identity without
   * `POD_CREDENTIALS_EXPECTED_ROLE`), only the second check applies, and the role STS names is reported. Only `true`
   * turns it on. Env: `POD_CREDENTIALS_VERIFY_IDENTITY` (`true` or `false`).
   * @default false
   */
  verifyIdentity?: boolean | undefined;
  /**
   * Role chaining: assume this role with the credentials of the source that answered, through STS `AssumeRole`
   * (signed). The chained credentials are cached and refreshed on their own; errors name the hop that failed. Env:
   * `POD_CREDENTIALS_ASSUME_ROLE_ARN`, `_EXTERNAL_ID`, `_DURATION_SECONDS`, `_SESSION_NAME` (an option's field wins
   * over its variable). See docs/role-chaining.md.
   * @default undefined (no chaining)
   */
  assumeRole?: AssumeRoleOptions | undefined;
  /**
   * Refresh this long before expiry, but never before half the lifetime (short-lived credentials are not refreshed at
   * every call). From 0 to 12 hours.
   * @default 300000
   */
  refreshBeforeMs?: number | undefined;
  /**
   * The share of the refresh window over which the refresh time is spread at random, so that pods started together
   * do not call STS in the same second. From 0.2 to 1.
   * @default 0.5
   */
  refreshJitter?: number | undefined;
  /**
   * While refreshes fail, cached credentials are served until this long before expiry; then calls wait and get the
   * refresh's error. Less than `refreshBeforeMs`.
   * @default 60000
   */
  expiryMarginMs?: number | undefined;
  /**
   * After a failure, calls within this backoff get the same error at once, with no network traffic; it doubles with
   * each consecutive failure. From 1 ms to 1 minute.
   * @default 1000
   */
  failureBackoffMs?: number | undefined;
  /**
   * The longest failure backoff, from `failureBackoffMs` to 10 minutes.
   * @default 30000
   */
  maxFailureBackoffMs?: number | undefined;
  /**
   * Receives an event per resolution, refresh, failure, stale serving and expiry (no secrets); its exceptions are
   * logged at warn and otherwise ignored.
   * @default undefined
   */
  onEvent?: ((event: CredentialEvent) => void) | undefined;
}

/**
 * Role chaining: the role to assume with the source's credentials, and STS `AssumeRole`'s parameters. Every pod
 * source hands out role-session credentials, so STS treats this as role chaining and caps the session at one hour.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain } from "pod-credentials";
 * const credentials = fromPodProviderChain({
 *   assumeRole: { roleArn: "arn:aws:iam::210987654321:role/reports-writer", externalId: "orders-7f3a" },
 * });
 * ```
 */
export interface AssumeRoleOptions {
  /**
   * The role to assume, a full role ARN. Env: `POD_CREDENTIALS_ASSUME_ROLE_ARN`.
   * @default process.env.POD_CREDENTIALS_ASSUME_ROLE_ARN
   */
  roleArn?: string | undefined;
  /**
   * `ExternalId`, when the role's trust policy requires one (`sts:ExternalId`). Env:
   * `POD_CREDENTIALS_ASSUME_ROLE_EXTERNAL_ID`.
   * @default process.env.POD_CREDENTIALS_ASSUME_ROLE_EXTERNAL_ID
   */
  externalId?: string | undefined;
  /**
   * The session length, 900 to 3600 seconds: STS refuses more for role chaining, so more is refused when the provider
   * is created. Env: `POD_CREDENTIALS_ASSUME_ROLE_DURATION_SECONDS`.
   * @default STS's default, 3600
   */
  durationSeconds?: number | undefined;
  /**
   * A session policy (JSON text, at most 2048 characters) that narrows the role's permissions for this session.
   * @default undefined
   */
  policy?: string | undefined;
  /**
   * Session tags, key to value (at most 50).
   * @default undefined
   */
  tags?: Readonly<Record<string, string>> | undefined;
  /**
   * Keys of `tags` that pass on to sessions assumed from this one.
   * @default undefined
   */
  transitiveTagKeys?: readonly string[] | undefined;
  /**
   * `SourceIdentity`, recorded in CloudTrail for this session and any chained from it.
   * @default undefined
   */
  sourceIdentity?: string | undefined;
  /**
   * The session name CloudTrail records. Env: `POD_CREDENTIALS_ASSUME_ROLE_SESSION_NAME`.
   * @default `pod-credentials-<hostname>` (the pod's name)
   */
  roleSessionName?: string | undefined;
}

/**
 * Options every provider of this package accepts: logging, environment, deadlines, caching and events.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain, noopLogger } from "pod-credentials";
 * const credentials = fromPodProviderChain({ logger: noopLogger, timeoutMs: 2000, env: { POD_CREDENTIALS_ROLE: "orders" } });
 * ```
 */
export type CommonOptions = Pick<
  PodProviderChainOptions,
  | "logger"
  | "env"
  | "timeoutMs"
  | "resolutionTimeoutMs"
  | "refreshBeforeMs"
  | "refreshJitter"
  | "expiryMarginMs"
  | "failureBackoffMs"
  | "maxFailureBackoffMs"
  | "onEvent"
  | "verifyIdentity"
  | "assumeRole"
>;

/**
 * Options of {@link fromWebIdentity} (IRSA).
 *
 * @example
 * ```ts
 * import { fromWebIdentity } from "pod-credentials";
 * const credentials = fromWebIdentity({ roleArn: "arn:aws:iam::123456789012:role/orders", roleSessionName: "orders-api" });
 * ```
 */
export type WebIdentityOptions = CommonOptions &
  Pick<PodProviderChainOptions, "webIdentityTokenFile" | "roleArn" | "roleSessionName" | "durationSeconds" | "region">;

/**
 * Options of {@link fromPodIdentityAgent} (the EKS Pod Identity agent, or any container-credentials endpoint).
 *
 * @example
 * ```ts
 * import { fromPodIdentityAgent } from "pod-credentials";
 * const credentials = fromPodIdentityAgent({
 *   containerCredentialsFullUri: "http://169.254.170.23/v1/credentials",
 *   containerAuthorizationTokenFile: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
 * });
 * ```
 */
export type PodIdentityAgentOptions = CommonOptions &
  Pick<
    PodProviderChainOptions,
    | "containerCredentialsFullUri"
    | "containerCredentialsRelativeUri"
    | "containerAuthorizationTokenFile"
    | "containerAuthorizationToken"
    | "startupTimeoutMs"
  >;

/**
 * Options of {@link fromKube2iam} (kube2iam and kiam metadata proxies).
 *
 * @example
 * ```ts
 * import { fromKube2iam } from "pod-credentials";
 * const credentials = fromKube2iam({ annotationsFile: "/etc/podinfo/annotations", startupTimeoutMs: 30_000 });
 * ```
 */
export type Kube2iamOptions = CommonOptions &
  Pick<PodProviderChainOptions, "expectedRole" | "annotationsFile" | "metadataEndpoint" | "startupTimeoutMs">;

/**
 * Options of {@link fromNodeInstanceProfile}: the node's own role, from the EC2 instance metadata service.
 *
 * @example
 * ```ts
 * import { fromNodeInstanceProfile } from "pod-credentials";
 * const credentials = fromNodeInstanceProfile({ metadataEndpoint: "http://[fd00:ec2::254]" });
 * ```
 */
export type NodeInstanceProfileOptions = CommonOptions & Pick<PodProviderChainOptions, "metadataEndpoint">;

/**
 * A source the chain did not use, and why (for example `"AWS_WEB_IDENTITY_TOKEN_FILE is not set"`). Reasons name
 * environment variables and files, never their secret contents.
 */
export interface SkippedSource {
  /** The source that was skipped. */
  readonly source: SourceName;
  /** Why, in words an operator understands. */
  readonly reason: string;
}

/** What a provider's last successful resolution found, without secrets: returned by `describe()`. */
export interface PodCredentialsDescription {
  /** The source the credentials came from. */
  readonly source: SourceName;
  /** What configured that source, by variable and file names (never values). */
  readonly configuredBy: string;
  /** The role's ARN, when known (IRSA always; kube2iam when the declared role is an ARN). */
  readonly roleArn?: string | undefined;
  /** The role's name, when known. */
  readonly roleName?: string | undefined;
  /** The AWS account, when known. */
  readonly accountId?: string | undefined;
  /** When the credentials expire; absent for static keys. */
  readonly expiration?: Date | undefined;
  /** When the credentials were fetched. */
  readonly resolvedAt: Date;
  /** The sources tried before this one, each with why it was skipped. */
  readonly skipped: readonly SkippedSource[];
  /** When the provider plans to refresh the credentials (a call after it starts the refresh); absent for static keys. */
  readonly nextRefreshAt?: Date | undefined;
  /** How many times the credentials were refreshed since the first resolution. */
  readonly refreshCount: number;
  /** With `verifyIdentity`: what STS said of the source's credentials, and the declared roles it matched. */
  readonly verification?: IdentityVerification | undefined;
  /**
   * With `assumeRole`: the source's credentials (hop 1), then the role assumed with them (hop 2). The fields above
   * describe the credentials returned, those of the last hop; `source` and `configuredBy` those of hop 1.
   */
  readonly hops?: readonly CredentialHop[] | undefined;
}

/**
 * What identity verification (`verifyIdentity`) found: whom STS `GetCallerIdentity` says the source's credentials
 * belong to, and the declared roles that identity matched.
 */
export interface IdentityVerification {
  /** The ARN STS answered, such as `arn:aws:sts::123456789012:assumed-role/orders-reader/<session>`. */
  readonly callerArn: string;
  /** The account STS answered. */
  readonly accountId: string;
  /**
   * The declared roles it matched, each with where it was declared (`AWS_ROLE_ARN`, `POD_CREDENTIALS_EXPECTED_ROLE`);
   * empty when nothing was declared, and then only "not the node's role" was checked.
   */
  readonly declaredRoles: readonly {
    /** The role as declared: a name, `path/name` or ARN. */
    readonly role: string;
    /** Where it was declared, by option or variable name (`AWS_ROLE_ARN`, `POD_CREDENTIALS_EXPECTED_ROLE`). */
    readonly from: string;
  }[];
  /** When STS answered. */
  readonly verifiedAt: Date;
}

/**
 * One hop of role chaining (`assumeRole`), as `describe()` shows it: hop 1 is the source's credentials, hop 2 the
 * role assumed with them.
 */
export interface CredentialHop {
  /** 1 for the source, 2 for the assumed role. */
  readonly hop: 1 | 2;
  /** The source for hop 1; `assumeRole` for hop 2. */
  readonly via: SourceName | "assumeRole";
  /** What configured this hop, by option or variable name: the source's, or `POD_CREDENTIALS_ASSUME_ROLE_ARN`. */
  readonly configuredBy: string;
  /** The role's ARN, when known (hop 2: always). */
  readonly roleArn?: string | undefined;
  /** The role's name, when known. */
  readonly roleName?: string | undefined;
  /** The account, when known. */
  readonly accountId?: string | undefined;
  /** When this hop's credentials expire. */
  readonly expiration?: Date | undefined;
  /** Hop 2: the assumed-role session STS answered with (`arn:aws:sts::…:assumed-role/<role>/<session>`). */
  readonly assumedRoleArn?: string | undefined;
}

/** What every {@link CredentialEvent} says about the credentials it concerns; never a secret. */
export interface CredentialEventBase {
  /** When the event happened. */
  readonly at: Date;
  /** The source the credentials come from (for `refreshFailed` before any success: the source tried, if known). */
  readonly source: SourceName | undefined;
  /** The role's ARN, when known. */
  readonly roleArn?: string | undefined;
  /** The role's name, when known. */
  readonly roleName?: string | undefined;
  /** The AWS account, when known. */
  readonly accountId?: string | undefined;
  /** The expiration of the credentials concerned (the new ones for `resolved`/`refreshed`, the cached ones otherwise). */
  readonly expiration?: Date | undefined;
  /** With `verifyIdentity`: the verification of the credentials concerned (absent on a failure before any success). */
  readonly verification?: IdentityVerification | undefined;
  /**
   * For `resolved`, `refreshed` and `refreshFailed`: how long the resolution took, in ms (on the monotonic clock, so
   * a step of the wall clock does not distort it).
   */
  readonly durationMs?: number | undefined;
}

/**
 * Events a provider emits through its `onEvent` option, so that services can export metrics. None carries a secret.
 *
 * - `resolved`: the first credentials were obtained.
 * - `refreshed`: credentials were refreshed (`refreshCount` counts them).
 * - `refreshFailed`: a resolution or refresh failed; `servingCached` says whether cached credentials are still
 *   served, `retryAt` when the next attempt may start.
 * - `servedStale`: cached credentials were served after a refresh failed (once per failure).
 * - `expired`: cached credentials reached the end of their usable time with no replacement; calls now wait.
 */
export type CredentialEvent =
  | (CredentialEventBase & {
      /** Which of `resolved`, `servedStale` and `expired` happened. */
      readonly type: "resolved" | "servedStale" | "expired";
    })
  | (CredentialEventBase & {
      /** Credentials were refreshed. */
      readonly type: "refreshed";
      /** How many refreshes succeeded since the first resolution, this one included. */
      readonly refreshCount: number;
    })
  | (CredentialEventBase & {
      /** A resolution or refresh failed. */
      readonly type: "refreshFailed";
      /** The error, already free of secrets. */
      readonly error: {
        /** The error class, e.g. `CredentialSourceError`. */
        readonly name: string;
        /** The message, with its fix. */
        readonly message: string;
      };
      /** Whether cached credentials are still served while the refresh is retried. */
      readonly servingCached: boolean;
      /** No new attempt starts before this time. */
      readonly retryAt: Date;
      /** How many loads failed in a row, this one included. */
      readonly consecutiveFailures: number;
    });
