// The doctor's report: its JSON shape (schema version 1; docs/doctor.md documents every field), how errors and
// credentials enter it without a secret, and the verdict that decides the exit code.
import type { AwsCredentialIdentity } from "@smithy/types";
import { redactSecrets } from "../base/logging.js";
import type { SkippedSource } from "../base/options.js";
import { isSourceName, type SourceName } from "../base/settings.js";
import type { ProxyAnswer } from "../wire/metadata.js";

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

/**
 * What `pod-credentials doctor --json` prints: one JSON object, schema version 1. Never holds a secret access key, a
 * session token, a web-identity or pod-identity token; access key ids show their last four characters only.
 * Fields that do not apply are `null`, never missing.
 */
export interface DoctorReport {
  readonly schemaVersion: typeof DOCTOR_SCHEMA_VERSION;
  readonly tool: { readonly name: "pod-credentials"; readonly version: string };
  /** When the examination started (ISO 8601, UTC). */
  readonly generatedAt: string;
  /** Milliseconds, waiting included. */
  readonly durationMs: number;
  readonly verdict: DoctorVerdict;
  /** The exit code the command ends with (1, a usage error, makes no report). */
  readonly exitCode: 0 | 2;
  /** One sentence stating the finding. */
  readonly summary: string;
  /** The `AWS_*` and `POD_CREDENTIALS_*` variables that are set, sorted by name. */
  readonly environment: readonly EnvironmentVariableReport[];
  readonly configuration: ConfigurationReport;
  readonly metadataEndpoint: MetadataEndpointReport;
  readonly files: readonly FileReport[];
  /** Every source examined on its own, in the chain's order, then the others. */
  readonly sources: readonly SourceReport[];
  readonly chain: ChainReport;
  /** `null` without `--verify`. */
  readonly verification: VerificationReport | null;
  /** `null` without `--wait`. */
  readonly wait: WaitReport | null;
}

/** An environment variable, by name; its value only where it cannot be a secret. */
export interface EnvironmentVariableReport {
  readonly name: string;
  /** `"…ABCD"` for `AWS_ACCESS_KEY_ID`; `null` for secrets and for variables the doctor does not know. */
  readonly value: string | null;
}

/** An error as the report shows it: name, message, and the parts an operator acts on. */
export interface ErrorReport {
  readonly name: string;
  /** The whole message, `Fix: …` included. */
  readonly message: string;
  readonly source: SourceName | null;
  readonly fix: string | null;
  /** The HTTP status behind the error, when there was an answer. */
  readonly status: number | null;
}

/** The chain's configuration, read from the environment as `fromPodProviderChain()` reads it. */
export interface ConfigurationReport {
  /** The chain's order; `null` when the configuration is invalid. */
  readonly sources: readonly SourceName[] | null;
  readonly allowNodeCredentials: boolean | null;
  /** The region for STS calls (the IRSA exchange and `--verify`). */
  readonly region: string;
  /** `--region`, `AWS_REGION` or `the default`. */
  readonly regionFrom: string;
  /** What the chain logs at warn when it is created. */
  readonly warnings: readonly string[];
  /** The `InvalidConfigurationError`, if any. */
  readonly error: ErrorReport | null;
}

/**
 * What answers at the metadata endpoint: `ec2Imds` rejected a deliberately invalid IMDSv2 token with 401; `kube2iam`
 * and `kiam` accepted it and answered their own `/healthz` or `/ping`; `metadataProxy` accepted it but is neither;
 * `unreachable` gave no usable answer; `invalid` is an invalid endpoint setting.
 */
export type MetadataEndpointKind = "ec2Imds" | "kube2iam" | "kiam" | "metadataProxy" | "unreachable" | "invalid";

/** Whether a metadata proxy answers in the node's place: then the instance-profile path gets the proxy's answer. */
export const isProxy = (kind: MetadataEndpointKind): boolean =>
  kind === "kube2iam" || kind === "kiam" || kind === "metadataProxy";

