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
  if (chain.status === "resolved") {
    const described = [
      role(chain.credentials) ? `role ${role(chain.credentials)}` : undefined,
      chain.credentials?.accountId ? `account ${chain.credentials.accountId}` : undefined,
      chain.credentials?.expiration ? `expiring ${chain.credentials.expiration}` : undefined,
    ].filter(Boolean);
    const details = described.length > 0 ? ` (${described.join(", ")})` : "";
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
        `fromPodProviderChain() resolves ${chain.source ?? "unknown"} credentials${details}, but STS GetCallerIdentity rejects them: ${problemOf(verification.error)}`,
      );
    }
    const verified =
      verification?.status === "ok" && verification.arn ? `; STS says they belong to ${verification.arn}` : "";
    return finding(
      "podCredentials",
      `fromPodProviderChain() resolves pod-scoped credentials from ${chain.source ?? "unknown"}${details}${verified}.`,
    );
  }
  const error = chain.error;
  const problem = error ? problemOf(error) : "unknown error";
  if (error?.name === "NodeCredentialsRefusedError") {
    return finding(
      "nodeCredentialsOnly",
      `Only the node's credentials are on offer, and the chain refuses them: ${problem}`,
    );
  }
  if (error?.name === "NoPodCredentialsError") {
    const node = sources.find((source) => source.source === "instanceProfile");
    const nodeRole = node?.status === "ok" ? role(node.credentials) : undefined;
    const endpoint = metadataEndpoint;
    if (endpoint.kind === "ec2Imds" || (endpoint.kind === "unreachable" && nodeRole)) {
      return finding(
        "nodeCredentialsOnly",
        `Nothing pod-scoped is configured; the metadata endpoint is the ${endpoint.description}` +
          `${nodeRole ? ` and offers the node's role ${nodeRole}` : ""}, which the chain refuses (node credentials are not allowed).`,
      );
    }
    if (
      endpoint.offeredRole &&
      (endpoint.kind === "kube2iam" || endpoint.kind === "kiam" || endpoint.kind === "metadataProxy")
    ) {
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
  }
  return finding("failed", `fromPodProviderChain() fails: ${problem}`);
};
