// A tiny service that lists an S3 bucket with the pod's own credentials.
//
//   BUCKET=orders node index.mjs          # then: curl localhost:8080/  (and /healthz)
//
// In a pod, fromPodProviderChain() uses IRSA, EKS Pod Identity or kube2iam/kiam, and refuses the node's role. On a
// laptop, set POD_CREDENTIALS_SOURCES=sharedConfig (and AWS_PROFILE) to use your ~/.aws profile.
import { createServer } from "node:http";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { fromPodProviderChain, isPodCredentialsError } from "pod-credentials";

const bucket = process.env.BUCKET;
if (!bucket) {
  console.error("Set BUCKET to the name of the bucket to list.");
  process.exit(1);
}
const port = Number(process.env.PORT ?? 8080);

// One provider for the whole process: it caches the credentials and refreshes them before they expire. It logs one
// line naming the source and role it uses, and throws an error that says how to fix the set-up when there is none.
const credentials = fromPodProviderChain();
const s3 = new S3Client({ credentials, region: process.env.AWS_REGION ?? "us-east-1" });

// Fail at start-up, not at the first request, when the pod has no identity of its own. The provider has already
// logged the error with its fix; exit so that Kubernetes shows the pod as failing.
try {
  await credentials();
} catch (error) {
  console.error(
    `no AWS credentials for this pod (${isPodCredentialsError(error) ? error.name : String(error)}): exiting`,
  );
  process.exit(2);
}

const listKeys = async () => {
  const keys = [];
  let ContinuationToken;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken, MaxKeys: 1000 }));
    for (const object of page.Contents ?? []) keys.push({ key: object.Key, size: object.Size });
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken && keys.length < 10_000);
  return keys;
};

const send = (response, status, body) => {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(`${JSON.stringify(body)}\n`);
};

const server = createServer(async (request, response) => {
  if (request.url === "/healthz") {
    // describe() names the source and role, never a secret.
    const { source, roleArn, roleName, expiration } = credentials.describe() ?? {};
    send(response, 200, { source, role: roleArn ?? roleName, expiration });
    return;
  }
  if (request.method !== "GET" || request.url !== "/") {
    send(response, 404, { error: "not found" });
    return;
  }
  try {
    send(response, 200, { bucket, objects: await listKeys() });
  } catch (error) {
    // A credentials problem says what to fix; an S3 error (AccessDenied, NoSuchBucket) comes from the role's policy.
    const name = error instanceof Error ? error.name : "Error";
    console.error(`listing s3://${bucket} failed: ${name}: ${error instanceof Error ? error.message : String(error)}`);
    send(response, isPodCredentialsError(error) ? 503 : 502, { error: name });
  }
});

server.listen(port, () => console.log(`listing s3://${bucket} on http://localhost:${port}/`));
for (const signal of ["SIGTERM", "SIGINT"]) process.once(signal, () => server.close(() => process.exit(0)));
