// One "pod": a process configured by environment variables alone, as Kubernetes configures a container. It asks the
// AWS SDK's default chain (fromNodeProviderChain, which reads process.env itself) and fromPodProviderChain for
// credentials, and prints one JSON line: the access key id each got (not a secret: the demo maps it back to the fake
// that issued it) or the error, once.
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { fromPodProviderChain } from "../dist/esm/index.js";

const outcome = async (provider) => {
  try {
    const { accessKeyId } = await provider();
    return { accessKeyId };
  } catch (error) {
    return { error: `${error.name}: ${error.message}` };
  }
};

const warnings = [];
const logger = { debug() {}, info() {}, warn: (line) => warnings.push(line), error() {} };
const ours = fromPodProviderChain({ logger });
const sdk = await outcome(fromNodeProviderChain());
const pod = await outcome(ours);
console.log(JSON.stringify({ sdk, ours: { ...pod, source: ours.describe()?.source, warnings } }));
