// A pod, for the child-process tests (`*.process.test.ts`): the built package, configured by its environment alone.
import { fromPodProviderChain } from "../../dist/esm/index.js";

try {
  const provider = fromPodProviderChain();
  const credentials = await provider();
  console.log(JSON.stringify({ ok: true, source: provider.describe()?.source, accessKeyId: credentials.accessKeyId }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, name: error.name, message: error.message }));
  process.exitCode = 2;
}