/** What the answer to the role listing with an invalid IMDSv2 token means, as the kube2iam source reads it. */
export type ListingAnswer = ProxyAnswer["kind"] | "noAnswer";

/** The probe of the metadata endpoint: the role listing, `/healthz` and `/ping`, asked together. */
export interface MetadataEndpointReport {
  /** `null` when the setting is invalid. */
  readonly url: string | null;
  readonly from: string | null;
  readonly kind: MetadataEndpointKind;
  /** `kind` in words, such as `real EC2 IMDS`. */
  readonly description: string;
  readonly listing: {
    readonly status: number | null;
    readonly answer: ListingAnswer;
    readonly role: string | null;
    /** The proxy's message, or why there was no answer. */
    readonly message: string | null;
  };
  readonly kube2iamHealth: { readonly hostIP: string | null; readonly instanceId: string | null } | null;
  readonly kiamPing: boolean;
  /** The role a proxy offers this pod; behind the real IMDS, the node's role (from the `instanceProfile` row). */
  readonly offeredRole: string | null;
  /** Why the endpoint could not be probed. */
  readonly error: string | null;
  readonly elapsedMs: number;
}

/** A token or annotations file the configuration names. */
export interface FileReport {
  readonly purpose: "webIdentityToken" | "podIdentityToken" | "annotations";
  readonly path: string;
  /** The variable that named it, or `the default annotations file`. */
  readonly from: string;
  readonly exists: boolean;
  readonly bytes: number | null;
  /** When it was last written: kubelet rewrites projected tokens as they rotate. */
  readonly modifiedAt: string | null;
  readonly token: TokenClaimsReport | null;
  /** The `iam.amazonaws.com/role` annotation. */
  readonly declaredRole: string | null;
  readonly problem: string | null;
}

/** The claims of a service-account token (a JWT) that trust policies look at, decoded without checking the signature. */
export interface TokenClaimsReport {
  readonly issuer: string | null;
  readonly subject: string | null;
  /** IRSA needs `sts.amazonaws.com`, Pod Identity `pods.eks.amazonaws.com`. */
  readonly audience: readonly string[];
  readonly expiresAt: string | null;
  readonly expired: boolean;
}

/** Credentials as the report shows them: no secret, the access key id cut to its last four characters. */
export interface CredentialsSummary {
  readonly accessKeyId: string;
  readonly roleArn: string | null;
  readonly roleName: string | null;
  readonly accountId: string | null;
  /** `null` for static keys. */
  readonly expiration: string | null;
}

/** One source examined on its own (`detect()`, then `resolve()` when configured), whatever the chain's settings. */
export interface SourceReport {
  readonly source: SourceName;
  /** 1-based; `null` when the chain does not use the source. */
  readonly chainPosition: number | null;
  /** `ok`: it gave credentials; `absent`: it is not configured; `failed`: it is configured but broken. */
  readonly status: "ok" | "absent" | "failed";
  readonly configuredBy: string | null;
  /** Why it is absent. */
  readonly reason: string | null;
  readonly credentials: CredentialsSummary | null;
  readonly error: ErrorReport | null;
  /** `true` for `instanceProfile`, unless a proxy intercepts the metadata endpoint and answers in the node's place. */
  readonly nodeCredentials: boolean;
  readonly elapsedMs: number;
}

/** One line the chain logged while the doctor ran it. */
export interface LogLineReport {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
}

/** What `fromPodProviderChain()` did with this environment, run for real with a new provider. */
export interface ChainReport {
  readonly status: "resolved" | "failed";
  readonly source: SourceName | null;
  readonly configuredBy: string | null;
  readonly credentials: CredentialsSummary | null;
  /** The sources skipped before the one that answered (for `NoPodCredentialsError`, all of them). */
  readonly skipped: readonly SkippedSource[];
  readonly error: ErrorReport | null;
  /** Every line the chain logged, debug included, in order. */
  readonly log: readonly LogLineReport[];
  /** The (last) attempt's duration. */
  readonly elapsedMs: number;
}

