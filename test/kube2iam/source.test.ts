// Specifies the kube2iam source (kube2iam and kiam, verified against the role the pod declares), in process, against
// the fakes served through msw: what it asks, what it accepts and refuses, and the errors an operator reads.
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import {
  type CredentialSourceError,
  fromKube2iam,
  fromPodProviderChain,
  type NodeCredentialsRefusedError,
} from "../../src/index.js";
import { fakeImds, fakeKiam, fakeKube2iam } from "../../src/testing/index.js";
import { serveTrackingAbandoned } from "../instanceProfile/abandonedRequests.js";
import { secretCredentials, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { recordOutput, rejectionOf, testLogger } from "../support/leakCheck.js";
import { expectSourceError } from "../support/sourceErrors.js";

const IMDS = "http://169.254.169.254";
const LISTING = "/latest/meta-data/iam/security-credentials/";
const QUICK = { startupTimeoutMs: 400 };

const kube2iam = async (options: Parameters<typeof fakeKube2iam>[0] = {}) => {
  const node = fakeImds({ credentials: secretCredentials("NODE"), roleName: "eks-node-role" });
  const proxy = fakeKube2iam({
    podRole: "orders-reader",
    credentials: secretCredentials("KUBE2IAM"),
    upstream: node.handler,
    ...options,
  });
  await serveWithMsw(IMDS, proxy);
  return { proxy, node };
};

const kiam = async (options: Parameters<typeof fakeKiam>[0] = {}) => {
  const proxy = fakeKiam({
    podRole: "arn:aws:iam::123456789012:role/orders-reader",
    credentials: secretCredentials("KIAM"),
    ...options,
  });
  await serveWithMsw(IMDS, proxy);
  return { proxy };
};

const chain = (env: Record<string, string>, options: Parameters<typeof fromPodProviderChain>[0] = {}) =>
  fromPodProviderChain({ env, logger: testLogger(), ...options });

/** The error of a pod declaring orders-reader once the (short) start-up window has passed: the node role refused. */
const refusal = async () =>
  (await rejectionOf(chain({ POD_CREDENTIALS_ROLE: "orders-reader" }, QUICK)())) as NodeCredentialsRefusedError;

// The fixes, word for word: they are what an operator reads to repair the pod or the node. Each is pinned here, the
// test of its subject; other suites assert the distinctive part of the message.
const MISMATCH_FIX =
  "check the pod's iam.amazonaws.com/role annotation matches POD_CREDENTIALS_ROLE, that the namespace's " +
  "iam.amazonaws.com/allowed-roles (kube2iam) or iam.amazonaws.com/permitted (kiam) allows it, and that the proxy " +
  "runs on this node.";
const REAL_IMDS_FIX =
  "check that the kube2iam or kiam agent DaemonSet runs on this node and installed its iptables rule " +
  "(kube2iam --iptables=true with the right --host-interface), or use IRSA or EKS Pod Identity.";
const NO_ROLE_FIX =
  "annotate the pod itself (not the Deployment) with iam.amazonaws.com/role and restart it; the proxy reads the " +
  "annotation from the pod.";
const NOT_YET_FIX =
  "the proxy has not seen the pod in the Kubernetes API: check its logs and its access to the API server, or raise " +
  "POD_CREDENTIALS_STARTUP_TIMEOUT_MS.";
const REFUSED_FIX =
  "the namespace must allow the role (kube2iam: annotation iam.amazonaws.com/allowed-roles; kiam: " +
  "iam.amazonaws.com/permitted), and the node's role must be allowed to assume it (its trust policy).";

describe("kube2iam (kube2iam and kiam, verified)", () => {
  describe("behind kube2iam", () => {
    it("gets the declared role's credentials in two requests, sending an invalid IMDS token to both", async () => {
      const { proxy } = await kube2iam();
      const provider = chain({ POD_CREDENTIALS_ROLE: "orders-reader" });

      const credentials = await provider();

      expect(credentials.accessKeyId).toBe(proxy.credentials.accessKeyId);
      expect(proxy.requests.map((request) => request.path)).toEqual([LISTING, `${LISTING}orders-reader`]);
      for (const request of proxy.requests) expect(request.headers["x-aws-ec2-metadata-token"]).toMatch(/not-a-valid/);
      recordOutput(provider.describe());
      expect(provider.describe()).toMatchObject({
        source: "kube2iam",
        roleName: "orders-reader",
        configuredBy: "POD_CREDENTIALS_ROLE",
      });
    });

    it("matches a declared ARN against kube2iam's listing of path/name, and fetches the role exactly as listed", async () => {
      const { proxy } = await kube2iam({ podRole: "team/orders-reader" });
      const provider = chain({ POD_CREDENTIALS_ROLE: "arn:aws:iam::123456789012:role/team/orders-reader" });
      await provider();
      expect(proxy.requests[1]?.path).toBe(`${LISTING}team/orders-reader`);
      expect(provider.describe()).toMatchObject({
        roleArn: "arn:aws:iam::123456789012:role/team/orders-reader",
        roleName: "orders-reader",
        accountId: "123456789012",
      });
    });

    it("refuses kube2iam's default role, naming both roles, once the start-up window has passed", async () => {
      const { proxy } = await kube2iam({ mode: "defaultRole", defaultRole: "kube2iam-default" });
      const error = await refusal();
      expect(error).toMatchObject({
        name: "NodeCredentialsRefusedError",
        source: "kube2iam",
        expectedRole: "orders-reader",
        offeredRole: "kube2iam-default",
      });
      expect(error.message).toBe(
        `[kube2iam] The metadata endpoint ${IMDS} offers the role "kube2iam-default", not the role "orders-reader" ` +
          "this pod declares (POD_CREDENTIALS_ROLE): these are probably the node's credentials, or the proxy's default " +
          `role. Fix: ${MISMATCH_FIX}`,
      );
      expect(error.fix).toBe(MISMATCH_FIX);
      expect(proxy.requests.filter((request) => request.path !== LISTING)).toEqual([]);
    });

    it("waits while kube2iam still answers with its default role, then takes the pod's role", async () => {
      const { proxy } = await kube2iam({ defaultRole: "kube2iam-default" });
      proxy.setMode("defaultRole", { times: 2 });
      const credentials = await chain({ POD_CREDENTIALS_ROLE: "orders-reader" })();
      expect(credentials.accessKeyId).toBe(proxy.credentials.accessKeyId);
    });

    it("retries while kube2iam does not know the pod yet, then succeeds, saying so at debug level", async () => {
      const { proxy } = await kube2iam();
      proxy.setMode("podNotFound", { times: 3 });
      const logger = testLogger();
      const credentials = await chain({ POD_CREDENTIALS_ROLE: "orders-reader" }, { logger })();
      expect(credentials.accessKeyId).toBe(proxy.credentials.accessKeyId);
      expect(proxy.requests.length).toBe(5);
      const retries = logger.at("debug").filter((line) => line.includes("not ready"));
      expect(retries).toHaveLength(3);
      expect(retries[0]).toMatch(
        new RegExp(
          `^pod-credentials: the metadata proxy at ${IMDS}: not ready \\(\\[kube2iam\\] The metadata proxy at ${IMDS} ` +
            "does not know this pod yet .*\\); retrying in \\d+ ms$",
        ),
      );
    });

    it.each([
      [
        "gives up on a pod kube2iam never learns of, with kube2iam's own message",
        "podNotFound",
        { retryable: true, fix: NOT_YET_FIX },
        "does not know this pod yet (start-up window 400 ms): kube2iam: pod with specificed IP not found",
      ],
      [
        "says kube2iam holds no role for this pod when its listing is empty",
        "emptyRole",
        { retryable: false, fix: NO_ROLE_FIX },
        'holds no role for this pod (kube2iam: the role listing is empty), though the pod declares "orders-reader".',
      ],
    ] as const)("%s", async (_, mode, { retryable, fix }, problem) => {
      await kube2iam({ mode });
      await expectSourceError(expect, chain({ POD_CREDENTIALS_ROLE: "orders-reader" }, QUICK)(), {
        source: "kube2iam",
        target: `${IMDS}${LISTING}`,
        retryable,
        fix,
        message: `[kube2iam] The metadata proxy at ${IMDS} ${problem} Fix: ${fix}`,
      });
    });

    it("says kube2iam holds no role for this pod when it cannot find one for the pod's IP, after the start-up window", async () => {
      const { proxy } = await kube2iam({ mode: "noRole", podIp: "10.1.2.3" });
      await expectSourceError(expect, chain({ POD_CREDENTIALS_ROLE: "orders-reader" }, QUICK)(), {
        source: "kube2iam",
        fix: NO_ROLE_FIX,
        says: [
          'holds no role for this pod (kube2iam: unable to find role for IP 10.1.2.3), though the pod declares "orders-reader".',
        ],
      });
      expect(proxy.requests.length).toBeGreaterThan(1);
    });

    it("stops at once on kube2iam's 403 Invalid role", async () => {
      const { proxy } = await kube2iam();
      proxy.injectFault(
        { kind: "status", status: 403, body: "Invalid role orders-reader\n", headers: { Server: "EC2ws" } },
        { path: `${LISTING}orders-reader` },
      );
      await expectSourceError(expect, chain({ POD_CREDENTIALS_ROLE: "orders-reader" })(), {
        source: "kube2iam",
        status: 403,
        target: `${IMDS}${LISTING}orders-reader`,
        retryable: false,
        fix: REFUSED_FIX,
        message:
          `[kube2iam] The metadata proxy at ${IMDS} refused the role "orders-reader" with HTTP 403: kube2iam: Invalid ` +
          `role orders-reader Fix: ${REFUSED_FIX}`,
      });
      expect(proxy.requests).toHaveLength(2);
    });

    it("stops at once when kube2iam says the role is not valid for the pod's namespace", async () => {
      const { proxy } = await kube2iam({ mode: "namespaceRestricted", namespace: "payments" });
      await expectSourceError(expect, chain({ POD_CREDENTIALS_ROLE: "orders-reader" })(), {
        source: "kube2iam",
        status: 404,
        target: `${IMDS}${LISTING}`,
        fix: REFUSED_FIX,
        says: [
          "HTTP 404: kube2iam: role requested arn:aws:iam::123456789012:role/orders-reader not valid for namespace of pod",
        ],
      });
      expect(proxy.requests).toHaveLength(1);
    });

    it("reports the STS error kube2iam could not assume the role with", async () => {
      await kube2iam({ mode: "stsError" });
      await expectSourceError(expect, chain({ POD_CREDENTIALS_ROLE: "orders-reader" })(), {
        status: 500,
        says: ["not authorized to perform: sts:AssumeRole"],
      });
    });
  });

  describe("behind kiam", () => {
    it("accepts kiam's listing of the annotation as written (a full ARN) and its credentials document", async () => {
      const { proxy } = await kiam();
      const credentials = await chain({ POD_CREDENTIALS_ROLE: "orders-reader" })();
      expect(credentials.accessKeyId).toBe(proxy.credentials.accessKeyId);
      expect(proxy.requests[1]?.path).toBe(`${LISTING}arn:aws:iam::123456789012:role/orders-reader`);
    });

    it("retries kiam's 'no pod found' during start-up", async () => {
      const { proxy } = await kiam();
      proxy.setMode("podNotFound", { times: 2 });
      const credentials = await chain({ POD_CREDENTIALS_ROLE: "orders-reader" })();
      expect(credentials.accessKeyId).toBe(proxy.credentials.accessKeyId);
    });

    it("stops at once on kiam's 'forbidden by policy'", async () => {
      const { proxy } = await kiam({ mode: "forbidden" });
      await expectSourceError(expect, chain({ POD_CREDENTIALS_ROLE: "orders-reader" })(), {
        status: 500,
        says: ["forbidden by policy"],
      });
      expect(proxy.requests).toHaveLength(2);
    });

    it("says kiam holds no role for this pod on its 404 empty role", async () => {
      await kiam({ mode: "noRole" });
      const error = await rejectionOf(chain({ POD_CREDENTIALS_ROLE: "orders-reader" }, QUICK)());
      expect(error.message).toContain("holds no role for this pod (kiam: empty role)");
    });
  });

  describe("when nothing intercepts the metadata traffic", () => {
    it("refuses the real EC2 IMDS, recognised by its 401 to an invalid token, and never fetches the node's credentials", async () => {
      const node = fakeImds({ credentials: secretCredentials("NODE") });
      await serveWithMsw(IMDS, node);
      const error = await refusal();
      expect(error).toMatchObject({
        name: "NodeCredentialsRefusedError",
        source: "kube2iam",
        endpoint: IMDS,
        expectedRole: "orders-reader",
      });
      expect(error.message).toBe(
        `[kube2iam] The metadata endpoint ${IMDS} is the real EC2 instance metadata service (it rejected an invalid ` +
          "IMDSv2 token with 401): no kube2iam or kiam intercepts this pod's metadata traffic, so it would hand out the " +
          `node's role, not "orders-reader". Fix: ${REAL_IMDS_FIX}`,
      );
      expect(error.fix).toBe(REAL_IMDS_FIX);
      expect(node.requests.every((request) => request.path === LISTING)).toBe(true);
    });

    it("keeps asking during the start-up window, since the proxy may not have installed its redirect yet", async () => {
      const node = fakeImds();
      await serveWithMsw(IMDS, node);
      await rejectionOf(chain({ POD_CREDENTIALS_ROLE: "orders-reader" }, { startupTimeoutMs: 700 })());
      expect(node.requests.length).toBeGreaterThan(1);
    });
  });

  describe("what the proxy answers, and what the provider makes of it", () => {
    it.each([
      ["a role name", "orders-reader", "orders-reader", {}],
      ["a path and name", "team/orders-reader", "team/orders-reader", {}],
      [
        "a role ARN",
        "arn:aws:iam::123456789012:role/team/orders-reader",
        "team/orders-reader",
        { roleArn: "arn:aws:iam::123456789012:role/team/orders-reader", accountId: "123456789012" },
      ],
      [
        "an STS assumed-role ARN (never reported as the role ARN)",
        "arn:aws:sts::123456789012:assumed-role/orders-reader/pod-session",
        "orders-reader",
        { accountId: "123456789012" },
      ],
    ])("describes a pod that declares %s", async (_, declared, podRole, expected) => {
      await kube2iam({ podRole });
      const provider = chain({ POD_CREDENTIALS_ROLE: declared });
      await provider();
      const description = provider.describe();
      recordOutput(description);
      expect({
        roleArn: description?.roleArn,
        roleName: description?.roleName,
        accountId: description?.accountId,
      }).toEqual({ roleArn: undefined, accountId: undefined, roleName: "orders-reader", ...expected });
    });

    it("takes the first role of a listing with several CRLF lines and fetches exactly that role", async () => {
      const { proxy } = await kube2iam();
      proxy.injectFault(
        { kind: "status", status: 200, body: "  orders-reader \r\nsecond-role\r\n" },
        { path: /security-credentials\/$/ },
      );
      const credentials = await chain({ POD_CREDENTIALS_ROLE: "orders-reader" })();
      expect(credentials.accessKeyId).toBe(proxy.credentials.accessKeyId);
      expect(proxy.requests.map((request) => request.path)).toEqual([LISTING, `${LISTING}orders-reader`]);
    });

    it("names the proxy's credentials URL when the credentials document does not parse, and what to check", async () => {
      const { proxy } = await kube2iam();
      proxy.injectFault({ kind: "malformed" }, { path: `${LISTING}orders-reader` });
      const url = `${IMDS}${LISTING}orders-reader`;
      const error = await expectSourceError(expect, chain({ POD_CREDENTIALS_ROLE: "orders-reader" })(), {
        source: "kube2iam",
        target: url,
        fix:
          `the endpoint at ${url} is not a credentials endpoint: check AWS_EC2_METADATA_SERVICE_ENDPOINT and that ` +
          "kube2iam or kiam on this node answers for the pod (see the proxy's logs).",
      });
      expect(error.message).toMatch(/^\[kube2iam\] /);
    });

    it("stops at once when the proxy answers with a Code other than Success: it could not get the role's credentials", async () => {
      const { proxy } = await kube2iam();
      const body = JSON.stringify({ Code: "AssumeRoleUnauthorizedAccess", Message: "not authorized" });
      proxy.injectFault({ kind: "status", status: 200, body }, { path: `${LISTING}orders-reader` });
      const url = `${IMDS}${LISTING}orders-reader`;
      await expectSourceError(expect, chain({ POD_CREDENTIALS_ROLE: "orders-reader" })(), {
        source: "kube2iam",
        target: url,
        fix:
          `kube2iam or kiam at ${url} could not get credentials for the pod's role: check the pod's ` +
          "iam.amazonaws.com/role annotation, that the role trusts the node role, and the proxy's logs.",
        says: [`[kube2iam] ${url} answered with Code "AssumeRoleUnauthorizedAccess" instead of credentials.`],
      });
      expect(proxy.requests).toHaveLength(2);
    });

    it("stops at once when the metadata endpoint gives no answer, and says to check the proxy's redirect", async () => {
      const { proxy } = await kube2iam();
      proxy.injectFault({ kind: "hang" }, { path: LISTING });
      const error = (await rejectionOf(
        chain({ POD_CREDENTIALS_ROLE: "orders-reader" }, { timeoutMs: 50 })(),
      )) as CredentialSourceError;
      const fix =
        `check that kube2iam or kiam runs on this node and intercepts ${IMDS} (its iptables rule), or set ` +
        "AWS_EC2_METADATA_SERVICE_ENDPOINT to where it listens.";
      expect(error).toMatchObject({
        source: "kube2iam",
        target: `${IMDS}${LISTING}`,
        retryable: false,
        fix,
        message:
          `[kube2iam] The metadata endpoint gave no usable answer: no complete answer from ${IMDS}${LISTING} within ` +
          `50 ms. Fix: ${fix}`,
      });
      expect(error.cause).toMatchObject({ name: "HttpRequestError", kind: "timeout" });
      expect(proxy.requests).toHaveLength(1);
    });
  });

  describe("when the resolution deadline passes", () => {
    it("abandons the request still in flight, closing its connection, instead of leaving it to its own timeout", async () => {
      const proxy = fakeKube2iam({ podRole: "orders-reader", credentials: secretCredentials("KUBE2IAM") });
      proxy
        .injectFault({ kind: "status", status: 404, body: "pod with specificed IP not found\n" }, { times: 1 })
        .injectFault({ kind: "hang" });
      const server = await serveTrackingAbandoned(proxy.handler);
      try {
        // Fake timers: the retry delay, the request's own 1000 ms timeout and the 1000 ms deadline fire only when told.
        vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
        const settled = rejectionOf(
          chain(
            { POD_CREDENTIALS_ROLE: "orders-reader", AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url },
            { timeoutMs: 1000, resolutionTimeoutMs: 1000, startupTimeoutMs: 5000 },
          )(),
        );
        let advanced = 0;
        while (proxy.requests.length < 2) {
          await vi.advanceTimersByTimeAsync(10);
          advanced += 10;
          await nextTurn();
        }
        // The second listing request hangs; its own timeout is due 1000 ms after it started, after the deadline.
        await vi.advanceTimersByTimeAsync(1000 - advanced);
        const error = await settled;
        expect(error.message).toContain("1000 ms");
        await server.untilAbandoned();
        expect(server.abandoned).toEqual([LISTING]);
      } finally {
        vi.useRealTimers();
        await server.close();
      }
    }, 5000);
  });

  describe("the declared role", () => {
    it("comes from the iam.amazonaws.com/role annotation in the downward-API file, Go-quoted", async () => {
      const { proxy } = await kube2iam();
      const annotations = await temporaryFile(
        "annotations",
        'kubernetes.io/config.seen="2026-11-27T21:00:00.000000000Z"\niam.amazonaws.com/role="orders-\\x72eader"\n',
      );
      const provider = chain({ POD_CREDENTIALS_ANNOTATIONS_FILE: annotations });
      await provider();
      expect(proxy.requests).toHaveLength(2);
      expect(provider.describe()?.configuredBy).toBe(`the iam.amazonaws.com/role annotation in ${annotations}`);
    });

    it("comes from a file that holds just the raw role", async () => {
      await kube2iam();
      const file = await temporaryFile("role", "orders-reader\n");
      await expect(chain({}, { annotationsFile: file })()).resolves.toBeDefined();
    });

    it.each([
      ["has no role annotation", 'kubernetes.io/config.source="api"\n'],
      ["is empty (the pod has no annotations)", ""],
    ])("is not declared when the annotations file %s: the source is skipped", async (_, content) => {
      const file = await temporaryFile("annotations", content);
      await expectSourceError(expect, chain({ POD_CREDENTIALS_ANNOTATIONS_FILE: file })(), {
        name: "NoPodCredentialsError",
        says: [`kube2iam: POD_CREDENTIALS_ROLE is not set and ${file} has no iam.amazonaws.com/role annotation`],
      });
    });

    it("is an error when a named annotations file does not exist", async () => {
      const file = "/nonexistent/podinfo/annotations";
      const error = await expectSourceError(expect, chain({ POD_CREDENTIALS_ANNOTATIONS_FILE: file })(), {
        source: "kube2iam",
        target: file,
        says: [/^\[kube2iam\] The annotations file \/nonexistent\/podinfo\/annotations does not exist\./],
      });
      expect(error.fix).toContain("POD_CREDENTIALS_ANNOTATIONS_FILE");
    });

    it("is an error when the annotations file is malformed, with the line", async () => {
      const file = await temporaryFile("annotations", 'a="1"\niam.amazonaws.com/role="unterminated\n');
      await expectSourceError(expect, chain({ POD_CREDENTIALS_ANNOTATIONS_FILE: file })(), {
        source: "kube2iam",
        target: file,
        fix: "mount it with a downward-API volume (fieldRef: metadata.annotations), or set POD_CREDENTIALS_ROLE instead.",
        says: [new RegExp(`^\\[kube2iam\\] The annotations file ${file} is malformed at line 2: .+\\. Fix: `)],
      });
    });

    it("can be passed as the expectedRole option to fromKube2iam, which describe() names", async () => {
      await kube2iam();
      const provider = fromKube2iam({ env: {}, expectedRole: "orders-reader", logger: testLogger() });
      await expect(provider()).resolves.toBeDefined();
      expect(provider.describe()).toMatchObject({ source: "kube2iam", configuredBy: "option expectedRole" });
    });
  });

  it("does not answer from kube2iam when IRSA is configured first but broken", async () => {
    const { proxy } = await kube2iam();
    const error = await rejectionOf(
      chain({ AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/x", POD_CREDENTIALS_ROLE: "orders-reader" })(),
    );
    expect(error).toMatchObject({ source: "webIdentity" });
    expect(proxy.requests).toHaveLength(0);
  });
});
