/** Hosts the SDK accepts for plain-HTTP container credentials: ECS, EKS Pod Identity (IPv4 and IPv6) and loopback. */
const LINK_LOCAL_HOSTS = new Set(["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "localhost", "[::1]"]);
const LOOPBACK_IPV4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

const isLoopbackIpv4 = (host: string): boolean => {
  const match = LOOPBACK_IPV4.exec(host);
  return match?.slice(1).every((part) => Number(part) <= 255) ?? false;
};

/**
 * Why a container-credentials URL is refused, or `undefined` when it is fine. Same rule as the SDK's `checkUrl`
 * (https anywhere; http only to the link-local agent hosts and loopback), plus: no user name or password in the URL
 * (it would end up in logs), and only http or https.
 */
export const containerCredentialsUrlProblem = (url: URL): string | undefined => {
  if (url.username !== "" || url.password !== "") return "it contains a user name or password";
  if (url.protocol === "https:") return undefined;
  if (url.protocol !== "http:") return `its scheme ${url.protocol} is neither http nor https`;
  if (LINK_LOCAL_HOSTS.has(url.hostname) || isLoopbackIpv4(url.hostname)) return undefined;
  return `plain http is only allowed to 169.254.170.2, 169.254.170.23, [fd00:ec2::23] or loopback, not ${url.hostname}`;
};
