// The doctor's report: its JSON shape (schema version 1, documented field by field in docs/doctor.md), how errors,
// credentials and the environment enter it without a secret, and the verdict that decides the exit code.
import type { AwsCredentialIdentity } from "@smithy/types";
import { displayUrl, Redactor } from "../base/logging.js";
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
  readonly schemaVersion: 1;
  readonly tool: { readonly name: "pod-credentials"; readonly version: string };
  readonly generatedAt: string;
  readonly durationMs: number;
  readonly verdict: DoctorVerdict;
  /** 1, a usage error, makes no report. */
  readonly exitCode: 0 | 2;
  readonly summary: string;
  readonly environment: readonly { readonly name: string; readonly value: string | null }[];
  readonly configuration: ConfigurationReport;
  readonly metadataEndpoint: MetadataEndpointReport;
  readonly files: readonly FileReport[];
  readonly sources: readonly SourceReport[];
  readonly chain: ChainReport;
  readonly verification: VerificationReport | null;
  readonly wait: WaitReport | null;
}

/** An error by name and message, with the parts an operator acts on. */
export interface ErrorReport {
  readonly name: string;
  readonly message: string;
  readonly source: SourceName | null;
  readonly fix: string | null;
  readonly status: number | null;
}

/** The chain's configuration, read as `fromPodProviderChain()` reads it; `sources` is `null` when it is invalid. */
export interface ConfigurationReport {
  readonly sources: readonly SourceName[] | null;
  readonly allowNodeCredentials: boolean | null;
  readonly region: string;
  readonly regionFrom: string;
  readonly warnings: readonly string[];
  readonly error: ErrorReport | null;
}

/** What answers at the metadata endpoint, from the role listing asked with an invalid token, `/healthz` and `/ping`. */
export interface MetadataEndpointReport {
  readonly url: string | null;
  readonly from: string | null;
  readonly kind: "ec2Imds" | "kube2iam" | "kiam" | "metadataProxy" | "unreachable" | "invalid";
  readonly description: string;
  readonly listing: {
    readonly status: number | null;
    readonly answer: ProxyAnswer["kind"] | "noAnswer";
    readonly role: string | null;
    readonly message: string | null;
  };
  readonly kube2iamHealth: { readonly hostIP: string | null; readonly instanceId: string | null } | null;
  readonly kiamPing: boolean;
  /** Behind the real IMDS, the node's role (from the `instanceProfile` row). */
  readonly offeredRole: string | null;
  readonly error: string | null;
  readonly elapsedMs: number;
}

/** A token or annotations file the configuration names; a token's claims are decoded, never the token shown. */
export interface FileReport {
  readonly purpose: "webIdentityToken" | "podIdentityToken" | "annotations";
  readonly path: string;
  readonly from: string;
  readonly exists: boolean;
  readonly bytes: number | null;
  readonly modifiedAt: string | null;
  readonly token: {
    readonly issuer: string | null;
    readonly subject: string | null;
    readonly audience: readonly string[];
    readonly expiresAt: string | null;
    readonly expired: boolean;
  } | null;
  readonly declaredRole: string | null;
  readonly problem: string | null;
}

/** Credentials without a secret: the access key id cut to its last four characters. */
export interface CredentialsSummary {
  readonly accessKeyId: string;
  readonly roleArn: string | null;
  readonly roleName: string | null;
  readonly accountId: string | null;
  readonly expiration: string | null;
}

/** One source examined on its own (`detect()`, then `resolve()` when configured), whatever the chain's settings. */
export interface SourceReport {
  readonly source: SourceName;
  readonly chainPosition: number | null;
  readonly status: "ok" | "absent" | "failed";
  readonly configuredBy: string | null;
  readonly reason: string | null;
  readonly credentials: CredentialsSummary | null;
  readonly error: ErrorReport | null;
  /** False for `instanceProfile` behind a proxy, which answers in the node's place. */
  readonly nodeCredentials: boolean;
  readonly elapsedMs: number;
}

/** What `fromPodProviderChain()` did with this environment, run for real with a new provider. */
export interface ChainReport {
  readonly status: "resolved" | "failed";
  readonly source: SourceName | null;
  readonly configuredBy: string | null;
  readonly credentials: CredentialsSummary | null;
  readonly skipped: readonly SkippedSource[];
  readonly error: ErrorReport | null;
  readonly log: readonly { readonly level: "debug" | "info" | "warn" | "error"; readonly message: string }[];
  readonly elapsedMs: number;
}

/** STS `GetCallerIdentity` called with the chain's credentials (`--verify`). */
export interface VerificationReport {
  readonly status: "ok" | "failed" | "skipped";
  readonly region: string;
  readonly endpoint: string;
  readonly arn: string | null;
  readonly account: string | null;
  readonly userId: string | null;
  readonly matchesChainRole: boolean | null;
  readonly error: ErrorReport | null;
  readonly elapsedMs: number;
}

/** How `--wait` went. */
export interface WaitReport {
  readonly seconds: number;
  readonly attempts: number;
  readonly waitedMs: number;
  readonly resolved: boolean;
}

