// Runs inside the pod namespace with only the environment EKS, kube2iam or kiam would leave. Prints one line
// `RESULT <json>` (never a secret: an access key id is no secret) after whatever the library logged.
//   node pod.mjs chain [--again] [--verify]   fromPodProviderChain(); --again: a forced second resolution;
//                                             --verify: STS GetCallerIdentity signed with the credentials
//   node pod.mjs sdk                          the AWS SDK's fromNodeProviderChain(), for comparison
import { createHash, createHmac } from "node:crypto";
import { request } from "node:https";
import { SignatureV4 } from "@smithy/signature-v4";
import { fromPodProviderChain } from "pod-credentials";

const [mode, ...flags] = process.argv.slice(2);

class Sha256 {
  constructor(secret) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", secret);
  }
  update(data) {
    this.hash.update(typeof data === "string" ? Buffer.from(data) : data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

/** A real `GetCallerIdentity`, SigV4-signed, to STS's regional host over TLS. */
const getCallerIdentity = async (credentials, region) => {
  const hostname = `sts.${region}.amazonaws.com`;
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const signer = new SignatureV4({ credentials, region, service: "sts", sha256: Sha256 });
  const signed = await signer.sign({
    method: "POST",
    protocol: "https:",
    hostname,
    path: "/",
    headers: { host: hostname, "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { hostname, path: "/", method: "POST", headers: signed.headers, timeout: 5000 },
      (answer) => {
        let text = "";
        answer.on("data", (chunk) => {
          text += chunk;
        });
        answer.on("end", () => resolve({ status: answer.statusCode, arn: /<Arn>([^<]*)<\/Arn>/.exec(text)?.[1] }));
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error("timed out")));
    outgoing.on("error", reject);
    outgoing.end(body);
  });
};

const failure = (error) => ({ ok: false, name: error?.name, message: String(error?.message ?? error) });

let result;
if (mode === "chain") {
  const provider = fromPodProviderChain();
  try {
    const credentials = await provider();
    result = { ok: true, describe: provider.describe(), accessKeyId: credentials.accessKeyId };
    if (flags.includes("--again")) {
      const again = await provider({ forceRefresh: true });
      result.again = { accessKeyId: again.accessKeyId };
    }
    if (flags.includes("--verify")) {
      result.callerIdentity = await getCallerIdentity(credentials, process.env.AWS_REGION).catch(failure);
    }
  } catch (error) {
    result = failure(error);
  }
} else if (mode === "sdk") {
  const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
  try {
    const credentials = await fromNodeProviderChain()();
    result = { ok: true, accessKeyId: credentials.accessKeyId };
  } catch (error) {
    result = failure(error);
  }
} else {
  result = { ok: false, message: `unknown mode ${mode}` };
}
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
process.exitCode = result.ok ? 0 : 2;
