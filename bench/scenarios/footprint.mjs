// Scenario 7: memory per chain, import time of the package, installed size of its production dependencies.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { alternate } from "../lib/alternate.mjs";
import { IMPLEMENTATION_LABELS as LABEL } from "../lib/implementations.mjs";
import { dependencyClosure, folderBytes, productionPackageFolders } from "../lib/installedSize.mjs";
import { RESULT_MARKER, runChild } from "../lib/runChild.mjs";
import { fmt, fmtBytes, fmtRatio, median, ratio, spread } from "../lib/stats.mjs";

const MEMORY_CHILD = new URL("../children/memory.mjs", import.meta.url);
const DEFAULT_REPETITIONS = 5;
const CHAINS = 1000;
const MEMORY_TARGET = 1.0;
const IMPORT_TARGET = 1.0;
const BATCH = 50;

/**
 * ES module code for `node -e`: times one cold import(), checks the export is there, and lists which packages the
 * import loaded through the CommonJS loader (the SDK's packages are CommonJS when imported from Node).
 */
const importCode = (specifier, exportName) =>
  [
    `import { createRequire } from "node:module";`,
    `const started = process.hrtime.bigint();`,
    `const module = await import(${JSON.stringify(specifier)});`,
    `const importMs = Number(process.hrtime.bigint() - started) / 1e6;`,
    `if (typeof module[${JSON.stringify(exportName)}] !== "function") throw new Error("missing export ${exportName}");`,
    `const files = Object.keys(createRequire(import.meta.url).cache);`,
    `const packages = [...new Set(files.map((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1]).filter(Boolean))].sort();`,
    `process.stdout.write("\\n${RESULT_MARKER}" + JSON.stringify({ importMs, commonJsFiles: files.length, packages }) + "\\n");`,
  ].join("\n");

// What one resolved Pod Identity provider holds, from a heap snapshot of 200 of them (bench/tools/heapPerProvider.mjs:
// what one provider reaches that another does not), and what heapUsed counts beyond it.
const MEMORY_HELD =
  "A heap snapshot of 200 resolved Pod Identity providers (bench/tools/heapPerProvider.mjs: what one provider " +
  "reaches that another does not) puts about 1.7 KB on each, of which 0.7 KB are the credentials (which the SDK " +
  "chain keeps too) and the rest the cache and its settled promise, the resolver (one object, its method shared) and " +
  "its pinned source (the endpoint and token file as strings, two numbers), the description, the redactor's list of " +
  "the credentials' secrets, and the provider, describe() and ready(). The Pod Identity token is held only while a " +
  "request runs: the redactor " +
  "holds it for that resolution and forgets it after, every output of the resolution being redacted before it " +
  "leaves. The settings are dropped once a source is pinned; texts read from the environment (what configured the " +
  "source, why others were skipped, the token file's path, an endpoint without a query) are one copy per process; a " +
  "provider with noopLogger and no onEvent reports to one shared observer. The rest of heapUsed, for both chains " +
  "alike (about 1.1 KB per chain at 1,000 chains, less at 2,000), is code and feedback V8 compiles while the chains " +
  "are created.";
const MEMORY_MET = `${MEMORY_HELD} Before this round a provider held 3.6 KB in the same snapshot and 5.8 KB per chain here.`;
const MEMORY_MISSED =
  `${MEMORY_HELD} What is left above the SDK's figure is mostly the machinery it has no equivalent of: the cache's ` +
  "refresh plan and failure state, the description, the redactor.";

