import type { SkippedSource } from "../base/options.js";
import type { SourceName as CredentialSource } from "../base/settings.js";

/** The version of the {@link DoctorReport} JSON schema. It changes only when a field is removed or changes meaning. */
export const DOCTOR_SCHEMA_VERSION = 1;

/**
 * The doctor's overall finding, which decides its exit code.
 *
 * - `podCredentials`: `fromPodProviderChain()` resolves credentials that are not the node's (exit 0).
 * - `nodeCredentialsOnly`: the chain uses or refuses the node's instance-profile role, or it finds nothing
 *   pod-scoped while the metadata endpoint offers the node's role (exit 2).
 * - `notConfigured`: nothing pod-scoped is configured and no node role is on offer either (exit 2).
 * - `failed`: the configuration is invalid, a configured source is broken, or `--verify` failed (exit 2).
 */
export type DoctorVerdict = "podCredentials" | "nodeCredentialsOnly" | "notConfigured" | "failed";

/** The doctor's exit codes: 0 pod-scoped credentials; 1 a usage error; 2 anything else (see {@link DoctorVerdict}). */
export type DoctorExitCode = 0 | 1 | 2;

/**
 * What `pod-credentials doctor --json` prints: one JSON object, schema version 1. Never holds a secret access key, a
 * session token, a web-identity or pod-identity token; access key ids show their last four characters only.
 * Fields that do not apply are `null`, never missing. Documented field by field in `docs/doctor.md`.
 */
export interface DoctorReport {
  /** Always `1` for this shape. */
  readonly schemaVersion: typeof DOCTOR_SCHEMA_VERSION;
  /** The program that wrote the report. */
  readonly tool: {
    /** `"pod-credentials"`. */
    readonly name: "pod-credentials";
    /** The package version. */
    readonly version: string;
  };
  /** When the report was made (ISO 8601, UTC). */
  readonly generatedAt: string;
  /** How long the whole examination took, waiting included, in milliseconds. */
  readonly durationMs: number;
  /** The overall finding. */
  readonly verdict: DoctorVerdict;
  /** The exit code the command ends with: 0 or 2. */
  readonly exitCode: 0 | 2;
  /** One sentence stating the finding. */
  readonly summary: string;
  /** The AWS and `POD_CREDENTIALS_*` variables that are set, by name; values only where they are not secrets. */
  readonly environment: readonly EnvironmentVariableReport[];
  /** The chain's configuration as `fromPodProviderChain()` reads it from this environment. */
  readonly configuration: ConfigurationReport;
  /** What answers at the metadata endpoint: the real EC2 IMDS, kube2iam, kiam, another proxy, or nothing. */
  readonly metadataEndpoint: MetadataEndpointReport;
  /** The token and annotations files the configuration names, with what they contain (never a token). */
  readonly files: readonly FileReport[];
  /** Every source examined on its own, in the chain's order, then the others. */
  readonly sources: readonly SourceReport[];
  /** What `fromPodProviderChain()` does with this environment. */
  readonly chain: ChainReport;
  /** The result of STS `GetCallerIdentity` with the chain's credentials; `null` without `--verify`. */
  readonly verification: VerificationReport | null;
  /** How `--wait` went; `null` without `--wait`. */
  readonly wait: WaitReport | null;
}

/** One environment variable the doctor looked at. */
export interface EnvironmentVariableReport {
  /** The variable's name. */
  readonly name: string;
  /**
   * Its value when it is not a secret (a URL without user, password or query; a path; a role ARN); `"…ABCD"` for
   * `AWS_ACCESS_KEY_ID`; `null` for a secret (secret keys, session tokens, authorization tokens) or an unknown variable.
   */
  readonly value: string | null;
}

/** An error as the report shows it: name, message, and the parts an operator acts on. */
export interface ErrorReport {
  /** The error class, such as `CredentialSourceError`. */
  readonly name: string;
  /** The full message, ending with `Fix: …` for this package's errors. */
  readonly message: string;
  /** The source the error is about, when it names one. */
  readonly source: CredentialSource | null;
  /** What to change, when the error says. */
  readonly fix: string | null;
  /** The HTTP status behind the error, when there was an answer. */
  readonly status: number | null;
}

/** The chain's configuration, read from the environment as `fromPodProviderChain()` reads it. */
export interface ConfigurationReport {
  /** The sources the chain tries, in order; `null` when the configuration is invalid. */
  readonly sources: readonly CredentialSource[] | null;
  /** Whether the chain accepts the node's instance-profile role; `null` when the configuration is invalid. */
  readonly allowNodeCredentials: boolean | null;
  /** The region used for STS (the IRSA exchange and `--verify`). */
  readonly region: string;
  /** Where the region came from: `--region`, `AWS_REGION` or `the default`. */
  readonly regionFrom: string;
  /** Warnings the chain logs when it is created (ignored static keys, unknown `POD_CREDENTIALS_*` variables). */
  readonly warnings: readonly string[];
  /** The `InvalidConfigurationError` the chain throws when it is created, if any. */
  readonly error: ErrorReport | null;
}

