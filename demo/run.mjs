// `npm run demo`: loopback stand-ins for STS, the EC2 instance metadata service, kube2iam and the EKS Pod Identity
// agent, and a few pods (child processes configured by environment variables alone) that resolve credentials
// through them. Nothing leaves this machine.
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
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

const node = fakeImds({ roleName: "eks-node-role" });
const servers = {
  sts: await startLoopbackServer(fakeSts({ expectedToken: token }).handler),
  imds: await startLoopbackServer(node.handler),
  kube2iam: await startLoopbackServer(fakeKube2iam({ podRole: "orders-reader", upstream: node.handler }).handler),
  agent: await startLoopbackServer(fakePodIdentityAgent({ expectedToken: token }).handler),
};

// NODE_NO_WARNINGS hides the SDK's notice that its 2027 releases need Node 22, which is noise here.
const base = {
  PATH: process.env.PATH,
  HOME: folder,
  NODE_NO_WARNINGS: "1",
  POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "500",
  AWS_EC2_METADATA_SERVICE_ENDPOINT: servers.imds.url,
};
const situations = [
  [
    "IRSA: the ServiceAccount's role is picked",
    {
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/orders-reader",
      AWS_ENDPOINT_URL_STS: servers.sts.url,
    },
  ],
  [
    "EKS Pod Identity: the agent's answer is used",
    {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${servers.agent.url}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
    },
  ],
  [
    "kube2iam: the proxy offers the declared role, verified",
    { POD_CREDENTIALS_ROLE: "orders-reader", AWS_EC2_METADATA_SERVICE_ENDPOINT: servers.kube2iam.url },
  ],
  [
    "kube2iam declared, but nothing intercepts the metadata service: the node role is refused",
    { POD_CREDENTIALS_ROLE: "orders-reader" },
  ],
  [
    "IRSA with a missing token file: a clear error, no fall-through to the node",
    {
      AWS_WEB_IDENTITY_TOKEN_FILE: join(folder, "missing-token"),
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/orders-reader",
    },
  ],
  ["Nothing configured: refused at once, without a network request", {}],
  ["Nothing configured, node credentials explicitly allowed", { POD_CREDENTIALS_ALLOW_NODE: "true" }],
];

// The same stand-ins examined by `pod-credentials doctor` (the package's command-line tool), as an operator would
// run it inside a pod: every source on its own, what answers at the metadata endpoint, and what the chain does.
const doctorSituations = [
  [
    "pod-credentials doctor: kube2iam verified (exit 0)",
    { POD_CREDENTIALS_ROLE: "orders-reader", AWS_EC2_METADATA_SERVICE_ENDPOINT: servers.kube2iam.url },
  ],
  ["pod-credentials doctor: nothing configured, only the real IMDS answers (exit 2)", {}],
];

try {
  for (const [title, env] of situations) {
    console.log(`\n# ${title}`);
    const { stdout, stderr } = await run(process.execPath, [join(import.meta.dirname, "pod.mjs")], {
      env: { ...base, ...env },
    }).catch((error) => error);
    process.stdout.write(stdout);
    if (stderr) process.stdout.write(stderr.replace(/^/gm, "  ").replace(/ +$/, ""));
  }
  const doctor = join(import.meta.dirname, "..", "dist", "esm", "cli", "main.js");
  for (const [title, env] of doctorSituations) {
    console.log(`\n# ${title}\n`);
    const result = await run(process.execPath, [doctor, "doctor"], { env: { ...base, ...env } }).catch(
      (error) => error,
    );
    process.stdout.write(result.stdout.replace(/^(?=.)/gm, "  "));
    if (result.stderr) process.stdout.write(result.stderr.replace(/^(?=.)/gm, "  "));
    console.log(`  -> exit code ${typeof result.code === "number" ? result.code : 0}`);
  }
} finally {
  await Promise.all(Object.values(servers).map((server) => server.close()));
}
