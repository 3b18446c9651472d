import { describe, expect, it } from "vitest";
import {
  type CredentialSourceError,
  fromKube2iam,
  fromPodProviderChain,
  type NodeCredentialsRefusedError,
} from "../../src/index.js";
import { fakeImds, fakeKiam, fakeKube2iam } from "../../src/testing/index.js";
import { secretCredentials, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { recordOutput, rejectionOf, testLogger } from "../support/leakCheck.js";

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
      const error = (await rejectionOf(
        chain({ POD_CREDENTIALS_ROLE: "orders-reader" }, QUICK)(),
      )) as NodeCredentialsRefusedError;
      expect(error).toMatchObject({
        name: "NodeCredentialsRefusedError",
        source: "kube2iam",
        expectedRole: "orders-reader",
        offeredRole: "kube2iam-default",
      });
      expect(error.message).toContain('offers the role "kube2iam-default", not the role "orders-reader"');
      expect(proxy.requests.filter((request) => request.path !== LISTING)).toEqual([]);
    });

    it("waits while kube2iam still answers with its default role, then takes the pod's role", async () => {
      const { proxy } = await kube2iam({ defaultRole: "kube2iam-default" });
      proxy.setMode("defaultRole", { times: 2 });
      const credentials = await chain({ POD_CREDENTIALS_ROLE: "orders-reader" })();
      expect(credentials.accessKeyId).toBe(proxy.credentials.accessKeyId);
    });

    it("retries while kube2iam does not know the pod yet, then succeeds", async () => {
      const { proxy } = await kube2iam();
      proxy.setMode("podNotFound", { times: 3 });
      const credentials = await chain({ POD_CREDENTIALS_ROLE: "orders-reader" })();
      expect(credentials.accessKeyId).toBe(proxy.credentials.accessKeyId);
      expect(proxy.requests.length).toBe(5);
    });

    it("gives up on a pod kube2iam never learns of, with kube2iam's own message", async () => {
      await kube2iam({ mode: "podNotFound" });
      const error = await rejectionOf(chain({ POD_CREDENTIALS_ROLE: "orders-reader" }, QUICK)());
      expect(error.name).toBe("CredentialSourceError");
      expect(error.message).toContain("does not know this pod yet");
      expect(error.message).toContain("pod with specificed IP");
    });

    it("says kube2iam holds no role for this pod when its listing is empty", async () => {
      await kube2iam({ mode: "emptyRole" });
      const error = await rejectionOf(chain({ POD_CREDENTIALS_ROLE: "orders-reader" }, QUICK)());
      expect(error.name).toBe("CredentialSourceError");
      expect(error.message).toContain("holds no role for this pod");
    });

    it("stops at once on kube2iam's 403 Invalid role", async () => {
      const { proxy } = await kube2iam();
      proxy.injectFault(
        { kind: "status", status: 403, body: "Invalid role orders-reader\n", headers: { Server: "EC2ws" } },
        { path: `${LISTING}orders-reader` },
      );
      const error = (await rejectionOf(chain({ POD_CREDENTIALS_ROLE: "orders-reader" })())) as CredentialSourceError;
      expect(error).toMatchObject({ name: "CredentialSourceError", source: "kube2iam", status: 403 });
      expect(error.message).toContain("HTTP 403: kube2iam: Invalid role orders-reader");
      expect(proxy.requests).toHaveLength(2);
    });

    it("stops at once when kube2iam says the role is not valid for the pod's namespace", async () => {
      const { proxy } = await kube2iam({ mode: "namespaceRestricted", namespace: "payments" });
      const error = await rejectionOf(chain({ POD_CREDENTIALS_ROLE: "orders-reader" })());
      expect(error.message).toContain("not valid for namespace of pod");
      expect(proxy.requests).toHaveLength(1);
    });

    it("reports the STS error kube2iam could not assume the role with", async () => {
      await kube2iam({ mode: "stsError" });
      const error = (await rejectionOf(chain({ POD_CREDENTIALS_ROLE: "orders-reader" })())) as CredentialSourceError;
      expect(error).toMatchObject({ name: "CredentialSourceError", status: 500 });
      expect(error.message).toContain("not authorized to perform: sts:AssumeRole");
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
      const error = (await rejectionOf(chain({ POD_CREDENTIALS_ROLE: "orders-reader" })())) as CredentialSourceError;
      expect(error).toMatchObject({ name: "CredentialSourceError", status: 500 });
      expect(error.message).toContain("forbidden by policy");
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
      const error = (await rejectionOf(
        chain({ POD_CREDENTIALS_ROLE: "orders-reader" }, QUICK)(),
      )) as NodeCredentialsRefusedError;
      expect(error).toMatchObject({
        name: "NodeCredentialsRefusedError",
        source: "kube2iam",
        endpoint: IMDS,
        expectedRole: "orders-reader",
      });
      expect(error.message).toContain("is the real EC2 instance metadata service");
      expect(node.requests.every((request) => request.path === LISTING)).toBe(true);
    });

    it("keeps asking during the start-up window, since the proxy may not have installed its redirect yet", async () => {
      const node = fakeImds();
      await serveWithMsw(IMDS, node);
      await rejectionOf(chain({ POD_CREDENTIALS_ROLE: "orders-reader" }, { startupTimeoutMs: 700 })());
      expect(node.requests.length).toBeGreaterThan(1);
    });
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

    it("is not declared when the annotations file has no role annotation: the source is skipped", async () => {
      const file = await temporaryFile("annotations", 'kubernetes.io/config.source="api"\n');
      const error = await rejectionOf(chain({ POD_CREDENTIALS_ANNOTATIONS_FILE: file })());
      expect(error.name).toBe("NoPodCredentialsError");
      expect(error.message).toContain(
        `kube2iam: POD_CREDENTIALS_ROLE is not set and ${file} has no iam.amazonaws.com/role annotation`,
      );
    });

    it("is an error when a named annotations file does not exist", async () => {
      const error = await rejectionOf(
        chain({ POD_CREDENTIALS_ANNOTATIONS_FILE: "/nonexistent/podinfo/annotations" })(),
      );
      expect(error).toMatchObject({ name: "CredentialSourceError", source: "kube2iam" });
      expect(error.message).toContain("/nonexistent/podinfo/annotations");
    });

    it("is an error when the annotations file is malformed, with the line", async () => {
      const file = await temporaryFile("annotations", 'a="1"\niam.amazonaws.com/role="unterminated\n');
      const error = await rejectionOf(chain({ POD_CREDENTIALS_ANNOTATIONS_FILE: file })());
      expect(error.message).toContain("is malformed at line 2");
    });

    it("can be passed as the expectedRole option to fromKube2iam", async () => {
      await kube2iam();
      await expect(
        fromKube2iam({ env: {}, expectedRole: "orders-reader", logger: testLogger() })(),
      ).resolves.toBeDefined();
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