/**
 * What answers at the metadata endpoint.
 *
 * - `ec2Imds`: the real EC2 instance metadata service (it rejected a deliberately invalid IMDSv2 token with 401).
 * - `kube2iam`: a proxy that accepts the invalid token and answers kube2iam's `/healthz` with `hostIP` and `instanceId`.
 * - `kiam`: a proxy that accepts the invalid token and answers kiam's `/ping` with `pong`.
 * - `metadataProxy`: a proxy that accepts the invalid token but is neither (another proxy, or a fake).
 * - `unreachable`: nothing gave a usable answer (connection refused, timeout).
 * - `invalid`: the endpoint setting itself is invalid.
 */
export type MetadataEndpointKind = "ec2Imds" | "kube2iam" | "kiam" | "metadataProxy" | "unreachable" | "invalid";

/**
 * How the role listing (`GET /latest/meta-data/iam/security-credentials/` with an invalid IMDSv2 token) was answered.
 *
 * - `realImds`: 401, the real IMDS. `role`: a role is listed. `noRole`: the proxy holds no role for this pod.
 * - `podNotYetKnown`: the proxy has not seen the pod yet. `refused`: another error status. `noAnswer`: no answer.
 */
export type ListingAnswer = "realImds" | "role" | "noRole" | "podNotYetKnown" | "refused" | "noAnswer";

/** The probe of the metadata endpoint (three requests, in parallel: the role listing, `/healthz`, `/ping`). */
export interface MetadataEndpointReport {
  /** The endpoint's base URL; `null` when the setting is invalid. */
  readonly url: string | null;
  /** What set it: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` or `the default endpoint`. */
  readonly from: string | null;
  /** What answers there. */
  readonly kind: MetadataEndpointKind;
  /** `kind` in words: `"real EC2 IMDS"`, `"kube2iam"`, `"kiam"`, `"an unidentified metadata proxy"`, `"nothing"`. */
  readonly description: string;
  /** How the role listing was answered. */
  readonly listing: {
    /** The HTTP status, `null` without an answer. */
    readonly status: number | null;
    /** The answer's meaning. */
    readonly answer: ListingAnswer;
    /** The role listed, for `answer` `role`. */
    readonly role: string | null;
    /** The proxy's message, or the reason there was no answer. */
    readonly message: string | null;
  };
  /** kube2iam's `/healthz` answer, when it gave one. */
  readonly kube2iamHealth: {
    /** The node's IP as kube2iam reports it. */
    readonly hostIP: string | null;
    /** The node's instance id as kube2iam reports it. */
    readonly instanceId: string | null;
  } | null;
  /** Whether `/ping` answered `pong` (kiam). */
  readonly kiamPing: boolean;
  /**
   * The role this endpoint hands out to this pod: the role listed by a proxy, or the node's role behind the real IMDS
   * (from the `instanceProfile` examination). `null` when unknown.
   */
  readonly offeredRole: string | null;
  /** Why the endpoint could not be probed (an invalid setting, or no answer at all). */
  readonly error: string | null;
  /** How long the probe took, in milliseconds. */
  readonly elapsedMs: number;
}

/** A file the configuration names. */
export interface FileReport {
  /** What the file is for. */
  readonly purpose: "webIdentityToken" | "podIdentityToken" | "annotations";
  /** The path. */
  readonly path: string;
  /** The variable that named it, or `the default annotations file`. */
  readonly from: string;
  /** Whether the path exists. */
  readonly exists: boolean;
  /** Its size in bytes, when it exists. */
  readonly bytes: number | null;
  /** When it was last written (ISO 8601), when it exists: kubelet rewrites projected tokens as they rotate. */
  readonly modifiedAt: string | null;
  /** For a token file holding a JWT: its claims that matter for trust policies (never the token itself). */
  readonly token: TokenClaimsReport | null;
  /** For the annotations file: the `iam.amazonaws.com/role` annotation, when present. */
  readonly declaredRole: string | null;
  /** What is wrong with the file, if something is (unreadable, not a JWT, malformed annotations). */
  readonly problem: string | null;
}

