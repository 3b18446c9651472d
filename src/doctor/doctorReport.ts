// The doctor's report: its JSON shape (schema version 1, documented field by field in docs/doctor.md), and how
// errors, credentials and the environment enter it without a secret.
import type { AwsCredentialIdentity } from "@smithy/types";
import { displayUrl } from "../base/logging.js";
import type { SkippedSource } from "../base/options.js";
import {
  type Environment,
  isSourceName,
  OWN_VARIABLE_PREFIX,
  type Shown,
  type SourceName,
  shownAs,
} from "../base/settings.js";
import type { ProxyAnswer } from "../wire/metadata.js";

/** The overall finding; only `podCredentials` exits 0 (see "Verdicts" in docs/doctor.md). */
export type DoctorVerdict = "podCredentials" | "nodeCredentialsOnly" | "notConfigured" | "failed";

/** What `pod-credentials doctor --json` prints: no secret, and `null` (never missing) for what does not apply. */
export interface DoctorReport {
  /** This shape; changes only when a field is removed or changes meaning. */
  readonly schemaVersion: 1;
  /** The tool that made the report. */
  readonly tool: {
    /** Always `"pod-credentials"`. */
    readonly name: "pod-credentials";
    /** The package version. */
    readonly version: string;
  };
  /** When the examination started. */
  readonly generatedAt: string;
  /** How long it took, waiting included. */
  readonly durationMs: number;
  /** The overall finding ("Verdicts" in docs/doctor.md); only `podCredentials` exits 0. */
  readonly verdict: DoctorVerdict;
  /** 1, a usage error, makes no report. */
  readonly exitCode: 0 | 2;
  /** One sentence stating the finding. */
  readonly summary: string;
  /** The `AWS_*` and `POD_CREDENTIALS_*` variables that are set, sorted by name. */
  readonly environment: readonly {
    /** The variable. */
    readonly name: string;
    /**
     * The value for non-secret settings; URLs without user, password, query or fragment; `"…ABCD"` for
     * `AWS_ACCESS_KEY_ID`; `null` for secrets and unknown variables.
     */
    readonly value: string | null;
  }[];
  /** The chain's configuration. */
  readonly configuration: ConfigurationReport;
  /** What answers at the metadata endpoint. */
  readonly metadataEndpoint: MetadataEndpointReport;
  /** The token and annotations files. */
  readonly files: readonly FileReport[];
  /** All six sources, in the chain's order, then the others. */
  readonly sources: readonly SourceReport[];
  /** What `fromPodProviderChain()` did. */
  readonly chain: ChainReport;
  /** STS `GetCallerIdentity` with the chain's credentials; `null` without `--verify`. */
  readonly verification: VerificationReport | null;
  /** How the `--wait` loop went; `null` without `--wait`. */
  readonly wait: WaitReport | null;
}

/** An error by name and message, with the parts an operator acts on. */
export interface ErrorReport {
  /**
   * The error's name: `CredentialSourceError`, `NodeCredentialsRefusedError`, `NoPodCredentialsError`,
   * `InvalidConfigurationError`, `PodCredentialsError`, `VerificationError`, …
   */
  readonly name: string;
  /** The whole message, with `Fix: …`. */
  readonly message: string;
  /** The source the error names. */
  readonly source: SourceName | null;
  /** The `Fix: …` part of the message. */
  readonly fix: string | null;
  /** The HTTP status behind it. */
  readonly status: number | null;
}

/** The chain's configuration, read as `fromPodProviderChain()` reads it; `sources` is `null` when it is invalid. */
export interface ConfigurationReport {
  /** The chain's order; `null` when the configuration is invalid. */
  readonly sources: readonly SourceName[] | null;
  /** Whether the chain accepts the node's role. */
  readonly allowNodeCredentials: boolean | null;
  /** The region for STS calls. */
  readonly region: string;
  /** Where the region came from: `--region`, `AWS_REGION` or `the default`. */
  readonly regionFrom: string;
  /** What the chain logs at warn when it is created. */
  readonly warnings: readonly string[];
  /** The `InvalidConfigurationError`, if any. */
  readonly error: ErrorReport | null;
  /**
   * Whether the chain verifies its credentials with STS `GetCallerIdentity` (`POD_CREDENTIALS_VERIFY_IDENTITY`);
   * `null` when the configuration is invalid. Absent from the reports of versions before it was added.
   */
  readonly verifyIdentity?: boolean | null;
  /**
   * The role the chain assumes with the source's credentials (`POD_CREDENTIALS_ASSUME_ROLE_ARN`); `null` without role
   * chaining or when the configuration is invalid. Absent from the reports of versions before it was added.
   */
  readonly assumeRoleArn?: string | null;
}

