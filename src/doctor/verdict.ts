import type {
  ChainReport,
  ConfigurationReport,
  DoctorVerdict,
  MetadataEndpointReport,
  SourceReport,
  VerificationReport,
} from "./doctorReport.js";
import { problemOf } from "./redaction.js";

/** The finding, its exit code and the one-sentence summary. */
export interface Finding {
  /** The overall finding. */
  readonly verdict: DoctorVerdict;
  /** 0 for `podCredentials`, 2 for anything else. */
  readonly exitCode: 0 | 2;
  /** One sentence stating the finding. */
  readonly summary: string;
}

/** What the finding is based on. */
export interface FindingInput {
  /** The chain's configuration. */
  readonly configuration: ConfigurationReport;
  /** What the chain did. */
  readonly chain: ChainReport;
  /** Every source examined on its own. */
  readonly sources: readonly SourceReport[];
  /** What answers at the metadata endpoint. */
  readonly metadataEndpoint: MetadataEndpointReport;
  /** The `--verify` result, if asked for. */
  readonly verification: VerificationReport | null;
}

const role = (summary: { roleArn: string | null; roleName: string | null } | null): string | undefined =>
  summary?.roleArn ?? summary?.roleName ?? undefined;

const finding = (verdict: DoctorVerdict, summary: string): Finding => ({
  verdict,
  exitCode: verdict === "podCredentials" ? 0 : 2,
  summary,
});

/** `(role …, account …, expiring …)` for the summary, or nothing when none of them is known. */
const credentialDetails = (credentials: ChainReport["credentials"]): string => {
  const described = [
    role(credentials) ? `role ${role(credentials)}` : undefined,
    credentials?.accountId ? `account ${credentials.accountId}` : undefined,
    credentials?.expiration ? `expiring ${credentials.expiration}` : undefined,
  ].filter(Boolean);
  return described.length > 0 ? ` (${described.join(", ")})` : "";
};

/** The chain resolved: the node's role (allowed, still exit 2), credentials STS rejects, or pod-scoped credentials. */
const resolvedFinding = (chain: ChainReport, verification: VerificationReport | null): Finding => {
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

const PROXY_KINDS: ReadonlySet<MetadataEndpointReport["kind"]> = new Set(["kube2iam", "kiam", "metadataProxy"]);

/**
 * Nothing pod-scoped is configured: the node's role is on offer (the real IMDS, or the node's role fetched although
 * the probe got no answer), a proxy offers a role the pod does not declare, or nothing is on offer at all.
 */
const nothingConfiguredFinding = (sources: readonly SourceReport[], endpoint: MetadataEndpointReport): Finding => {
  const node = sources.find((source) => source.source === "instanceProfile");
  const nodeRole = node?.status === "ok" ? role(node.credentials) : undefined;
  if (endpoint.kind === "ec2Imds" || (endpoint.kind === "unreachable" && nodeRole)) {
    return finding(
      "nodeCredentialsOnly",
      `Nothing pod-scoped is configured; the metadata endpoint ${
        endpoint.kind === "ec2Imds" ? "is the real EC2 IMDS" : "did not answer the probe"
      }` +
        `${nodeRole ? ` and offers the node's role ${nodeRole}` : ""}, which the chain refuses (node credentials are not allowed).`,
    );
  }
  if (endpoint.offeredRole && PROXY_KINDS.has(endpoint.kind)) {
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

/** The chain failed: it refused the node's role, found nothing pod-scoped, or a configured source is broken. */
const failedFinding = (
  chain: ChainReport,
  sources: readonly SourceReport[],
  metadataEndpoint: MetadataEndpointReport,
): Finding => {
  const error = chain.error;
  const problem = error ? problemOf(error) : "unknown error";
  if (error?.name === "NodeCredentialsRefusedError") {
    return finding(
      "nodeCredentialsOnly",
      `Only the node's credentials are on offer, and the chain refuses them: ${problem}`,
    );
  }
  if (error?.name === "NoPodCredentialsError") return nothingConfiguredFinding(sources, metadataEndpoint);
  return finding("failed", `fromPodProviderChain() fails: ${problem}`);
};

/**
 * Decides the verdict. Exit 0 only when the chain resolves credentials that are not the node's; the node's role is
 * exit 2 even when `POD_CREDENTIALS_ALLOW_NODE=true` lets the chain use it, because it is shared by every pod on the
 * node: a pod-scoped check must not pass on it.
 */
export const decideFinding = ({
  configuration,
  chain,
  sources,
  metadataEndpoint,
  verification,
}: FindingInput): Finding => {
  if (configuration.error) return finding("failed", `The configuration is invalid: ${problemOf(configuration.error)}`);
  if (chain.status === "resolved") return resolvedFinding(chain, verification);
  return failedFinding(chain, sources, metadataEndpoint);
};
