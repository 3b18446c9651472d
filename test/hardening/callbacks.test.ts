// A user's logger or onEvent handler can never change what the provider returns or crash the process: a handler that
// throws or rejects, and a logger that throws or rejects, are caught, and each failure is reported once through the
// other channel (the handler's through the logger; the logger's as a process warning, since it cannot say it itself).
import type { Logger } from "@smithy/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type CredentialEvent, fromPodProviderChain } from "../../src/index.js";
import { fakePodIdentityAgent } from "../../src/testing/index.js";
import { secretCredentials, secretToken, serveWithMsw } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";

const AGENT = "http://169.254.170.23";
const agentPod = async () => {
  const credentials = secretCredentials("CALLBACK");
  await serveWithMsw(AGENT, fakePodIdentityAgent({ credentials }));
  return {
    credentials,
    env: {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken(),
    },
  };
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("an onEvent handler that fails", () => {
  it.each([
    [
      "throws",
      () => {
        throw new Error("exporter down");
      },
    ],
    [
      "returns a rejected promise",
      async () => {
        throw new Error("exporter down");
      },
    ],
  ])("that %s changes nothing the provider returns, and is logged once at warn", async (_case, onEvent) => {
    const { credentials, env } = await agentPod();
    const logger = testLogger();
    const provider = fromPodProviderChain({ env, logger, onEvent });

    const first = await provider();
    await provider({ forceRefresh: true });
    await new Promise((resolve) => setImmediate(resolve));

    expect(first.accessKeyId).toBe(credentials.accessKeyId);
    expect(provider.describe()?.source).toBe("podIdentity");
    expect(logger.at("warn").filter((line) => line.includes("onEvent handler"))).toEqual([
      "pod-credentials: the onEvent handler threw on a resolved event: exporter down; later failures of the handler are not logged",
    ]);
  });
});

describe("a logger that fails", () => {
  const failing = (how: "throw" | "reject"): Logger => {
    const fail = (...content: unknown[]) => {
      const error = new TypeError(`log sink closed: ${String(content[0]).slice(0, 20)}`);
      if (how === "throw") throw error;
      return Promise.reject(error);
    };
    return { debug: fail, info: fail, warn: fail, error: fail };
  };

  it.each(["throw", "reject"] as const)(
    "(its methods %s) changes nothing: credentials, the resolved event and describe(); one process warning",
    async (how) => {
      const { credentials, env } = await agentPod();
      const warnings = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
      const events: CredentialEvent["type"][] = [];
      const provider = fromPodProviderChain({ env, logger: failing(how), onEvent: (event) => events.push(event.type) });

      const resolved = await provider();
      await new Promise((resolve) => setImmediate(resolve));

      expect(resolved.secretAccessKey).toBe(credentials.secretAccessKey);
      expect(events).toEqual(["resolved"]);
      expect(provider.describe()).toMatchObject({ source: "podIdentity", refreshCount: 0 });
      expect(warnings.mock.calls).toEqual([
        [
          `pod-credentials: the logger's debug() failed (TypeError); its lines are dropped`,
          { code: "POD_CREDENTIALS_LOGGER_FAILED" },
        ],
      ]);
    },
  );
});
