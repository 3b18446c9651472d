// Three network namespaces per scenario: a pod, its node and "AWS", joined by veth pairs, with nothing routed
// anywhere else. Built and removed with iproute2 and iptables (root only); see docs/testing.md, "The pod network suite".
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";

/** Every address the suite uses: private, link-local or ULA, and only ever inside the namespaces. */
export const ADDRESS = {
  pod: "10.200.1.2",
  podV6: "fd00:200:1::2",
  nodeToPod: "10.200.1.1",
  nodeToPodV6: "fd00:200:1::1",
  nodeToAws: "10.200.2.1",
  nodeToAwsV6: "fd00:200:2::1",
  aws: "10.200.2.2",
  awsV6: "fd00:200:2::2",
  imds: "169.254.169.254",
  imdsV6: "fd00:ec2::254",
  agent: "169.254.170.23",
  agentV6: "fd00:ec2::23",
} as const;

/** The prefix of every namespace the suite creates: `pcn<run pid>s<scenario>-<pod|node|aws>`. */
export const NAMESPACE_PREFIX = "pcn";

/** One scenario's namespaces. */
export interface PodNetwork {
  readonly pod: string;
  readonly node: string;
  readonly aws: string;
}

export interface PodNetworkOptions {
  /** kube2iam's (and kiam's) iptables rule on the node: the pod's metadata traffic goes to `<node>:8181`. */
  readonly interceptMetadata: boolean;
  /** Host names `/etc/netns/<pod>/hosts` maps to the aws namespace (STS's). */
  readonly awsHostNames: readonly string[];
}

const run = (command: string, args: readonly string[], input?: string): string =>
  execFileSync(command, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });

/** Runs a `sh -e` script inside a namespace. */
const inNamespace = (namespace: string, script: string): string =>
  run("ip", ["netns", "exec", namespace, "sh", "-e"], script);

// The kernel skips duplicate address detection only when both `all` and the device say so; a tentative address
// (link-local ones included) delays neighbour discovery by a second or more, which looks like a server that does
// not answer.
const noDad = (device: string) =>
  `sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.${device}.accept_dad=0`;

/** The commands that bring up a host namespace's loopback and its one link, `eth0`, with its IPv4 and IPv6 addresses. */
const hostLink = (v4: string, v6: string): string[] => [
  "ip link set lo up",
  noDad("eth0"),
  `ip addr add ${v4}/24 dev eth0`,
  `ip -6 addr add ${v6}/64 dev eth0 nodad`,
  "ip link set eth0 up",
];

/** Waits (at most 5 s) until no IPv6 address in the namespace is tentative. */
const waitForAddresses = (namespace: string): void => {
  const deadline = Date.now() + 5000;
  while (run("ip", ["-n", namespace, "-6", "addr", "show", "tentative"]).trim() !== "") {
    if (Date.now() > deadline) throw new Error(`IPv6 addresses in ${namespace} stayed tentative for 5 s`);
    execFileSync("sleep", ["0.05"]);
  }
};

/** Why this machine cannot build the namespaces, or `undefined` when it can. */
export const unavailableReason = (): string | undefined => {
  if (process.platform !== "linux") return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "network namespaces need root";
  try {
    run("ip", ["netns", "list"]);
  } catch {
    return "`ip netns` is not available (install iproute2)";
  }
  return undefined;
};