/** STS `GetCallerIdentity` called with the chain's credentials (`--verify`). */
export interface VerificationReport {
  /** `skipped` when the chain gave no credentials. */
  readonly status: "ok" | "failed" | "skipped";
  /** The region the call was signed for. */
  readonly region: string;
  /** `AWS_ENDPOINT_URL_STS`, else the regional endpoint. */
  readonly endpoint: string;
  readonly arn: string | null;
  readonly account: string | null;
  readonly userId: string | null;
  /** Whether the ARN names the role the chain reported; `null` when either is unknown. */
  readonly matchesChainRole: boolean | null;
  readonly error: ErrorReport | null;
  readonly elapsedMs: number;
}

/** How `--wait` went. */
export interface WaitReport {
  /** The `--wait` value. */
  readonly seconds: number;
  /** How many chains were run, each with a new provider. */
  readonly attempts: number;
  readonly waitedMs: number;
  readonly resolved: boolean;
}

/** An access key id as the doctor shows it: `…` and its last four characters, never more. */
export const lastFour = (accessKeyId: string): string => `…${accessKeyId.length > 4 ? accessKeyId.slice(-4) : ""}`;

/** Credentials without their secrets. */
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

/** Any thrown value as the report shows it. */
export const errorReport = (error: unknown): ErrorReport => {
  if (!(error instanceof Error)) {
    return { name: "Error", message: String(error), source: null, fix: null, status: null };
  }
  const fields = error as Error & { source?: unknown; fix?: unknown; status?: unknown };
  return {
    name: error.name,
    message: error.message,
    source: typeof fields.source === "string" && isSourceName(fields.source) ? fields.source : null,
    fix: typeof fields.fix === "string" ? fields.fix : null,
    status: typeof fields.status === "number" ? fields.status : null,
  };
};

/** `Name: message` without the `Fix: …` part: what one line (a summary, a table cell, a progress line) shows. */
export const problemOf = (error: ErrorReport): string => {
  const index = error.message.indexOf(" Fix: ");
  return `${error.name}: ${index === -1 ? error.message : error.message.slice(0, index)}`;
};

/**
 * Replaces every secret found in any string inside `value` (deeply: arrays and plain objects) with `[redacted]`.
 * The last line of defence before the report is printed: the library already keeps secrets out of its messages.
 * Values shorter than 8 characters are passed over: they would redact ordinary words.
 */
export const scrubSecrets = <T>(value: T, secrets: readonly string[]): T => {
  const watched = secrets.filter((secret) => secret.length >= 8);
  if (watched.length === 0) return value;
  const walk = (item: unknown): unknown => {
    if (typeof item === "string") return redactSecrets(item, watched);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === "object") {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    }
    return item;
  };
  return walk(value) as T;
};

/** The verdict, its exit code and the one-sentence summary. */
export interface Finding {
  readonly verdict: DoctorVerdict;
  readonly exitCode: 0 | 2;
  readonly summary: string;
}

/** The report sections the verdict is decided from. */
export type FindingInput = Pick<
  DoctorReport,
  "configuration" | "chain" | "sources" | "metadataEndpoint" | "verification"
>;

const finding = (verdict: DoctorVerdict, summary: string): Finding => ({
  verdict,
  exitCode: verdict === "podCredentials" ? 0 : 2,
  summary,
});

const roleOf = (summary: CredentialsSummary | null): string | undefined =>
  summary?.roleArn ?? summary?.roleName ?? undefined;

/** `(role …, account …, expiring …)`, or nothing when none of them is known. */
const credentialDetails = (credentials: CredentialsSummary | null): string => {
  const described = [
    roleOf(credentials) ? `role ${roleOf(credentials)}` : undefined,
    credentials?.accountId ? `account ${credentials.accountId}` : undefined,
    credentials?.expiration ? `expiring ${credentials.expiration}` : undefined,
  ].filter(Boolean);
  return described.length > 0 ? ` (${described.join(", ")})` : "";
};

