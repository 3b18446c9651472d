import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fromPodProviderChain, isPodCredentialsError, type NoPodCredentialsError } from "../../src/index.js";
import { resetImdsTokenStates } from "../../src/sources/instanceProfile.js";
import { fakeImds, fakePodIdentityAgent } from "../../src/testing/index.js";
import { secretCredentials, secretToken, serveWithMsw } from "../support/fakes.js";
import { recordOutput, registerSecrets, rejectionOf, testLogger } from "../support/leakCheck.js";
import { mswServer } from "../support/mswServer.js";
import { expectSourceError } from "../support/sourceErrors.js";

describe("with no pod-scoped source configured", () => {
  it("throws NoPodCredentialsError on the first call without any network request", async () => {
    const requests: string[] = [];
    mswServer.events.on("request:start", ({ request }) => requests.push(request.url));
    const provider = fromPodProviderChain({ env: {}, logger: testLogger() });

    const error = await rejectionOf(provider());

    expect(isPodCredentialsError(error, "NoPodCredentialsError")).toBe(true);
    expect(requests).toEqual([]);
    mswServer.events.removeAllListeners();
  });

  it("lists every source with the reason it was skipped, and how to configure one", async () => {
    const error = (await rejectionOf(
      fromPodProviderChain({ env: {}, logger: testLogger(), annotationsFile: undefined })(),
    )) as NoPodCredentialsError;

    expect(error.skipped.map(({ source }) => source)).toEqual([
      "webIdentity",
      "podIdentity",
      "kube2iam",
      "instanceProfile",
    ]);
    expect(error.message).toContain("webIdentity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set");
    expect(error.message).toContain(
      "podIdentity: AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_CREDENTIALS_RELATIVE_URI are not set",
    );
    expect(error.message).toContain(
      "kube2iam: POD_CREDENTIALS_ROLE is not set and there is no annotations file at /etc/podinfo/annotations",
    );
    expect(error.message).toContain("instanceProfile: node credentials are not allowed");
    expect(error.message).toContain("Fix: configure a pod-scoped identity: IRSA");
  });

  it("does not fall through to the node's instance profile even when the metadata endpoint would answer", async () => {
    let metadataCalls = 0;
    mswServer.use(
      http.all("http://169.254.169.254/*", () => {
        metadataCalls++;
        return HttpResponse.text("eks-node-role");
      }),
    );
    const error = await rejectionOf(fromPodProviderChain({ env: {}, logger: testLogger() })());
    expect(error.name).toBe("NoPodCredentialsError");
    expect(metadataCalls).toBe(0);
  });

  it("keeps failing on later calls, each time without network traffic", async () => {
    const provider = fromPodProviderChain({ env: {}, logger: testLogger() });
    for (let call = 0; call < 3; call++) expect((await rejectionOf(provider())).name).toBe("NoPodCredentialsError");
  });

  it("logs the failure once at error level, and repeats of it at debug only", async () => {
    const logger = testLogger();
    const provider = fromPodProviderChain({ env: {}, logger });
    await rejectionOf(provider());
    await rejectionOf(provider());
    expect(logger.at("error")).toHaveLength(1);
    expect(logger.at("error")[0]).toContain("NoPodCredentialsError");
  });

  it("logs each skipped source with its reason at debug, the node's instance profile included", async () => {
    const logger = testLogger();
    await rejectionOf(fromPodProviderChain({ env: {}, sources: ["podIdentity", "instanceProfile"], logger })());
    expect(logger.at("debug")).toEqual([
      "pod-credentials: skipped podIdentity: AWS_CONTAINER_CREDENTIALS_FULL_URI and " +
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI are not set",
      "pod-credentials: skipped instanceProfile: node credentials are not allowed (set " +
        "POD_CREDENTIALS_ALLOW_NODE=true to accept the node's shared role)",
    ]);
  });

  it("has no description before a successful resolution", async () => {
    const provider = fromPodProviderChain({ env: {}, logger: testLogger() });
    await rejectionOf(provider());
    recordOutput(provider.describe());
    expect(provider.describe()).toBeUndefined();
  });
});

describe("credentials that arrive already expired", () => {
  const NOW = new Date("2026-11-27T21:00:00.000Z");
  afterEach(() => vi.useRealTimers());

  const staticKeysExpiring = (expiration: Date) => {
    const secretAccessKey = "failFastSecretAccessKey00000000000000001";
    registerSecrets(secretAccessKey);
    return fromPodProviderChain({
      env: {
        AWS_ACCESS_KEY_ID: "AKIAFAILFAST00000001",
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
        AWS_CREDENTIAL_EXPIRATION: expiration.toISOString(),
      },
      sources: ["env"],
      logger: testLogger(),
    });
  };

  it("are refused when they expire this very millisecond, naming the source and the clock to check", async () => {
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    const error = await expectSourceError(expect, staticKeysExpiring(NOW)(), {
      source: "env",
      fix: "check the clock of this node (NTP) and of the endpoint that issued them.",
    });
    expect(error.message).toBe(
      "[env] The credentials arrived already expired (expiration 2026-11-27T21:00:00.000Z). Fix: check the clock " +
        "of this node (NTP) and of the endpoint that issued them.",
    );
  });

  it.each([
    [
      "the node's instance profile",
      "instanceProfile",
      "the instance metadata service hands out its last credentials, even expired, while it cannot renew them: check " +
        "the instance's role and this node's clock (NTP).",
    ],
    [
      "the EKS Pod Identity agent",
      "podIdentity",
      "the EKS Pod Identity agent hands out its last credentials, even expired, while it cannot reach the EKS Auth " +
        "API: check the agent's logs and its access to EKS Auth, then this node's clock (NTP).",
    ],
  ] as const)("from %s: the fix says that endpoint keeps serving its last credentials", async (_, source, fix) => {
    // A whole second: both endpoints send their Expiration without milliseconds.
    const expiration = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const credentials = secretCredentials("EXPIRED");
    let options: Parameters<typeof fromPodProviderChain>[0];
    if (source === "instanceProfile") {
      await serveWithMsw("http://169.254.169.254", fakeImds({ roleName: "eks-node-role", credentials, expiration }));
      options = { env: { POD_CREDENTIALS_ALLOW_NODE: "true" }, logger: testLogger() };
    } else {
      await serveWithMsw("http://169.254.170.23", fakePodIdentityAgent({ credentials, expiration }));
      const env = {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
        AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken(),
      };
      options = { env, startupTimeoutMs: 0, logger: testLogger() };
    }
    try {
      await expectSourceError(expect, fromPodProviderChain(options)(), {
        source,
        fix,
        says: [`[${source}] The credentials arrived already expired (expiration ${expiration.toISOString()}).`],
      });
    } finally {
      resetImdsTokenStates();
    }
  });

  it("are accepted when they expire one millisecond later", async () => {
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    const credentials = await staticKeysExpiring(new Date(NOW.getTime() + 1))();
    expect(credentials.expiration).toEqual(new Date(NOW.getTime() + 1));
  });
});
