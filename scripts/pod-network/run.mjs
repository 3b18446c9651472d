// `npm run test:pod-network`: the pod network suite (test/podNetwork/, docs/testing.md). Checks that this machine can
// build network namespaces (skips with one line when it cannot, fails when CI=true), installs iptables when missing,
// cleans what an earlier, killed run left, packs the package into a temporary app, makes a test CA for STS's TLS,
// then runs vitest with vitest.pod-network.config.ts. Whatever happens (a failure, Ctrl-C, SIGTERM), this run's
// namespaces, /etc/netns entries and temporary files are removed before it exits.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");
const PREFIX = "pcn"; // test/podNetwork/network.ts: pcn<run pid>s<scenario>-<pod|node|aws>
const STS_HOSTS = ["sts.amazonaws.com", "sts.eu-central-1.amazonaws.com", "sts.us-east-1.amazonaws.com"];
const runId = String(process.pid);

const quiet = (command, args, options = {}) =>
  execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options });

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
};

/** Why network namespaces cannot be built here, or undefined: tries one for real. */
const unavailableReason = () => {
  if (process.platform !== "linux") return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid() !== 0) return "network namespaces need root";
  const probe = `${PREFIX}${runId}probe`;
  try {
    quiet("ip", ["netns", "add", probe]);
    quiet("ip", ["netns", "del", probe]);
  } catch (error) {
    return `\`ip netns add\` failed: ${
      String(error.stderr || error.message)
        .trim()
        .split("\n")[0]
    }`;
  }
  return undefined;
};

/** Removes the suite's namespaces (and the processes inside, /etc/netns entries) that `select` picks by run id. */
const removeNamespaces = (select) => {
  let names = [];
  try {
    names = quiet("ip", ["netns", "list"])
      .split("\n")
      .map((line) => line.split(" ")[0] ?? "");
  } catch {
    // no ip netns: nothing to remove
  }
  const etc = (() => {
    try {
      return readdirSync("/etc/netns");
    } catch {
      return [];
    }
  })();
  const removed = [];
  for (const name of new Set([...names, ...etc])) {
    const owner = new RegExp(`^${PREFIX}(\\d+)`).exec(name)?.[1];
    if (owner === undefined || !select(owner)) continue;
    try {
      for (const pid of quiet("ip", ["netns", "pids", name])
        .split("\n")
        .filter((line) => /^\d+$/.test(line)))
        if (alive(Number(pid))) process.kill(Number(pid), "SIGKILL");
    } catch {
      // not a namespace (an /etc/netns entry alone), or already gone
    }
    try {
      quiet("ip", ["netns", "del", name]);
    } catch {
      // already gone
    }
    rmSync(join("/etc/netns", name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
};

const reason = unavailableReason();
if (reason !== undefined) {
  if (process.env.CI === "true") {
    console.error(`pod-network suite FAILED: it cannot build network namespaces in CI: ${reason}`);
    process.exit(1);
  }
  console.log(`pod-network suite skipped: ${reason}`);
  process.exit(0);
}

try {
  quiet("iptables", ["--version"]);
} catch {
  console.log("pod-network suite: installing iptables (apt-get)");
  execFileSync("sh", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}

// A run killed with SIGKILL cleaned nothing: its namespaces and temporary files go now.
const stale = removeNamespaces((owner) => owner !== runId && !alive(Number(owner)));
for (const entry of readdirSync(tmpdir())) {
  const owner = /^pod-network-(\d+)-/.exec(entry)?.[1];
  if (owner !== undefined && owner !== runId && !alive(Number(owner)))
    rmSync(join(tmpdir(), entry), { recursive: true, force: true });
}
if (stale.length > 0) console.log(`pod-network suite: removed ${stale.length} namespaces left by an earlier run`);

const dir = mkdtempSync(join(tmpdir(), `pod-network-${runId}-`));
let cleaned = false;
const cleanup = () => {
  if (cleaned) return;
  cleaned = true;
  if (child !== undefined) signalVitest("SIGKILL");
  removeNamespaces((owner) => owner === runId);
  rmSync(dir, { recursive: true, force: true });
};
process.on("exit", cleanup);
// vitest runs in its own process group, so that a signal reaches its workers too and nothing it started outlives it.
let child;
const signalVitest = (signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (child === undefined) process.exit(130);
    signalVitest(signal);
  });
}

const started = Date.now();
// The packed package, as a user installs it; its dependencies are linked from ours (no network).
quiet("npm", ["run", "build"], { cwd: ROOT });
const [{ filename }] = JSON.parse(quiet("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT }));
const app = join(dir, "app");
const modules = join(app, "node_modules");
mkdirSync(join(modules, "pod-credentials"), { recursive: true });
quiet("tar", ["-xzf", join(dir, filename), "-C", join(modules, "pod-credentials"), "--strip-components=1"]);
for (const entry of readdirSync(join(ROOT, "node_modules"))) {
  if (entry !== ".bin" && !entry.startsWith(".") && entry !== "pod-credentials")
    symlinkSync(join(ROOT, "node_modules", entry), join(modules, entry));
}
writeFileSync(join(app, "package.json"), JSON.stringify({ name: "pod-network-app", private: true, type: "module" }));
const appSources = join(ROOT, "test", "podNetwork", "app");
for (const file of readdirSync(appSources)) copyFileSync(join(appSources, file), join(app, file));

// A CA made for this run, and STS's certificate for its real host names.
const tls = join(dir, "tls");
mkdirSync(tls);
const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
quiet(
  "openssl",
  [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca-key.pem",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    `/CN=pod-network test CA ${runId}`,
  ],
  { cwd: tls },
);
quiet("openssl", ["req", ...ec, "-keyout", "sts-key.pem", "-out", "sts.csr", "-subj", "/CN=sts.amazonaws.com"], {
  cwd: tls,
});
writeFileSync(
  join(tls, "sts.ext"),
  `subjectAltName=${STS_HOSTS.map((host) => `DNS:${host}`).join(",")}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
);
quiet(
  "openssl",
  [
    "x509",
    "-req",
    "-in",
    "sts.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca-key.pem",
    "-CAcreateserial",
    "-out",
    "sts.pem",
    "-days",
    "1",
    "-extfile",
    "sts.ext",
  ],
  { cwd: tls },
);
console.log(
  `pod-network suite: packed ${filename} into ${app} and made a test CA in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);

child = spawn(
  process.execPath,
  [
    join(ROOT, "node_modules", "vitest", "vitest.mjs"),
    "run",
    "--config",
    "vitest.pod-network.config.ts",
    ...process.argv.slice(2),
  ],
  {
    cwd: ROOT,
    stdio: "inherit",
    detached: true,
    env: { ...process.env, POD_NETWORK_RUN: runId, POD_NETWORK_DIR: dir, POD_NETWORK_STS_HOSTS: STS_HOSTS.join(" ") },
  },
);
child.on("exit", (code, signal) => {
  cleanup();
  process.exit(code ?? (signal === null ? 1 : 130));
});