/** Behind a proxy, the instance-profile path gets the proxy's answer, not the node's. */
export const isProxy = (kind: MetadataEndpointReport["kind"]): boolean =>
  kind === "kube2iam" || kind === "kiam" || kind === "metadataProxy";

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

/**
 * Redacts every secret in every string of `value`, deeply: the last line of defence before printing (the library
 * already keeps secrets out of its messages). Values shorter than 8 characters would redact ordinary words.
 */
export const scrubSecrets = <T>(value: T, secrets: readonly string[]): T => {
  // The library's one redaction step: whole secrets, their JWT segments and 16-character runs (so a quote cut
  // before this pass still loses every part of a secret), URL user information, control and bidi characters.
  const redactor = new Redactor();
  redactor.add(...secrets);
  const walk = (item: unknown): unknown => {
    if (typeof item === "string") return redactor.text(item);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === "object") {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    }
    return item;
  };
  return walk(value) as T;
};

/** The report sections the verdict is decided from. */
export type FindingInput = Pick<
  DoctorReport,
  "configuration" | "chain" | "metadataEndpoint" | "sources" | "verification"
>;

/**
 * The verdict, exit code and summary. The node's role is exit 2 even when `POD_CREDENTIALS_ALLOW_NODE=true` lets the
 * chain use it: every pod on the node shares it, so a pod-scoped check must not pass on it.
 */
export const decideFinding = (input: FindingInput) => {
  const [verdict, summary] = verdictOf(input);
  return { verdict, exitCode: verdict === "podCredentials" ? (0 as const) : (2 as const), summary };
};

type Verdict = [DoctorVerdict, string];

const verdictOf = (input: FindingInput): Verdict => {
  const { configuration, chain } = input;
  if (configuration.error) return ["failed", `The configuration is invalid: ${problemOf(configuration.error)}`];
  if (chain.status === "resolved") return resolvedVerdict(input);
  const problem = chain.error ? problemOf(chain.error) : "unknown error";
  if (chain.error?.name === "NodeCredentialsRefusedError") {
    return ["nodeCredentialsOnly", `Only the node's credentials are on offer, and the chain refuses them: ${problem}`];
  }
  if (chain.error?.name === "NoPodCredentialsError") return nothingConfiguredVerdict(input);
  return ["failed", `fromPodProviderChain() fails: ${problem}`];
};

const resolvedVerdict = ({ chain, verification }: FindingInput): Verdict => {
  const { credentials } = chain;
  const details = [
    roleOf(credentials) && `role ${roleOf(credentials)}`,
    credentials?.accountId && `account ${credentials.accountId}`,
    credentials?.expiration && `expiring ${credentials.expiration}`,
  ].filter(Boolean);
  const described = details.length > 0 ? ` (${details.join(", ")})` : "";
  const resolves = "fromPodProviderChain() resolves";
  if (chain.source === "instanceProfile") {
    return [
      "nodeCredentialsOnly",
      `${resolves} the node's instance-profile role${described} because node credentials are allowed: every pod ` +
        "on this node shares it. Configure IRSA, EKS Pod Identity or kube2iam/kiam for this pod.",
    ];
  }
  const source = chain.source ?? "unknown";
  if (verification?.status === "failed" && verification.error) {
    const rejected = problemOf(verification.error);
    return [
      "failed",
      `${resolves} ${source} credentials${described}, but STS GetCallerIdentity rejects them: ${rejected}`,
    ];
  }
  const verified =
    verification?.status === "ok" && verification.arn ? `; STS says they belong to ${verification.arn}` : "";
  return ["podCredentials", `${resolves} pod-scoped credentials from ${source}${described}${verified}.`];
};

/** The node's role is on offer (the real IMDS, or fetched although the probe got no answer), or a proxy's, or none. */
const nothingConfiguredVerdict = ({ sources, metadataEndpoint: endpoint }: FindingInput): Verdict => {
  const node = sources.find((source) => source.source === "instanceProfile");
  const nodeRole = node?.status === "ok" ? roleOf(node.credentials) : undefined;
  if (endpoint.kind === "ec2Imds" || (endpoint.kind === "unreachable" && nodeRole)) {
    const where = endpoint.kind === "ec2Imds" ? "is the real EC2 IMDS" : "did not answer the probe";
    const offers = nodeRole ? ` and offers the node's role ${nodeRole}` : "";
    return [
      "nodeCredentialsOnly",
      `Nothing pod-scoped is configured; the metadata endpoint ${where}${offers}, which the chain refuses (node ` +
        "credentials are not allowed).",
    ];
  }
  if (endpoint.offeredRole && isProxy(endpoint.kind)) {
    return [
      "notConfigured",
      `Nothing pod-scoped is declared, but ${endpoint.description} at ${endpoint.url ?? "the metadata endpoint"} ` +
        `offers the role ${endpoint.offeredRole} to this pod: declare it (the iam.amazonaws.com/role annotation ` +
        "through a downward-API volume at /etc/podinfo, or POD_CREDENTIALS_ROLE) so that the chain can verify and use it.",
    ];
  }
  return ["notConfigured", "Nothing pod-scoped is configured for this pod, and no node role is on offer either."];
};