/** What answers at the metadata endpoint, from the role listing asked with an invalid token, `/healthz` and `/ping`. */
export interface MetadataEndpointReport {
  /** The endpoint; `null` when its setting is invalid. */
  readonly url: string | null;
  /** Where the URL came from: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, `…_ENDPOINT_MODE` or `the default endpoint`. */
  readonly from: string | null;
  /** What answers. */
  readonly kind: "ec2Imds" | "kube2iam" | "kiam" | "metadataProxy" | "unreachable" | "invalid";
  /**
   * `kind` in words: `real EC2 IMDS`, `kube2iam`, `kiam`, `an unidentified metadata proxy`, `nothing`,
   * `an invalid endpoint setting`.
   */
  readonly description: string;
  /** The role listing asked with an invalid IMDSv2 token: the real IMDS refuses it, a proxy does not. */
  readonly listing: {
    /** The HTTP status of the role listing asked with the invalid token. */
    readonly status: number | null;
    /** What it means. */
    readonly answer: ProxyAnswer["kind"] | "noAnswer";
    /** The role listed. */
    readonly role: string | null;
    /** The proxy's message, or why there was no answer. */
    readonly message: string | null;
  };
  /** Kube2iam's `/healthz` answer (strings or `null`). */
  readonly kube2iamHealth: {
    /** The node's address, as kube2iam reports it. */
    readonly hostIP: string | null;
    /** The node's instance id, as kube2iam reports it. */
    readonly instanceId: string | null;
  } | null;
  /** Whether `/ping` answered `pong`. */
  readonly kiamPing: boolean;
  /** Behind the real IMDS, the node's role (from the `instanceProfile` row). */
  readonly offeredRole: string | null;
  /** Why the endpoint could not be probed. */
  readonly error: string | null;
  /** How long the probe took. */
  readonly elapsedMs: number;
}

/** A token or annotations file the configuration names; a token's claims are decoded, never the token shown. */
export interface FileReport {
  /** What the file is for. */
  readonly purpose: "webIdentityToken" | "podIdentityToken" | "annotations";
  /** The path the configuration names. */
  readonly path: string;
  /** The variable that named it, or `the default annotations file`. */
  readonly from: string;
  /** Whether the file exists. */
  readonly exists: boolean;
  /** Size. */
  readonly bytes: number | null;
  /** Last written (kubelet rewrites projected tokens as they rotate). */
  readonly modifiedAt: string | null;
  /** A JWT's claims: `iss`, `sub`, `aud` (array), `exp` (ISO 8601), whether it has passed; never the token. */
  readonly token: {
    /** The `iss` claim. */
    readonly issuer: string | null;
    /** The `sub` claim. */
    readonly subject: string | null;
    /** The `aud` claim, as an array. */
    readonly audience: readonly string[];
    /** The `exp` claim, as an ISO 8601 string. */
    readonly expiresAt: string | null;
    /** Whether `exp` has passed. */
    readonly expired: boolean;
  } | null;
  /** The `iam.amazonaws.com/role` annotation. */
  readonly declaredRole: string | null;
  /**
   * What is wrong with the file: `does not exist`, `is empty`, `does not hold a JWT`, `has no
   * iam.amazonaws.com/role annotation`, `is malformed at line N: …`.
   */
  readonly problem: string | null;
}

/** Credentials without a secret: the access key id cut to its last four characters. */
export interface CredentialsSummary {
  /** The access key id cut to its last four characters: `"…ABCD"`. */
  readonly accessKeyId: string;
  /** The role ARN, when the source says it. */
  readonly roleArn: string | null;
  /** The role name, when the source says it. */
  readonly roleName: string | null;
  /** The account, when the source says it. */
  readonly accountId: string | null;
  /** When the credentials expire, ISO 8601; `null` for static keys. */
  readonly expiration: string | null;
}