const resolvedFinding = ({ chain, verification }: FindingInput): Finding => {
  const details = credentialDetails(chain.credentials);
  const source = chain.source ?? "unknown";
  if (chain.source === "instanceProfile") {
    return finding(
      "nodeCredentialsOnly",
      `fromPodProviderChain() resolves the node's instance-profile role${details} because node credentials are ` +
        "allowed: every pod on this node shares it. Configure IRSA, EKS Pod Identity or kube2iam/kiam for this pod.",
    );
  }
  if (verification?.status === "failed" && verification.error) {
    return finding(
      "failed",
      `fromPodProviderChain() resolves ${source} credentials${details}, but STS GetCallerIdentity rejects them: ${problemOf(verification.error)}`,
    );
  }
  const verified =
    verification?.status === "ok" && verification.arn ? `; STS says they belong to ${verification.arn}` : "";
  return finding(
    "podCredentials",
    `fromPodProviderChain() resolves pod-scoped credentials from ${source}${details}${verified}.`,
  );
};

/**
 * Nothing pod-scoped is configured: the node's role is on offer (the real IMDS, or the node's role fetched although
 * the probe got no answer), a proxy offers a role the pod does not declare, or nothing is on offer at all.
 */
const nothingConfiguredFinding = ({ sources, metadataEndpoint: endpoint }: FindingInput): Finding => {
  const node = sources.find((source) => source.source === "instanceProfile");
  const nodeRole = node?.status === "ok" ? roleOf(node.credentials) : undefined;
  if (endpoint.kind === "ec2Imds" || (endpoint.kind === "unreachable" && nodeRole)) {
    return finding(
      "nodeCredentialsOnly",
      `Nothing pod-scoped is configured; the metadata endpoint ${
        endpoint.kind === "ec2Imds" ? "is the real EC2 IMDS" : "did not answer the probe"
      }` +
        `${nodeRole ? ` and offers the node's role ${nodeRole}` : ""}, which the chain refuses (node credentials are not allowed).`,
    );
  }
  if (endpoint.offeredRole && isProxy(endpoint.kind)) {
    return finding(
      "notConfigured",
      `Nothing pod-scoped is declared, but ${endpoint.description} at ${endpoint.url ?? "the metadata endpoint"} offers the role ` +
        `${endpoint.offeredRole} to this pod: declare it (the iam.amazonaws.com/role annotation through a downward-API volume at ` +
        "/etc/podinfo, or POD_CREDENTIALS_ROLE) so that the chain can verify and use it.",
    );
  }
  return finding(
    "notConfigured",
    "Nothing pod-scoped is configured for this pod, and no node role is on offer either.",
  );
};

/**
 * Decides the verdict. Exit 0 only when the chain resolves credentials that are not the node's; the node's role is
 * exit 2 even when `POD_CREDENTIALS_ALLOW_NODE=true` lets the chain use it, because it is shared by every pod on the
 * node: a pod-scoped check must not pass on it.
 */
export const decideFinding = (input: FindingInput): Finding => {
  const { configuration, chain } = input;
  if (configuration.error) return finding("failed", `The configuration is invalid: ${problemOf(configuration.error)}`);
  if (chain.status === "resolved") return resolvedFinding(input);
  const problem = chain.error ? problemOf(chain.error) : "unknown error";
  if (chain.error?.name === "NodeCredentialsRefusedError") {
    return finding(
      "nodeCredentialsOnly",
      `Only the node's credentials are on offer, and the chain refuses them: ${problem}`,
    );
  }
  if (chain.error?.name === "NoPodCredentialsError") return nothingConfiguredFinding(input);
  return finding("failed", `fromPodProviderChain() fails: ${problem}`);
};