export const footprint = async ({ root, dist, env, sandbox, profiles, repetitionsOverride, progress }) => {
  const repetitions = repetitionsOverride ?? DEFAULT_REPETITIONS;

  // Memory per chain.
  const memory = await alternate(["ours", "sdkChain"], repetitions, async (impl) => {
    progress(`memory per chain: ${impl}`);
    return runChild(
      MEMORY_CHILD,
      { impl, dist, chains: CHAINS, batch: BATCH },
      { env: env(profiles.podIdentity), nodeArgs: ["--expose-gc"] },
    );
  });
  const bytes = (impl) => memory[impl].map((result) => result.bytesPerChain);

  // Import time, cold, one process each.
  const imports = {
    ours: {
      code: importCode(pathToFileURL(join(dist, "index.js")).href, "fromPodProviderChain"),
      label: "pod-credentials (dist/esm/index.js)",
    },
    sdkChain: {
      code: importCode("@aws-sdk/credential-providers", "fromNodeProviderChain"),
      label: "@aws-sdk/credential-providers",
    },
    nodeHttpHandler: {
      code: importCode("@smithy/node-http-handler", "NodeHttpHandler"),
      label: "for reference: @smithy/node-http-handler alone",
    },
    nothing: { code: importCode("node:os", "cpus"), label: "baseline: node:os (Node's own start-up)" },
  };
  const importRuns = await alternate(Object.keys(imports), repetitions, async (name) => {
    progress(`import time: ${name}`);
    const started = process.hrtime.bigint();
    const result = await runChild({ eval: imports[name].code }, {}, { env: env({}), cwd: root });
    return { ...result, wallMs: Number(process.hrtime.bigint() - started) / 1e6 };
  });
  const importMs = (name) => importRuns[name].map((result) => result.importMs);
  const wallMs = (name) => importRuns[name].map((result) => result.wallMs);

  // Installed size. npm gets the same scrubbed environment, with a HOME of its own (it may write logs there).
  progress("installed size of production dependencies");
  const npmHome = join(sandbox.root, "npm-home");
  mkdirSync(npmHome);
  const folders = productionPackageFolders(root, { ...env({}), HOME: npmHome, npm_config_update_notifier: "false" });
  const totalBytes = folders.reduce((sum, folder) => sum + folderBytes(folder), 0);
  const sdkFolders = dependencyClosure(join(root, "node_modules", "@aws-sdk", "credential-providers"));
  const sdkBytes = sdkFolders.reduce((sum, folder) => sum + folderBytes(folder), 0);
  const ownDist = ["esm", "cjs"].map((flavour) => [flavour, join(dist, "..", flavour)]);
  const ownDistBytes = ownDist.map(([flavour, folder]) => [
    flavour,
    existsSync(folder) ? folderBytes(folder) : undefined,
  ]);
  const notInSdk = folders
    .filter((folder) => !sdkFolders.includes(folder))
    .map((folder) => folder.slice(folder.lastIndexOf("node_modules/") + 13));
  const oursLoads = importRuns.ours[0].packages;
  const sdkLoads = importRuns.sdkChain[0].packages;
  const onlyOurs = oursLoads.filter((name) => !sdkLoads.includes(name));
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

  const memoryRatio = ratio(median(bytes("ours")), median(bytes("sdkChain")));
  const importRatio = ratio(median(importMs("ours")), median(importMs("sdkChain")));
  return {
    id: "footprint",
    title: "7. Footprint: memory per chain, import time, installed size",
    method:
      `Memory: in a child run with --expose-gc, one chain is created, resolved and dropped (so lazily loaded modules are in ` +
      `the baseline), then heapUsed is read after gc, ${CHAINS.toLocaleString("en-US")} chains are created and resolved (Pod ` +
      `Identity, ${BATCH} at a time) and kept, gc again: (after − baseline) / ${CHAINS.toLocaleString("en-US")}. Import: a fresh ` +
      `\`node --input-type=module -e\` process per measurement, import() timed inside it; "process wall time" is the parent's ` +
      `spawn-to-exit time. Size: the folders listed by \`npm ls --omit=dev --all --parseable\` (the project itself excluded), ` +
      `regular files summed, each package without its nested node_modules (listed separately).`,
    tables: [
      {
        caption: "Memory per chain:",
        headers: ["implementation", "heap bytes per chain, median (min–max)", "ratio ours/SDK", "repetitions"],
        rows: [
          [LABEL.ours, spread(bytes("ours"), " B"), fmtRatio(memoryRatio), memory.ours.length],
          [LABEL.sdkChain, spread(bytes("sdkChain"), " B"), "", memory.sdkChain.length],
        ],
      },
      {
        caption: "Import time (cold process):",
        headers: [
          "module",
          "import(), median (min–max)",
          "process wall time, median",
          "CommonJS files loaded",
          "ratio ours/SDK (import)",
          "repetitions",
        ],
        rows: Object.entries(imports).map(([name, entry]) => [
          entry.label,
          spread(importMs(name), " ms"),
          `${fmt(median(wallMs(name)))} ms`,
          fmt(median(importRuns[name].map((result) => result.commonJsFiles))),
          name === "ours" ? fmtRatio(ratio(median(importMs("ours")), median(importMs("sdkChain")))) : "",
          importRuns[name].length,
        ]),
      },
      {
        caption: "Installed size:",
        headers: ["what", "packages", "bytes"],
        rows: [
          [
            `production dependencies of pod-credentials (${Object.keys(manifest.dependencies ?? {}).join(", ")})`,
            folders.length,
            fmtBytes(totalBytes),
          ],
          ["of which @aws-sdk/credential-providers and its own dependencies", sdkFolders.length, fmtBytes(sdkBytes)],
          ...ownDistBytes.map(([flavour, size]) => [
            `pod-credentials' own dist/${flavour} (as built for this run), for scale`,
            1,
            size === undefined ? "not built" : fmtBytes(size),
          ]),
        ],
      },
    ],
    targets: [
      {
        target: `memory per chain at most ${MEMORY_TARGET}x the SDK chain`,
        measured: `${fmt(median(bytes("ours")))} B vs ${fmt(median(bytes("sdkChain")))} B: ${fmtRatio(memoryRatio)}`,
        met: memoryRatio <= MEMORY_TARGET,
        why: memoryRatio <= MEMORY_TARGET ? MEMORY_MET : MEMORY_MISSED,
      },
      {
        target: `import of pod-credentials at most ${IMPORT_TARGET}x the SDK chain's`,
        measured: `${fmt(median(importMs("ours")))} ms vs ${fmt(median(importMs("sdkChain")))} ms: ${fmtRatio(importRatio)}`,
        met: importRatio <= IMPORT_TARGET,
        why:
          "importing the package loads its own modules (22 small ES modules, no SDK package) and none of Node's network " +
          "stack: node:http, node:net, node:https, node:tls and node:crypto load at the first request that needs them.",
      },
    ],
    notes: [
      `Packages loaded (CommonJS) by importing pod-credentials: ${oursLoads.join(", ") || "none"}; by importing @aws-sdk/credential-providers: ${sdkLoads.join(", ") || "none"}` +
        (onlyOurs.length > 0 ? `. Only ours loads ${onlyOurs.join(", ")} at import time.` : "."),
      notInSdk.length === 0
        ? "Every production dependency is also a dependency of @aws-sdk/credential-providers: the package adds nothing beyond the SDK provider package it builds on."
        : `Production dependencies outside @aws-sdk/credential-providers' tree: ${notInSdk.join(", ")}.`,
    ],
    data: {
      bytesPerChain: { ours: bytes("ours"), sdkChain: bytes("sdkChain") },
      importMs: Object.fromEntries(Object.keys(imports).map((name) => [name, importMs(name)])),
      installed: { packages: folders.length, totalBytes, sdkPackages: sdkFolders.length, sdkBytes },
    },
  };
};