/** One source examined on its own (`detect()`, then `resolve()` when configured), whatever the chain's settings. */
export interface SourceReport {
  /** The source examined. */
  readonly source: SourceName;
  /** 1-based position in the chain; `null` when the chain does not use it. */
  readonly chainPosition: number | null;
  /** Gave credentials / not configured / configured but broken. */
  readonly status: "ok" | "absent" | "failed";
  /** What configured it, by variable and file names. */
  readonly configuredBy: string | null;
  /** Why it is absent. */
  readonly reason: string | null;
  /** For `ok`. */
  readonly credentials: CredentialsSummary | null;
  /** For `failed`. */
  readonly error: ErrorReport | null;
  /** False for `instanceProfile` behind a proxy, which answers in the node's place. */
  readonly nodeCredentials: boolean;
  /** How long the examination took. */
  readonly elapsedMs: number;
}

/** What `fromPodProviderChain()` did with this environment, run for real with a new provider. */
export interface ChainReport {
  /** Whether the chain resolved. */
  readonly status: "resolved" | "failed";
  /** The source that answered. */
  readonly source: SourceName | null;
  /** What configured the source that answered, by variable and file names. */
  readonly configuredBy: string | null;
  /** The credentials the chain resolved, without a secret. */
  readonly credentials: CredentialsSummary | null;
  /** The sources skipped before the one that answered (for `NoPodCredentialsError`, all of them). */
  readonly skipped: readonly SkippedSource[];
  /** The error the chain threw. */
  readonly error: ErrorReport | null;
  /** Every line the chain logged, `debug` included, in order. */
  readonly log: readonly {
    /** The level the chain logged the line at. */
    readonly level: "debug" | "info" | "warn" | "error";
    /** The line. */
    readonly message: string;
  }[];
  /** The (last) attempt's duration. */
  readonly elapsedMs: number;
  /**
   * What identity verification found: whom STS `GetCallerIdentity` says the source's credentials (hop 1's, with role
   * chaining) belong to; `null` when verification is off or the chain failed. Absent from the reports of versions
   * before it was added.
   */
  readonly identityVerification?: ChainVerificationReport | null;
  /**
   * With role chaining, hop 1 (the source's credentials) then hop 2 (the role assumed with them); empty without role
   * chaining or when the chain failed. Absent from the reports of versions before it was added.
   */
  readonly hops?: readonly HopReport[];
}

/** Identity verification (`POD_CREDENTIALS_VERIFY_IDENTITY`) in the chain's run: whose STS says the credentials are. */
export interface ChainVerificationReport {
  /** The ARN STS answered, such as `arn:aws:sts::123456789012:assumed-role/orders-reader/<session>`. */
  readonly callerArn: string;
  /** The account STS answered. */
  readonly accountId: string;
  /**
   * The declared roles the ARN matched, each with where it was declared (`AWS_ROLE_ARN`,
   * `POD_CREDENTIALS_EXPECTED_ROLE`); empty when none was declared (then only "not the node's role" was checked).
   */
  readonly declaredRoles: readonly {
    /** The role as declared: a name, `path/name` or ARN. */
    readonly role: string;
    /** Where it was declared, by variable name. */
    readonly from: string;
  }[];
  /** When STS answered, ISO 8601. */
  readonly verifiedAt: string;
}

/** One hop of role chaining (`POD_CREDENTIALS_ASSUME_ROLE_ARN`), without a secret. */
export interface HopReport {
  /** 1 for the source's credentials, 2 for the role assumed with them. */
  readonly hop: 1 | 2;
  /** The source for hop 1; `assumeRole` for hop 2. */
  readonly via: SourceName | "assumeRole";
  /** What configured the hop, by variable name: the source's, or `POD_CREDENTIALS_ASSUME_ROLE_ARN`. */
  readonly configuredBy: string;
  /** The role's ARN, when known (hop 2: always). */
  readonly roleArn: string | null;
  /** The role's name, when known. */
  readonly roleName: string | null;
  /** The account, when known. */
  readonly accountId: string | null;
  /** When the hop's credentials expire, ISO 8601. */
  readonly expiration: string | null;
  /** Hop 2: the assumed-role session STS answered with (`arn:aws:sts::…:assumed-role/<role>/<session>`). */
  readonly assumedRoleArn: string | null;
}

