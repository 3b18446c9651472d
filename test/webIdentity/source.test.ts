import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readSettings } from "../../src/base/settings.js";
import { monotonicNow } from "../../src/base/timing.js";
import { fromPodProviderChain, fromWebIdentity, noopLogger } from "../../src/index.js";
import { webIdentitySource } from "../../src/sources/webIdentity.js";
import {
  type FakeSts,
  type FakeStsOptions,
  fakePodIdentityAgent,
  fakeSts,
  startLoopbackServer,
} from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { recordOutput, rejectionOf, testLogger } from "../support/leakCheck.js";
import { expectSourceError } from "../support/sourceErrors.js";

const irsa = async (region = "us-east-1") => {
  const token = secretToken();
  const tokenFile = await temporaryFile("token", token);
  const issued = secretCredentials("IRSA");
  const sts = fakeSts({ credentials: issued, expectedToken: token });
  await serveWithMsw(`https://sts.${region}.amazonaws.com`, sts);
  return {
    token,
    tokenFile,
    issued,
    sts,
    env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN },
  };
};

/** The chain in us-east-1 with `env`. */
const chainIn = (env: Record<string, string>) =>
  fromPodProviderChain({ env, region: "us-east-1", logger: testLogger() });

/** The fix of a half-configured IRSA: the whole sentence is what an operator follows. */
const IRSA_FIX =
  "EKS sets AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN together when the pod's ServiceAccount is annotated with " +
  "eks.amazonaws.com/role-arn; check the annotation and restart the pod, or set both variables yourself.";

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host"]);

/**
 * Serves `sts` on 127.0.0.1 (reached through AWS_ENDPOINT_URL_STS), keeping every connection open until the client
 * closes it (no keep-alive timeout on the server's side), so a test can tell when the client let go of its socket.
 * Tests reach it by putting its `url` in the provider's environment as AWS_ENDPOINT_URL_STS.
 * With `hang` (or while `hang()` returns true), requests are accepted and never answered.
 */
const stsOnLoopback = async (sts: FakeSts, { hang = false }: { hang?: boolean | (() => boolean) } = {}) => {
  const connections: Socket[] = [];
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    if (typeof hang === "function" ? hang() : hang) return;
    const headers = Object.entries(incoming.headers).filter(([name]) => !HOP_BY_HOP.has(name));
    const response = await sts.handler(
      new Request(`http://${incoming.headers.host}${incoming.url}`, {
        method: incoming.method ?? "POST",
        headers: headers.map(([name, value]) => [name, String(value)]),
        body: Buffer.concat(chunks),
      }),
    );
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    outgoing.end(Buffer.from(await response.arrayBuffer()));
  });
  server.keepAliveTimeout = 0;
  server.on("connection", (socket) => connections.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { connections, url };
};

/**
 * fromWebIdentity with STS (a fakeSts with `stsOptions`, expecting the pod's token) served by {@link stsOnLoopback}:
 * the fake, the connections made to it, and the provider.
 */
const webIdentityOnLoopback = async (
  stsOptions: FakeStsOptions,
  { hang = false, resolutionTimeoutMs }: { hang?: boolean | (() => boolean); resolutionTimeoutMs?: number } = {},
) => {
  const token = secretToken();
  const sts = fakeSts({ ...stsOptions, expectedToken: token });
  const { connections, url } = await stsOnLoopback(sts, { hang });
  const env = {
    AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", token),
    AWS_ROLE_ARN: ORDERS_ROLE_ARN,
    AWS_ENDPOINT_URL_STS: url,
  };
  const timeouts = resolutionTimeoutMs === undefined ? {} : { resolutionTimeoutMs };
  return {
    sts,
    connections,
    provider: fromWebIdentity({ env, region: "us-east-1", ...timeouts, logger: testLogger() }),
  };
};

/** Resolves when the server's side of `socket` has closed. */
const closed = (socket: Socket): Promise<void> =>
  socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once("close", () => resolve()));

const servers: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await Promise.all(servers.splice(0).map((close) => close()));
});

