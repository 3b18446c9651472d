// A provider as the STS-facing suites (identity verification, role chaining) watch it: isolated by `env`, its log
// lines and events recorded, STS in us-east-1 unless the options say otherwise.
import { type CredentialEvent, fromPodProviderChain, type PodProviderChainOptions } from "../../src/index.js";
import { testLogger } from "./leakCheck.js";

/** `fromPodProviderChain` with `env`, a recording logger and the events it emitted, oldest first. */
export const observedProvider = (env: Record<string, string>, options: PodProviderChainOptions = {}) => {
  const logger = testLogger();
  const events: CredentialEvent[] = [];
  const credentials = fromPodProviderChain({
    env,
    logger,
    region: "us-east-1",
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { credentials, logger, events };
};
