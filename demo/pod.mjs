// One "pod": resolves credentials with fromPodProviderChain, configured by environment variables alone, and prints
// what an operator would see. Run by demo/run.mjs with a different environment for each situation.
import { fromPodProviderChain } from "../dist/esm/index.js";

// Every log line to standard output, in order, marked with its level.
const line =
  (level) =>
  (...parts) =>
    console.log(`  [${level}] ${parts.join(" ")}`);
const logger = { debug: () => {}, info: line("info"), warn: line("warn"), error: line("error") };
const provider = fromPodProviderChain({ region: "us-east-1", logger });
try {
  const credentials = await provider();
  const { source, roleArn, roleName, accountId, expiration } = provider.describe() ?? {};
  console.log(
    `  -> credentials from ${source}: role ${roleArn ?? roleName ?? "(unknown)"}, account ${accountId ?? "(unknown)"}, access key …${credentials.accessKeyId.slice(-4)}, expires ${expiration?.toISOString()}`,
  );
} catch (error) {
  console.log(`  -> ${error.name}: ${error.message}`);
  process.exitCode = 2;
}