/** Claims of a service-account token (a JWT), decoded without verifying its signature. */
export interface TokenClaimsReport {
  /** `iss`: the cluster's OIDC issuer. */
  readonly issuer: string | null;
  /** `sub`: `system:serviceaccount:<namespace>:<name>`. */
  readonly subject: string | null;
  /** `aud`: IRSA needs `sts.amazonaws.com`, Pod Identity `pods.eks.amazonaws.com`. */
  readonly audience: readonly string[];
  /** `exp` as ISO 8601. */
  readonly expiresAt: string | null;
  /** Whether `exp` has passed. */
  readonly expired: boolean;
}

/** Credentials as the report shows them: no secret, the access key id cut to its last four characters. */
export interface CredentialsSummary {
  /** `"…ABCD"`: the last four characters of the access key id. */
  readonly accessKeyId: string;
  /** The role's ARN, when known. */
  readonly roleArn: string | null;
  /** The role's name, when known. */
  readonly roleName: string | null;
  /** The account, when known. */
  readonly accountId: string | null;
  /** When the credentials expire (ISO 8601); `null` for static keys. */
  readonly expiration: string | null;
}

/**
 * One source examined on its own: `detect()`, then `resolve()` when it is configured. Unlike the chain, the doctor
 * examines every source, the node's instance profile included, whatever the chain's order and settings.
 */
export interface SourceReport {
  /** The source. */
  readonly source: CredentialSource;
  /** Its 1-based position in the chain's order; `null` when the chain does not use it. */
  readonly chainPosition: number | null;
  /** `ok`: it gave credentials; `absent`: it is not configured; `failed`: it is configured but broken. */
  readonly status: "ok" | "absent" | "failed";
  /** What configured it, by variable and file names. */
  readonly configuredBy: string | null;
  /** Why it is not configured, for `absent`. */
  readonly reason: string | null;
  /** The credentials it gave, for `ok`. */
  readonly credentials: CredentialsSummary | null;
  /** Its error, for `failed`. */
  readonly error: ErrorReport | null;
  /**
   * Whether its credentials are the node's, shared by every pod on the node: `true` for `instanceProfile`, unless
   * kube2iam, kiam or another proxy intercepts the metadata endpoint (then it gets whatever the proxy hands out).
   */
  readonly nodeCredentials: boolean;
  /** How long the examination took, in milliseconds. */
  readonly elapsedMs: number;
}

/** One line the chain logged while the doctor ran it. */
export interface LogLineReport {
  /** The level it was logged at. */
  readonly level: "debug" | "info" | "warn" | "error";
  /** The line. */
  readonly message: string;
}

/** What `fromPodProviderChain()` did with this environment, run for real with a new provider. */
export interface ChainReport {
  /** `resolved` or `failed`. */
  readonly status: "resolved" | "failed";
  /** The source that answered. */
  readonly source: CredentialSource | null;
  /** What configured that source. */
  readonly configuredBy: string | null;
  /** The credentials, for `resolved`. */
  readonly credentials: CredentialsSummary | null;
  /** The sources skipped before the one that answered, with why. */
  readonly skipped: readonly SkippedSource[];
  /** The chain's error, for `failed`. */
  readonly error: ErrorReport | null;
  /** Every line the chain logged, debug included. */
  readonly log: readonly LogLineReport[];
  /** How long the (last) attempt took, in milliseconds. */
  readonly elapsedMs: number;
}

/** The result of STS `GetCallerIdentity` called with the chain's credentials (`--verify`). */
export interface VerificationReport {
  /** `ok`, `failed`, or `skipped` when the chain gave no credentials. */
  readonly status: "ok" | "failed" | "skipped";
  /** The region the call was signed for. */
  readonly region: string;
  /** The STS endpoint called (`AWS_ENDPOINT_URL_STS`, else the regional endpoint). */
  readonly endpoint: string;
  /** The caller's ARN (`arn:aws:sts::<account>:assumed-role/<role>/<session>`). */
  readonly arn: string | null;
  /** The caller's account. */
  readonly account: string | null;
  /** The caller's user id (`AROA…:<session>`). */
  readonly userId: string | null;
  /** Whether the ARN names the role the chain reported; `null` when either is unknown. */
  readonly matchesChainRole: boolean | null;
  /** The error, for `failed`. */
  readonly error: ErrorReport | null;
  /** How long the call took, in milliseconds. */
  readonly elapsedMs: number;
}

/** How `--wait` went. */
export interface WaitReport {
  /** The `--wait` value, in seconds. */
  readonly seconds: number;
  /** How many times the chain was run (each with a new provider). */
  readonly attempts: number;
  /** How long the waiting took, in milliseconds. */
  readonly waitedMs: number;
  /** Whether the chain resolved within the time. */
  readonly resolved: boolean;
}