describe("webIdentity (IRSA)", () => {
  it("exchanges the projected token with STS AssumeRoleWithWebIdentity and returns the pod's credentials", async () => {
    const { env, issued, sts, token } = await irsa();
    const provider = fromPodProviderChain({ env, region: "us-east-1", logger: testLogger() });

    const credentials = await provider();

    expect(credentials.accessKeyId).toBe(issued.accessKeyId);
    expect(credentials.expiration).toBeInstanceOf(Date);
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]).toMatchObject({
      action: "AssumeRoleWithWebIdentity",
      roleArn: ORDERS_ROLE_ARN,
      webIdentityToken: token,
    });
  });

  it("describes the resolution: source, role, account, expiration and the sources it did not need", async () => {
    const { env } = await irsa();
    const provider = fromPodProviderChain({ env, region: "us-east-1", logger: testLogger() });
    const credentials = await provider();
    const description = provider.describe();
    recordOutput(description);

    expect(description).toMatchObject({
      source: "webIdentity",
      configuredBy: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN",
      roleArn: ORDERS_ROLE_ARN,
      roleName: "orders-reader",
      accountId: "123456789012",
      expiration: credentials.expiration,
      skipped: [],
    });
    expect(description?.resolvedAt).toBeInstanceOf(Date);
  });

  it("logs one info line naming the source, role, account and expiration", async () => {
    const { env } = await irsa();
    const logger = testLogger();
    const credentials = await fromPodProviderChain({ env, region: "us-east-1", logger })();
    expect(logger.at("info")).toEqual([
      `pod-credentials: using webIdentity credentials for role ${ORDERS_ROLE_ARN} in account 123456789012, expiring ` +
        `${credentials.expiration?.toISOString()} (configured by AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN)`,
    ]);
  });

  it("takes its settings from options as well as from the environment", async () => {
    const { tokenFile, sts } = await irsa();
    await fromWebIdentity({
      env: {},
      webIdentityTokenFile: tokenFile,
      roleArn: ORDERS_ROLE_ARN,
      region: "us-east-1",
      logger: testLogger(),
    })();
    expect(sts.calls[0]?.roleArn).toBe(ORDERS_ROLE_ARN);
  });

  it("uses the region of the calling client when no region option is given", async () => {
    const { env, sts } = await irsa("eu-west-1");
    await fromPodProviderChain({ env, logger: testLogger() })({
      callerClientConfig: { region: async () => "eu-west-1" },
    });
    expect(sts.calls[0]?.host).toBe("sts.eu-west-1.amazonaws.com");
  });

  it("falls back to AWS_REGION for the STS region", async () => {
    const { env, sts } = await irsa("ap-southeast-2");
    await fromPodProviderChain({ env: { ...env, AWS_REGION: "ap-southeast-2" }, logger: testLogger() })();
    expect(sts.calls[0]?.host).toBe("sts.ap-southeast-2.amazonaws.com");
  });

  it("honours AWS_ENDPOINT_URL_STS", async () => {
    const token = secretToken();
    const tokenFile = await temporaryFile("token", token);
    const sts = fakeSts({ credentials: secretCredentials("IRSA"), expectedToken: token });
    const server = await startLoopbackServer(sts.handler);
    try {
      await fromPodProviderChain({
        env: {
          AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
          AWS_ROLE_ARN: ORDERS_ROLE_ARN,
          AWS_ENDPOINT_URL_STS: server.url,
        },
        region: "us-east-1",
        logger: testLogger(),
      })();
    } finally {
      await server.close();
    }
    expect(sts.calls).toHaveLength(1);
  });

  it("sends AWS_ROLE_SESSION_NAME, or pod-credentials-<hostname> when it is not set", async () => {
    const { env, sts } = await irsa();
    await fromPodProviderChain({
      env: { ...env, AWS_ROLE_SESSION_NAME: "orders-api-7d9f" },
      region: "us-east-1",
      logger: testLogger(),
    })();
    await fromPodProviderChain({ env, region: "us-east-1", logger: testLogger() })();
    expect(sts.calls[0]?.roleSessionName).toBe("orders-api-7d9f");
    expect(sts.calls[1]?.roleSessionName).toMatch(/^pod-credentials-[\w+=,.@-]+$/);
  });

  it("re-reads the token file at every refresh, so a token rotated by kubelet is the one STS receives", async () => {
    const { env, sts, tokenFile, token } = await irsa();
    sts.configure({ expectedToken: undefined });
    const provider = fromPodProviderChain({ env, region: "us-east-1", logger: testLogger() });
    await provider();
    const rotated = secretToken();
    await writeFile(tokenFile, rotated);
    await provider({ forceRefresh: true });
    expect(sts.calls.map((call) => call.webIdentityToken)).toEqual([token, rotated]);
  });

  describe("when it is half-configured", () => {
    it("refuses AWS_WEB_IDENTITY_TOKEN_FILE without AWS_ROLE_ARN, and does not move on to Pod Identity", async () => {
      const tokenFile = await temporaryFile("token", secretToken());
      const agent = fakePodIdentityAgent();
      await serveWithMsw("http://169.254.170.23", agent);
      const env = {
        AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
      };
      await expectSourceError(expect, fromPodProviderChain({ env, logger: testLogger() })(), {
        source: "webIdentity",
        fix: IRSA_FIX,
        says: ["AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"],
      });
      expect(agent.requests).toHaveLength(0);
    });

    it.each([
      [
        "AWS_ROLE_ARN without AWS_WEB_IDENTITY_TOKEN_FILE",
        { env: { AWS_ROLE_ARN: ORDERS_ROLE_ARN } },
        "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
      ],
      [
        "the roleArn option without a token file",
        { env: {}, roleArn: ORDERS_ROLE_ARN },
        "option roleArn is set but AWS_WEB_IDENTITY_TOKEN_FILE is not",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
      ],
      [
        "the webIdentityTokenFile option without a role",
        { env: {}, webIdentityTokenFile: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token" },
        "option webIdentityTokenFile is set but AWS_ROLE_ARN is not",
        "AWS_ROLE_ARN",
      ],
    ])(
      "refuses %s, naming what is set, what is missing, and how EKS sets both",
      async (_what, options, problem, missing) => {
        await expectSourceError(expect, fromWebIdentity({ ...options, logger: testLogger() })(), {
          source: "webIdentity",
          target: missing,
          fix: IRSA_FIX,
          message: `[webIdentity] ${problem}: IRSA needs both. Fix: ${IRSA_FIX}`,
        });
      },
    );

    it.each([
      ["a role name", { env: { AWS_ROLE_ARN: "orders-reader" } }, "AWS_ROLE_ARN", "orders-reader"],
      [
        "an ARN of something else",
        { env: { AWS_ROLE_ARN: "arn:aws:iam::123456789012:user/alice" } },
        "AWS_ROLE_ARN",
        "arn:aws:iam::123456789012:user/alice",
      ],
      [
        "an assumed-role ARN, given as the roleArn option",
        { env: {}, roleArn: "arn:aws:sts::123456789012:assumed-role/orders-reader/session" },
        "option roleArn",
        "arn:aws:sts::123456789012:assumed-role/orders-reader/session",
      ],
    ])("refuses %s where a role ARN is expected, and shows the form it needs", async (_what, options, from, value) => {
      const webIdentityTokenFile = await temporaryFile("token", secretToken());
      await expectSourceError(expect, fromWebIdentity({ webIdentityTokenFile, ...options, logger: testLogger() })(), {
        source: "webIdentity",
        target: from,
        fix: "set it to a full ARN such as arn:aws:iam::123456789012:role/orders-reader.",
        says: [`[webIdentity] ${from} is not a role ARN ("${value}").`],
      });
    });
  });

  describe("when the token file is broken", () => {
    it("names the missing file and the fix, and makes no STS call", async () => {
      const { env, sts } = await irsa();
      const missing = `${env.AWS_WEB_IDENTITY_TOKEN_FILE}.gone`;
      await expectSourceError(expect, chainIn({ ...env, AWS_WEB_IDENTITY_TOKEN_FILE: missing })(), {
        source: "webIdentity",
        target: missing,
        says: [`[webIdentity] The web-identity token file ${missing} does not exist.`, "Fix:"],
      });
      expect(sts.calls).toHaveLength(0);
    });

    it("refuses an empty token file", async () => {
      const tokenFile = await temporaryFile("token", "  \n");
      const env = { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN };
      await expectSourceError(expect, fromPodProviderChain({ env, logger: testLogger() })(), { says: [/empty/] });
    });
  });

  describe("when STS says no", () => {
    it.each([
      ["InvalidIdentityToken", "OIDC provider is registered in IAM"],
      ["AccessDenied", `the trust policy of ${ORDERS_ROLE_ARN} does not let this service account assume it`],
      ["IDPRejectedClaim", `the trust policy of ${ORDERS_ROLE_ARN} does not let this service account assume it`],
      ["ExpiredTokenException", "has expired"],
    ] as const)("turns %s into a CredentialSourceError with the fix, after one call", async (code, fix) => {
      const { env, sts } = await irsa();
      sts.setMode(code);
      const error = await expectSourceError(expect, chainIn(env)(), {
        source: "webIdentity",
        target: ORDERS_ROLE_ARN,
        retryable: false,
        says: [`STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN} failed with ${code} (HTTP `],
      });
      expect(error.fix).toContain(fix);
      expect(sts.calls).toHaveLength(1);
    });
  });

  describe("when STS asks to try again", () => {
    it.each(["Throttling", "IDPCommunicationError", "InternalFailure"] as const)(
      "retries %s after a backoff, with a debug line naming the call and the answer",
      async (code) => {
        const { env, sts, issued } = await irsa();
        sts.setMode(code, { times: 1, message: "try again shortly" });
        const logger = testLogger();

        const credentials = await fromPodProviderChain({ env, region: "us-east-1", logger })();

        expect(credentials.accessKeyId).toBe(issued.accessKeyId);
        expect(sts.calls).toHaveLength(2);
        const status = code === "InternalFailure" ? 500 : 400;
        expect(logger.at("debug")).toContain(
          `pod-credentials: STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN}: not ready ([webIdentity] STS ` +
            `AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN} failed with ${code} (HTTP ${status}): try again shortly ` +
            "Fix: STS or the identity provider is busy; the call is retried. If it persists, check the OIDC " +
            "provider's health.); retrying in 200 ms",
        );
      },
    );
  });

  it("sends the region option to STS, over the calling client's region and AWS_REGION", async () => {
    const { env, sts } = await irsa("eu-west-1");
    await fromWebIdentity({ env: { ...env, AWS_REGION: "ap-southeast-2" }, region: "eu-west-1", logger: testLogger() })(
      {
        callerClientConfig: { region: async () => "us-east-1" },
      },
    );
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]?.host).toBe("sts.eu-west-1.amazonaws.com");
  });

  it("closes its connection to STS once the exchange is over, so no keep-alive socket keeps the process alive", async () => {
    const { sts, connections, provider } = await webIdentityOnLoopback({ credentials: secretCredentials("IRSA") });

    await provider();

    expect(sts.calls).toHaveLength(1);
    expect(connections).toHaveLength(1);
    await Promise.all(connections.map(closed));
  });

  /** Calls a chain whose STS never answers, under fake timers; returns once its first request has connected. */
  const callHangingSts = async (resolutionTimeoutMs: number) => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { connections, provider } = await webIdentityOnLoopback({}, { hang: true, resolutionTimeoutMs });
    const rejection = rejectionOf(provider());
    await vi.waitUntil(() => connections.length > 0, { interval: 0, timeout: 10_000 });
    return { connections, rejection };
  };

  it("ends the STS request and closes its socket when the resolution deadline passes", async () => {
    const { connections, rejection } = await callHangingSts(2000);
    await vi.advanceTimersByTimeAsync(2000);

    const error = await rejection;
    expect(error).toMatchObject({ name: "CredentialSourceError", source: "webIdentity" });
    expect(error.message).toContain("[webIdentity] No credentials within the 2000 ms resolution deadline");
    // The STS request timeout (5 s) never fires under fake timers: only the deadline's abort can close the socket.
    await Promise.all(connections.map(closed));
  });

  it("keeps one HTTP handler per provider: a resolution aborted by its signal leaves the next one unharmed", async () => {
    let hang = true;
    const token = secretToken();
    const sts = fakeSts({ credentials: secretCredentials("IRSA"), expectedToken: token });
    const { connections, url } = await stsOnLoopback(sts, { hang: () => hang });
    const env = {
      AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", token),
      AWS_ROLE_ARN: ORDERS_ROLE_ARN,
      AWS_ENDPOINT_URL_STS: url,
    };
    const detected = await webIdentitySource(readSettings({ env, region: "us-east-1" })).detect();
    if (!detected.configured) throw new Error("IRSA is configured");
    const resolution = (signal: AbortSignal) =>
      detected.resolve({
        identityProperties: undefined,
        logger: testLogger(),
        firstCallAt: monotonicNow(),
        signal,
        deadlineAt: monotonicNow() + 60_000,
      });

    const first = new AbortController();
    const rejection = rejectionOf(resolution(first.signal));
    await vi.waitUntil(() => connections.length > 0, { interval: 0, timeout: 10_000 });
    first.abort(new Error("resolution deadline passed"));
    expect(await rejection).toMatchObject({ name: "CredentialSourceError", source: "webIdentity" });
    hang = false;

    const { credentials } = await resolution(new AbortController().signal);

    expect(credentials.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
    expect(connections).toHaveLength(2);
    await Promise.all(connections.map(closed));
  });

  it("gives up on an STS request left unanswered for 5 s and tries again, within the resolution deadline", async () => {
    const { connections, rejection } = await callHangingSts(8000);
    expect(connections).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5000);
    const [first] = connections;
    if (first) await closed(first);
    await vi.advanceTimersByTimeAsync(200); // the backoff before the second attempt
    await vi.waitUntil(() => connections.length === 2, { interval: 0, timeout: 10_000 });
    await vi.advanceTimersByTimeAsync(2800);

    const error = await rejection;
    expect(error).toMatchObject({ name: "CredentialSourceError", source: "webIdentity" });
    expect(error.message).toContain(
      "No credentials within the 8000 ms resolution deadline. The last answer, retried until then: [webIdentity] " +
        `Could not call STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN}: TimeoutError: no complete answer from `,
    );
    expect(error.message).toContain("within 5000 ms");
    await Promise.all(connections.map(closed));
  });

  it("is silent with the no-op logger", async () => {
    const { env } = await irsa();
    await fromPodProviderChain({ env, region: "us-east-1", logger: noopLogger })();
    expect(console.info).not.toHaveBeenCalled();
  });
});
