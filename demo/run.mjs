// `npm run demo`: the same pods, side by side, under the AWS SDK's default chain (fromNodeProviderChain) and under
// fromPodProviderChain. Loopback stand-ins for STS, the EC2 instance metadata service (whose role is the node's),
// kube2iam and the EKS Pod Identity agent; each pod is a child process configured by environment variables alone
// (demo/pod.mjs), where both chains run against the same stand-ins. Nothing leaves this machine.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  createFakeCredentials,
  createFakeJwt,
  fakeImds,
  fakeKube2iam,
  fakePodIdentityAgent,
  fakeSts,
  startLoopbackServer,
} from "../dist/esm/testing/index.js";

const run = promisify(execFile);
const folder = await mkdtemp(join(tmpdir(), "pod-credentials-demo-"));
const token = createFakeJwt();
const tokenFile = join(folder, "token");
await writeFile(tokenFile, token);
const ROLE_ARN = "arn:aws:iam::123456789012:role/orders-reader";

// Each stand-in issues keys of its own, so an access key id says whose credentials a chain handed out.
const issued = {
  node: createFakeCredentials("NODE"),
  sts: createFakeCredentials("IRSA"),
  agent: createFakeCredentials("PODID"),
  kube2iam: createFakeCredentials("KUBEIAM"),
};
const whose = new Map([
  [issued.node.accessKeyId, "NODE ROLE eks-node-role  <--"],
  [issued.sts.accessKeyId, "orders-reader (IRSA)"],
  [issued.agent.accessKeyId, "the pod's role (Pod Identity)"],
  [issued.kube2iam.accessKeyId, "orders-reader (kube2iam)"],
]);

const node = fakeImds({ roleName: "eks-node-role", credentials: issued.node });
const servers = {
  sts: await startLoopbackServer(fakeSts({ expectedToken: token, credentials: issued.sts }).handler),
  imds: await startLoopbackServer(node.handler),
  kube2iam: await startLoopbackServer(
    fakeKube2iam({ podRole: "orders-reader", upstream: node.handler, credentials: issued.kube2iam }).handler,
  ),
  agent: await startLoopbackServer(fakePodIdentityAgent({ expectedToken: token, credentials: issued.agent }).handler),
};

// NODE_NO_WARNINGS hides the SDK's notice that its 2027 releases need Node 22: noise in a demo.
const base = {
  PATH: process.env.PATH,
  HOME: folder,
  NODE_NO_WARNINGS: "1",
  AWS_REGION: "us-east-1",
  POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "500",
  AWS_EC2_METADATA_SERVICE_ENDPOINT: servers.imds.url,
};
const irsa = { AWS_ROLE_ARN: ROLE_ARN, AWS_ENDPOINT_URL_STS: servers.sts.url };
const pods = [
  ["IRSA", { ...irsa, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile }],
  ["IRSA, AWS_WEB_IDENTITY_TOKEN_FILE missing", irsa],
  ["IRSA, token file not mounted", { ...irsa, AWS_WEB_IDENTITY_TOKEN_FILE: join(folder, "missing") }],
  [
    "EKS Pod Identity",
    {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${servers.agent.url}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
    },
  ],
  [
    "kube2iam intercepting",
    { POD_CREDENTIALS_ROLE: "orders-reader", AWS_EC2_METADATA_SERVICE_ENDPOINT: servers.kube2iam.url },
  ],
  ["kube2iam declared, not intercepting", { POD_CREDENTIALS_ROLE: "orders-reader" }],
  ["nothing configured", {}],
  ["nothing configured, node allowed", { POD_CREDENTIALS_ALLOW_NODE: "true" }],
];

const errors = [];
/** A chain's outcome in one cell; an error's text goes to the list below the table, once however often it occurs. */
const cell = ({ accessKeyId, error, warnings = [] }) => {
  if (error === undefined) {
    return `${whose.get(accessKeyId) ?? `key ${accessKeyId}`}${warnings.length > 0 ? " (warns)" : ""}`;
  }
  if (!errors.includes(error)) errors.push(error);
  return `error [${errors.indexOf(error) + 1}] ${error.split(":")[0]}`;
};

const rows = [];
try {
  for (const [title, env] of pods) {
    const { stdout } = await run(process.execPath, [join(import.meta.dirname, "pod.mjs")], {
      env: { ...base, ...env },
    });
    const { sdk, ours } = JSON.parse(stdout.trim().split("\n").at(-1));
    rows.push([`${rows.length + 1}. ${title}`, cell(sdk), cell(ours)]);
  }
} finally {
  await Promise.all(Object.values(servers).map((server) => server.close()));
  await rm(folder, { recursive: true, force: true });
}

const header = ["pod", "AWS SDK fromNodeProviderChain()", "fromPodProviderChain()"];
const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
const line = (row) =>
  row
    .map((text, column) => text.padEnd(widths[column]))
    .join("  ")
    .trimEnd();
console.log("The same pods under the AWS SDK's default chain and under pod-credentials, against loopback stand-ins");
console.log(
  "for STS, the instance metadata service (the node's role: eks-node-role), kube2iam and the Pod Identity agent.\n",
);
console.log(line(header));
console.log(line(widths.map((width) => "-".repeat(width))));
for (const row of rows) console.log(line(row));
const nodeRole = rows.filter(([, sdk]) => sdk.startsWith("NODE ROLE")).length;
const refused = rows.filter(([, sdk, ours]) => sdk.startsWith("NODE ROLE") && !ours.startsWith("NODE ROLE")).length;
console.log(
  `\nThe SDK's chain handed ${nodeRole} of ${rows.length} pods the node's role, without a word. pod-credentials`,
);
console.log(`refused it in ${refused} of them, saying how to fix the pod, and used it only where`);
console.log("POD_CREDENTIALS_ALLOW_NODE=true allows it, with a warning.");
console.log("\nErrors, each once:");
for (const [index, error] of errors.entries()) console.log(`[${index + 1}] ${error}`);
console.log("\nWhy, for a real pod: pod-credentials doctor (docs/doctor.md).");