/** STS `GetCallerIdentity` called with the chain's credentials (`--verify`). */
export interface VerificationReport {
  /** The outcome; `skipped` when the chain gave no credentials. */
  readonly status: "ok" | "failed" | "skipped";
  /** The region the call was signed for. */
  readonly region: string;
  /** The STS URL called: `AWS_ENDPOINT_URL_STS`, else `https://sts.<region>.amazonaws.com`. */
  readonly endpoint: string;
  /** E.g. `arn:aws:sts::123456789012:assumed-role/orders-reader/pod-credentials-orders-7d9f`. */
  readonly arn: string | null;
  /** The account STS reports. */
  readonly account: string | null;
  /** The caller's user id, `AROA…:<session>`. */
  readonly userId: string | null;
  /** Whether the ARN names the role the chain reported (paths aside). */
  readonly matchesChainRole: boolean | null;
  /** Why the call failed. */
  readonly error: ErrorReport | null;
  /** How long the call took. */
  readonly elapsedMs: number;
}

/** How `--wait` went. */
export interface WaitReport {
  /** The `--wait` value. */
  readonly seconds: number;
  /** How many chains were run. */
  readonly attempts: number;
  /** How long the loop waited. */
  readonly waitedMs: number;
  /** Whether the chain resolved in time. */
  readonly resolved: boolean;
}

export const lastFour = (accessKeyId: string): string => `…${accessKeyId.length > 4 ? accessKeyId.slice(-4) : ""}`;

/** A variable's value as the report may show it, by the `shown` rule of its row of the settings table. */
const SHOWN: Readonly<Record<Shown, (value: string) => string | null>> = {
  value: (value) => value,
  lastFour,
  url: displayUrl,
  // A path, not a URL: displayUrl cannot parse it, so only its query and fragment are cut.
  path: (value) => value.split(/[?#]/)[0] ?? "",
  hidden: () => null,
};

/** The AWS and `POD_CREDENTIALS_*` variables set (not blank), sorted by name; a value only where it is no secret. */
export const describeEnvironment = (env: Environment): DoctorReport["environment"] =>
  Object.entries(env)
    .flatMap(([name, value]) =>
      (name.startsWith("AWS_") || name.startsWith(OWN_VARIABLE_PREFIX)) && value?.trim()
        ? [{ name, value: value.trim() }]
        : [],
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, value }) => ({ name, value: SHOWN[shownAs(name)](value) }));

/** A duration as the progress lines and the table show it: `1.5 s`. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The role as an operator reads it: the ARN when known, else the name. */
export const roleOf = (credentials: CredentialsSummary | null | undefined): string | undefined =>
  credentials?.roleArn ?? credentials?.roleName ?? undefined;

export const summarizeCredentials = (
  credentials: AwsCredentialIdentity,
  identity: { roleArn?: string | undefined; roleName?: string | undefined; accountId?: string | undefined } = {},
): CredentialsSummary => ({
  accessKeyId: lastFour(credentials.accessKeyId),
  roleArn: identity.roleArn ?? null,
  roleName: identity.roleName ?? null,
  accountId: identity.accountId ?? credentials.accountId ?? null,
  expiration: credentials.expiration?.toISOString() ?? null,
});

/** The secret parts of credentials, for {@link scrubSecrets}. */
export const secretsOf = (credentials: AwsCredentialIdentity | undefined): string[] =>
  credentials ? [credentials.secretAccessKey, credentials.sessionToken ?? ""].filter((value) => value !== "") : [];

export const errorReport = (error: unknown): ErrorReport => {
  if (!(error instanceof Error))
    return { name: "Error", message: String(error), source: null, fix: null, status: null };
  const { source, fix, status } = error as Error & { source?: unknown; fix?: unknown; status?: unknown };
  return {
    name: error.name,
    message: error.message,
    source: isSourceName(source) ? source : null,
    fix: typeof fix === "string" ? fix : null,
    status: typeof status === "number" ? status : null,
  };
};

/** `Name: message` without the `Fix: …` part: what one line (a summary, a table cell, a progress line) shows. */
export const problemOf = (error: ErrorReport): string => {
  const index = error.message.indexOf(" Fix: ");
  return `${error.name}: ${index === -1 ? error.message : error.message.slice(0, index)}`;
};
