// What the chain says about its cache: the log lines (level and exact text) and the onEvent events for each thing
// the cache observes. test/chain/refresh.test.ts drives the same reporter through a real provider and real timing;
// here each observation is made directly, so every wording can be pinned down.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CredentialSourceError } from "../../src/base/errors.js";
import type { CredentialEvent } from "../../src/base/options.js";
import type { LoadFailure } from "../../src/chain/cache.js";
import { ChainReporter, type Resolution } from "../../src/chain/reporter.js";
import { testLogger } from "../support/leakCheck.js";

const NOW = new Date("2026-11-27T21:00:00.000Z");
const EXPIRES = new Date("2026-11-27T22:00:00.000Z");
const ROLE_ARN = "arn:aws:iam::123456789012:role/orders-reader";

/** A resolution as the chain remembers it. The reporter reads only its description. */
const resolution = (description: Partial<Resolution["description"]> = {}): Resolution =>
  ({
    description: {
      source: "webIdentity",
      configuredBy: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN",
      roleArn: ROLE_ARN,
      accountId: "123456789012",
      expiration: EXPIRES,
      resolvedAt: NOW,
      skipped: [],
      ...description,
    },
  }) as unknown as Resolution;

const failure = (overrides: Partial<LoadFailure> = {}): LoadFailure => ({
  servingCached: false,
  usableUntil: undefined,
  retryAt: NOW.getTime() + 2000,
  consecutiveFailures: 1,
  ...overrides,
});

const brokenAgent = () =>
  new CredentialSourceError("The agent answered HTTP 500.", { source: "podIdentity", fix: "Restart the agent." });

let logger: ReturnType<typeof testLogger>;
let events: CredentialEvent[];
let reporter: ChainReporter;

beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
  logger = testLogger();
  events = [];
  reporter = new ChainReporter(logger, (event) => events.push(event));
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the chain's reports", () => {
  describe("a load that succeeds", () => {
    it("logs the first resolution at info, remembers it, and emits resolved with the identity, no secret", () => {
      const first = resolution();
      reporter.loaded(first, "initial");
      expect(logger.lines).toEqual([
        `info pod-credentials: using webIdentity credentials for role ${ROLE_ARN} in account 123456789012, expiring ` +
          `${EXPIRES.toISOString()} (configured by AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN)`,
      ]);
      expect(reporter.last).toBe(first);
      expect(events).toEqual([
        {
          type: "resolved",
          at: NOW,
          source: "webIdentity",
          roleArn: ROLE_ARN,
          roleName: undefined,
          accountId: "123456789012",
          expiration: EXPIRES,
        },
      ]);
    });

    it("logs a refresh from the same source and role at debug only, and emits refreshed with the count", () => {
      reporter.loaded(resolution(), "initial");
      const later = new Date("2026-11-27T23:00:00.000Z");
      reporter.loaded(resolution({ expiration: later }), "refresh", 3);
      reporter.loaded(resolution({ expiration: undefined }), "refresh");
      expect(logger.lines.slice(1)).toEqual([
        `debug pod-credentials: refreshed webIdentity credentials, now expiring ${later.toISOString()}`,
        "debug pod-credentials: refreshed webIdentity credentials, now expiring never",
      ]);
      expect(events.slice(1)).toEqual([
        expect.objectContaining({ type: "refreshed", refreshCount: 3, expiration: later }),
        expect.objectContaining({ type: "refreshed", refreshCount: 0, expiration: undefined }),
      ]);
    });

    it("logs at info again when a refresh brings another role or another source", () => {
      reporter.loaded(resolution(), "initial");
      reporter.loaded(resolution({ roleArn: undefined, roleName: "other-role" }), "refresh", 1);
      reporter.loaded(resolution({ source: "podIdentity", roleArn: undefined, roleName: "other-role" }), "refresh", 2);
      expect(logger.at("info")).toHaveLength(3);
      expect(logger.at("info")[1]).toContain("using webIdentity credentials for role other-role");
      expect(logger.at("info")[2]).toContain("using podIdentity credentials for role other-role");
      expect(logger.at("debug")).toEqual([]);
    });

    it("warns at every load from the node's instance profile that every pod shares the role", () => {
      const node = resolution({ source: "instanceProfile", roleArn: undefined, roleName: "eks-node-role" });
      reporter.loaded(node, "initial");
      reporter.loaded(node, "refresh", 1);
      reporter.loaded(resolution({ source: "instanceProfile", roleArn: undefined }), "refresh", 2);
      const warning =
        ": every pod on this node shares these credentials. Configure IRSA or EKS Pod Identity to give this pod its " +
        "own role.";
      expect(logger.at("warn")).toEqual([
        `pod-credentials: using the node's instance-profile role eks-node-role${warning}`,
        `pod-credentials: using the node's instance-profile role eks-node-role${warning}`,
        `pod-credentials: using the node's instance-profile role${warning}`,
      ]);
    });
  });

  describe("a load that fails", () => {
    it("logs a new failure at error and a repeated one at debug, and emits refreshFailed with the error's source", () => {
      reporter.loadFailed(brokenAgent(), failure());
      reporter.loadFailed(brokenAgent(), failure({ consecutiveFailures: 2, retryAt: NOW.getTime() + 4000 }));
      const line = `pod-credentials: CredentialSourceError: ${brokenAgent().message}`;
      expect(logger.lines).toEqual([`error ${line}`, `debug ${line}`]);
      expect(events).toEqual([
        {
          type: "refreshFailed",
          at: NOW,
          source: "podIdentity",
          error: { name: "CredentialSourceError", message: brokenAgent().message },
          servingCached: false,
          retryAt: new Date(NOW.getTime() + 2000),
          consecutiveFailures: 1,
        },
        expect.objectContaining({ consecutiveFailures: 2, retryAt: new Date(NOW.getTime() + 4000) }),
      ]);
    });

    it("logs the same failure at error again once a load has succeeded in between", () => {
      reporter.loadFailed(brokenAgent(), failure());
      reporter.loaded(resolution(), "initial");
      reporter.loadFailed(brokenAgent(), failure());
      expect(logger.at("error")).toHaveLength(2);
    });

    it("reports a thrown value that is not an Error by its text, as an Error without a source", () => {
      reporter.loadFailed("socket closed", failure());
      reporter.loadFailed(undefined, failure());
      reporter.loadFailed(null, failure());
      expect(logger.lines).toEqual([
        "error pod-credentials: socket closed",
        "error pod-credentials: undefined",
        "error pod-credentials: null",
      ]);
      expect(events.map((event) => event.type === "refreshFailed" && [event.source, event.error])).toEqual([
        [undefined, { name: "Error", message: "socket closed" }],
        [undefined, { name: "Error", message: "undefined" }],
        [undefined, { name: "Error", message: "null" }],
      ]);
    });

    it("names the source it had resolved from, not the error's, once something has been resolved", () => {
      reporter.loaded(resolution(), "initial");
      reporter.loadFailed(brokenAgent(), failure());
      expect(events.at(-1)).toMatchObject({ type: "refreshFailed", source: "webIdentity", roleArn: ROLE_ARN });
    });

    it("warns, with the time left and the next attempt, while the cached credentials are still served", () => {
      reporter.loaded(resolution(), "initial");
      reporter.loadFailed(
        brokenAgent(),
        failure({ servingCached: true, usableUntil: NOW.getTime() + 90_400, retryAt: NOW.getTime() + 1600 }),
      );
      expect(logger.at("warn")).toEqual([
        `pod-credentials: refreshing webIdentity credentials failed (CredentialSourceError: ${brokenAgent().message}); ` +
          "serving the cached credentials for another 90 s; next attempt in 2 s",
      ]);
      expect(logger.at("error")).toEqual([]);
      expect(events.at(-1)).toMatchObject({ type: "refreshFailed", servingCached: true });
    });

    it("never shows a negative time left, and says 'the' credentials when it has not resolved any", () => {
      reporter.loadFailed(
        "timeout",
        failure({ servingCached: true, usableUntil: NOW.getTime() - 5000, retryAt: NOW.getTime() - 1 }),
      );
      expect(logger.at("warn")).toEqual([
        "pod-credentials: refreshing the credentials failed (timeout); serving the cached credentials for another " +
          "0 s; next attempt in 0 s",
      ]);
    });

    it("logs at error when cached credentials are served but their end is unknown", () => {
      reporter.loaded(resolution(), "initial");
      reporter.loadFailed(brokenAgent(), failure({ servingCached: true, usableUntil: undefined }));
      expect(logger.at("error")).toHaveLength(1);
      expect(logger.at("warn")).toEqual([]);
    });
  });

  it("emits servedStale for cached credentials served after a failed refresh, without a log line", () => {
    reporter.servedStale(resolution());
    expect(logger.lines).toEqual([]);
    expect(events).toEqual([
      expect.objectContaining({ type: "servedStale", source: "webIdentity", expiration: EXPIRES }),
    ]);
  });

  it("warns and emits expired when cached credentials can no longer be served", () => {
    reporter.expired(resolution());
    expect(logger.lines).toEqual([
      `warn pod-credentials: the cached webIdentity credentials (expiring ${EXPIRES.toISOString()}) can no longer be ` +
        "served and no refresh has succeeded; calls now wait for a refresh",
    ]);
    expect(events).toEqual([expect.objectContaining({ type: "expired", source: "webIdentity" })]);
  });

  describe("an onEvent handler", () => {
    it.each([
      ["an Error", new Error("metrics exporter down"), "metrics exporter down"],
      ["anything else", "no metrics today", "no metrics today"],
    ])("that throws %s is reported at warn, and the reporter carries on", (_, thrown, text) => {
      const throwing = new ChainReporter(logger, () => {
        throw thrown;
      });
      throwing.loaded(resolution(), "initial");
      throwing.expired(resolution());
      expect(logger.at("warn")).toEqual([
        `pod-credentials: the onEvent handler threw on a resolved event: ${text}; later failures of the handler are not logged`,
        expect.stringContaining("can no longer be served"),
      ]);
      expect(throwing.last).toBeDefined();
    });

    it("that returns a rejected promise is reported once at warn, and the rejection is handled", async () => {
      const rejecting = new ChainReporter(logger, async (event) => {
        throw new Error(`exporter refused ${event.type}`);
      });
      rejecting.loaded(resolution(), "initial");
      rejecting.servedStale(resolution());
      await new Promise((resolve) => setImmediate(resolve));
      expect(logger.at("warn")).toEqual([
        "pod-credentials: the onEvent handler threw on a resolved event: exporter refused resolved; later failures of the handler are not logged",
      ]);
    });

    it("is optional", () => {
      const silent = new ChainReporter(logger, undefined);
      expect(() => {
        silent.loaded(resolution(), "initial");
        silent.loadFailed(brokenAgent(), failure());
        silent.servedStale(resolution());
      }).not.toThrow();
      expect(logger.lines).toHaveLength(2);
    });
  });
});