export const buildPodNetwork = (runId: string, scenario: number, options: PodNetworkOptions): PodNetwork => {
  const base = `${NAMESPACE_PREFIX}${runId}s${scenario}`;
  const network: PodNetwork = { pod: `${base}-pod`, node: `${base}-node`, aws: `${base}-aws` };
  try {
    for (const namespace of [network.pod, network.node, network.aws]) run("ip", ["netns", "add", namespace]);
    // The veth ends are created inside their namespaces: nothing, not even a name, appears in the host's.
    run("ip", ["link", "add", "eth0", "netns", network.pod, "type", "veth", "peer", "vpod", "netns", network.node]);
    run("ip", ["link", "add", "eth0", "netns", network.aws, "type", "veth", "peer", "vaws", "netns", network.node]);
    // The node first: a pod or aws link that comes up before its peer has carrier loses its first IPv6
    // neighbour solicitation, and the first connection waits a second for the retry.
    inNamespace(
      network.node,
      [
        "ip link set lo up",
        "sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
        noDad("vpod"),
        noDad("vaws"),
        `ip addr add ${ADDRESS.nodeToPod}/24 dev vpod`,
        `ip -6 addr add ${ADDRESS.nodeToPodV6}/64 dev vpod nodad`,
        `ip addr add ${ADDRESS.nodeToAws}/24 dev vaws`,
        `ip -6 addr add ${ADDRESS.nodeToAwsV6}/64 dev vaws nodad`,
        // The Pod Identity agent runs on the node, host network, as on EKS.
        `ip addr add ${ADDRESS.agent}/32 dev lo`,
        `ip -6 addr add ${ADDRESS.agentV6}/128 dev lo nodad`,
        "ip link set vpod up",
        "ip link set vaws up",
        `ip route add ${ADDRESS.imds}/32 via ${ADDRESS.aws}`,
        `ip -6 route add ${ADDRESS.imdsV6}/128 via ${ADDRESS.awsV6}`,
        ...(options.interceptMetadata
          ? [
              `iptables -t nat -A PREROUTING -i vpod -p tcp -d ${ADDRESS.imds} --dport 80 -j DNAT --to-destination ${ADDRESS.nodeToPod}:8181`,
            ]
          : []),
      ].join("\n"),
    );
    inNamespace(
      network.pod,
      [
        ...hostLink(ADDRESS.pod, ADDRESS.podV6),
        // One routed hop, as in a real pod: everything goes to the node, nothing else is reachable.
        `ip route add default via ${ADDRESS.nodeToPod}`,
        `ip -6 route add default via ${ADDRESS.nodeToPodV6}`,
      ].join("\n"),
    );
    inNamespace(
      network.aws,
      [
        `ip addr add ${ADDRESS.imds}/32 dev lo`,
        `ip -6 addr add ${ADDRESS.imdsV6}/128 dev lo nodad`,
        ...hostLink(ADDRESS.aws, ADDRESS.awsV6),
        `ip route add 10.200.1.0/24 via ${ADDRESS.nodeToAws}`,
        `ip -6 route add fd00:200:1::/64 via ${ADDRESS.nodeToAwsV6}`,
      ].join("\n"),
    );
    for (const namespace of [network.pod, network.node, network.aws]) waitForAddresses(namespace);
    // `ip netns exec` bind-mounts these over /etc: STS's names resolve to the aws namespace, and any other name
    // fails at once (the only resolver is the pod's own loopback, where nothing listens).
    const etc = `/etc/netns/${network.pod}`;
    mkdirSync(etc, { recursive: true });
    writeFileSync(
      `${etc}/hosts`,
      `127.0.0.1 localhost\n::1 localhost\n${ADDRESS.aws} ${options.awsHostNames.join(" ")}\n`,
    );
    writeFileSync(`${etc}/resolv.conf`, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
    return network;
  } catch (error) {
    removeNamespaces((name) => name.startsWith(base));
    throw error;
  }
};

/** The pod namespace's routes, IPv4 and IPv6, as `ip route` prints them. */
export const podRoutes = (network: PodNetwork): { v4: string[]; v6: string[] } => {
  const lines = (text: string) => text.split("\n").filter((line) => line.trim() !== "");
  return {
    v4: lines(run("ip", ["-n", network.pod, "-4", "route", "show"])),
    v6: lines(run("ip", ["-n", network.pod, "-6", "route", "show"])),
  };
};

/** Namespaces whose name starts with the suite's prefix and passes `select`. */
const suiteNamespaces = (select: (name: string) => boolean): string[] =>
  run("ip", ["netns", "list"])
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.startsWith(NAMESPACE_PREFIX) && select(name));

/**
 * Removes the suite's namespaces that `select` picks, with the processes still inside them (only ever ones the
 * suite started there) and their `/etc/netns` entries. Never throws: it runs on every way out.
 */
export const removeNamespaces = (select: (name: string) => boolean): string[] => {
  let names: string[] = [];
  try {
    names = suiteNamespaces(select);
  } catch {
    return [];
  }
  for (const name of names) {
    try {
      for (const pid of run("ip", ["netns", "pids", name])
        .split("\n")
        .filter((line) => /^\d+$/.test(line))) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
    } catch {
      // the namespace is going anyway
    }
    try {
      run("ip", ["netns", "del", name]);
    } catch {
      // already removed
    }
    rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
  }
  return names;
};

/** Whether a namespace name belongs to run `runId`. */
export const ofRun = (runId: string) => (name: string) => name.startsWith(`${NAMESPACE_PREFIX}${runId}s`);
