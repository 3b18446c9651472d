// What one resolved provider holds on the heap, from a heap snapshot: resolves `count` Pod Identity providers against
// the fake agent (in a child process, so that its request log is not counted), writes a snapshot, and lists what is
// reachable from one provider (the function the application holds, with its describe() and ready()) and not from
// another's (shared code, modules and maps are not counted). What heapUsed counts beyond it, per provider, is mostly
// the code and feedback V8 compiles while the providers are made (compare the footprint scenario at 1,000 and 2,000
// chains: that part shrinks per chain, what the snapshot lists does not).
//
//   npm run build && node --expose-gc bench/tools/heapPerProvider.mjs [count] [dist/esm]
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";
import "../lib/loopbackGuard.mjs";

const [countArg = "200", distArg] = process.argv.slice(2);
const dist = resolve(distArg ?? fileURLToPath(new URL("../../dist/esm", import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), "heap-per-provider-"));

if (process.env.HEAP_PER_PROVIDER_AGENT === "1") {
  const testing = await import(pathToFileURL(join(dist, "testing", "index.js")).href);
  const token = testing.createFakeJwt({ expiresInSeconds: 86_400 });
  const agent = testing.fakePodIdentityAgent({ expectedToken: token });
  setInterval(() => agent.reset(), 1000);
  const server = await testing.startLoopbackServer(agent.handler);
  writeFileSync(join(dir, "token"), token);
  process.send({
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/v1/credentials`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: join(dir, "token"),
  });
} else {
  const agent = fork(fileURLToPath(import.meta.url), [countArg, dist], {
    env: { ...process.env, HEAP_PER_PROVIDER_AGENT: "1" },
  });
  const [env] = await once(agent, "message");
  // Through process.env, as the bench's footprint children (and pods) configure it.
  Object.assign(process.env, env);
  const { fromPodProviderChain, noopLogger } = await import(pathToFileURL(join(dist, "index.js")).href);
  const providers = [];
  for (let start = 0; start < Number(countArg); start += 50) {
    const batch = Array.from({ length: 50 }, () => fromPodProviderChain({ logger: noopLogger }));
    await Promise.all(batch.map((provider) => provider()));
    providers.push(...batch);
  }
  globalThis.gc?.();
  const file = v8.writeHeapSnapshot(join(dir, "providers.heapsnapshot"));
  const rows = uniqueTo(JSON.parse(readFileSync(file, "utf8")));
  console.log(`providers: ${providers.length}; bytes reachable from one provider and not from another:`);
  console.log(`total\t${rows.reduce((sum, [size]) => sum + size, 0)}`);
  for (const [size, what, via] of rows) console.log(`${size}\t${what}\t(via ${via})`);
  agent.kill();
  rmSync(dir, { recursive: true, force: true });
}

/** Nodes reachable from the 10th provider and not from the 20th, largest first. */
function uniqueTo(snapshot) {
  const { node_fields, node_types, edge_fields, edge_types } = snapshot.snapshot.meta;
  const [nodeWidth, edgeWidth] = [node_fields.length, edge_fields.length];
  const [type, name, size, edgeCount] = ["type", "name", "self_size", "edge_count"].map((f) => node_fields.indexOf(f));
  const { nodes, edges, strings } = snapshot;
  const count = nodes.length / nodeWidth;
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) firstEdge[i + 1] = firstEdge[i] + nodes[i * nodeWidth + edgeCount];
  const label = (i) =>
    `${node_types[0][nodes[i * nodeWidth + type]]}:${strings[nodes[i * nodeWidth + name]].slice(0, 30).replace(/\n/g, " ")}`;
  const skipped = new Set(["map", "shared", "code", "feedback_cell", "__proto__"]);
  /** An edge's name, or undefined for the edges that do not keep their target alive. */
  const strongEdgeName = (e) => {
    const edgeType = edge_types[0][edges[e * edgeWidth]];
    if (edgeType === "weak" || edgeType === "shortcut") return undefined;
    const nameOrIndex = edges[e * edgeWidth + 1];
    return edgeType === "element" || edgeType === "hidden" ? `[${nameOrIndex}]` : strings[nameOrIndex];
  };
  const reach = (start) => {
    const via = new Map([[start, "root"]]);
    const queue = [start];
    while (queue.length > 0) {
      const from = queue.pop();
      for (let e = firstEdge[from]; e < firstEdge[from + 1]; e++) {
        const edgeName = strongEdgeName(e);
        if (edgeName === undefined || skipped.has(edgeName)) continue;
        const to = edges[e * edgeWidth + 2] / nodeWidth;
        if (!via.has(to)) {
          via.set(to, `${label(from)}.${edgeName}`);
          queue.push(to);
        }
      }
    }
    return via;
  };
  // The function fromPodProviderChain returns is the closure called `provider` (dist/esm keeps the names).
  const providers = closuresNamed("provider", nodes, nodeWidth, type, name, node_types, strings);
  const [one, other] = [reach(providers[10]), reach(providers[20])];
  return [...one]
    .filter(([node]) => !other.has(node))
    .map(([node, via]) => [nodes[node * nodeWidth + size], label(node), via])
    .sort((a, b) => b[0] - a[0]);
}

/** The indexes of the closures called `wanted`. */
function closuresNamed(wanted, nodes, nodeWidth, type, name, node_types, strings) {
  const found = [];
  for (let i = 0; i < nodes.length / nodeWidth; i++) {
    const isClosure = node_types[0][nodes[i * nodeWidth + type]] === "closure";
    if (isClosure && strings[nodes[i * nodeWidth + name]] === wanted) found.push(i);
  }
  return found;
}
