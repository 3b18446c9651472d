/** `pod-credentials --help`. */
export const helpText = (version: string): string => `pod-credentials ${version}: AWS credentials that are the pod's own

Usage:
  pod-credentials [doctor] [--json] [--verify] [--wait <seconds>] [--region <region>]
  pod-credentials --help | --version

doctor (the default command) examines this pod's credential set-up: what answers at the metadata
endpoint (the real EC2 IMDS, kube2iam, kiam or nothing), every source on its own (IRSA, EKS Pod
Identity, kube2iam/kiam, the node's instance profile, static keys, ~/.aws), and what
fromPodProviderChain() does with this environment. It never prints a secret.

Options:
  --json              print the report as one JSON object (schema version 1, see docs/doctor.md)
  --verify            call STS GetCallerIdentity with the chain's credentials and print the ARN
  --wait <seconds>    run the chain again, a second apart, until it resolves or the time is up
                      (progress on standard error); for an init container
  --region <region>   region for STS calls (default: AWS_REGION, else us-east-1);
                      AWS_ENDPOINT_URL_STS is honoured
  -h, --help          show this help
  -v, --version       show the version

Exit codes:
  0  the chain resolves pod-scoped credentials (and --verify, if given, succeeded)
  1  usage error
  2  anything else: the chain fails, nothing is configured, or only the node's credentials are on
     offer (also when POD_CREDENTIALS_ALLOW_NODE=true lets the chain use them)

Colour is used only when standard output is a terminal and NO_COLOR is not set.
`;
