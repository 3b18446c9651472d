// Once a source has answered, refreshes ask that source only: they do not walk the chain again, even when an earlier
// source has become available since. Static keys (the `env` source) make this visible without any network.
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { temporaryFile } from "../support/fakes.js";
import { recordOutput, registerSecrets, testLogger } from "../support/leakCheck.js";

const staticKeys = () => {
  const secretAccessKey = "pinnedSourceSecretAccessKey0000000000001";
  registerSecrets(secretAccessKey);
  return { AWS_ACCESS_KEY_ID: "AKIAPINNEDSOURCE0001", AWS_SECRET_ACCESS_KEY: secretAccessKey };
};

const SKIPPED_POD_IDENTITY =
  "podIdentity: AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_CREDENTIALS_RELATIVE_URI are not set";

describe("the pinned source", () => {
  it("logs the walk of the chain at debug on the first resolution, and only 'refreshed from' on a refresh", async () => {
    const logger = testLogger();
    const provider = fromPodProviderChain({ env: staticKeys(), sources: ["podIdentity", "env"], logger });

    await provider();
    expect(logger.at("debug")).toEqual([
      `pod-credentials: skipped ${SKIPPED_POD_IDENTITY}`,
      "pod-credentials: trying env, configured by AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
      "pod-credentials: resolved from env",
    ]);
    logger.lines.length = 0;

    await provider({ forceRefresh: true });
    expect(logger.lines).toEqual([
      "debug pod-credentials: refreshed from env",
      "debug pod-credentials: refreshed env credentials, now expiring never",
    ]);
  });

  it("refreshes from the source that answered, even after an earlier source has become configured", async () => {
    const annotations = await temporaryFile("annotations", 'kubernetes.io/config.source="api"\n');
    const logger = testLogger();
    const provider = fromPodProviderChain({
      env: { ...staticKeys(), POD_CREDENTIALS_ANNOTATIONS_FILE: annotations },
      sources: ["kube2iam", "env"],
      logger,
    });
    const first = await provider();
    await writeFile(annotations, 'iam.amazonaws.com/role="orders-reader"\n');

    const refreshed = await provider({ forceRefresh: true });

    expect(refreshed).toEqual(first);
    expect(provider.describe()).toMatchObject({
      source: "env",
      refreshCount: 1,
      skipped: [
        {
          source: "kube2iam",
          reason: `POD_CREDENTIALS_ROLE is not set and ${annotations} has no iam.amazonaws.com/role annotation`,
        },
      ],
    });
    expect(logger.lines.join("\n")).not.toContain("trying kube2iam");
  });

  it("describes credentials that never expire with no planned refresh", async () => {
    const provider = fromPodProviderChain({ env: staticKeys(), sources: ["env"], logger: testLogger() });
    await provider();
    const description = provider.describe();
    recordOutput(description);
    expect(description).toMatchObject({ source: "env", expiration: undefined, refreshCount: 0 });
    expect(description).toHaveProperty("nextRefreshAt", undefined);
  });
});
