import { describe, expect, it } from "vitest";
import { type FakeImds, type FakeKube2iam, fakeImds, fakeKube2iam } from "../../src/testing/index.js";
import { ADAPTERS, call, LISTING_PATH, NOW, serveEach } from "./serveFake.js";

const CREDENTIALS = { accessKeyId: "ASIAKUBE2IAMKEY00001", secretAccessKey: "K2Isecret", sessionToken: "K2Itoken" };
const GO_TEXT = "text/plain; charset=utf-8";

describe.each(ADAPTERS)("fakeKube2iam through %s", (adapter) => {
  let imds: FakeImds;
  let kube2iam: FakeKube2iam;
  const { url } = serveEach(adapter, () => {
    imds = fakeImds({ roleName: "eks-node" });
    kube2iam = fakeKube2iam({
      podRole: "team/orders",
      credentials: CREDENTIALS,
      now: () => NOW,
      upstream: imds.handler,
    });
    return kube2iam;
  });

  it("lists the pod's role with the base ARN stripped and the path kept, with Server: EC2ws", async () => {
    const response = await call(url(LISTING_PATH));
    expect(response).toMatchObject({ status: 200, body: "team/orders" });
    expect(response.headers.server).toBe("EC2ws");
    expect(response.headers["content-type"]).toBe(GO_TEXT);
    expect((await call(url("/latest/meta-data/iam/security-credentials"))).body).toBe("team/orders");
  });

  it("lists a role of another account as its full ARN", async () => {
    kube2iam.configure({ podRole: "arn:aws:iam::210987654321:role/orders" });
    expect((await call(url(LISTING_PATH))).body).toBe("arn:aws:iam::210987654321:role/orders");
  });

  it("ignores an invalid IMDSv2 token on the paths it answers itself", async () => {
    const response = await call(url(LISTING_PATH), { headers: { "X-aws-ec2-metadata-token": "garbage" } });
    expect(response).toMatchObject({ status: 200, body: "team/orders" });
  });

  it("serves compact JSON plus a newline, keys in kube2iam's struct order, 30 minutes left", async () => {
    const response = await call(url(`${LISTING_PATH}team/orders`), {
      headers: { "X-aws-ec2-metadata-token": "garbage" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.server).toBe("EC2ws");
    expect(response.headers["content-type"]).toBe(GO_TEXT);
    expect(response.body).toBe(
      '{"AccessKeyId":"ASIAKUBE2IAMKEY00001","Code":"Success","Expiration":"2030-01-01T00:30:00Z",' +
        '"LastUpdated":"2030-01-01T00:00:00Z","SecretAccessKey":"K2Isecret","Token":"K2Itoken","Type":"AWS-HMAC"}\n',
    );
  });

  it("answers 403 Invalid role to a request for a role that is not the pod's", async () => {
    const response = await call(url(`${LISTING_PATH}eks-node`));
    expect(response).toMatchObject({ status: 403, body: "Invalid role eks-node\n" });
    expect(response.headers["content-type"]).toBe(GO_TEXT);
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers.server).toBe("EC2ws");
  });

  it("says the pod is not found for the first requests of a starting pod, then answers", async () => {
    kube2iam.setMode("podNotFound", { times: 2 });
    expect(await call(url(LISTING_PATH))).toMatchObject({ status: 404, body: "pod with specificed IP not found\n" });
    expect(await call(url(`${LISTING_PATH}team/orders`))).toMatchObject({
      status: 404,
      body: "pod with specificed IP not found\n",
    });
    expect(await call(url(LISTING_PATH))).toMatchObject({ status: 200, body: "team/orders" });
    expect(kube2iam.mode).toBe("ready");
  });

  it("answers 404 when the pod has no role and there is no default role", async () => {
    kube2iam.setMode("noRole");
    expect(await call(url(LISTING_PATH))).toMatchObject({ status: 404, body: "unable to find role for IP 10.1.2.3\n" });
  });

  it("answers an empty 200 listing when the annotation is present but empty", async () => {
    kube2iam.setMode("emptyRole");
    const response = await call(url(LISTING_PATH));
    expect(response).toMatchObject({ status: 200, body: "" });
    expect(response.headers["content-type"]).toBeUndefined();
  });

  it("answers with its default role, which is not the pod's, in mode defaultRole", async () => {
    kube2iam.setMode("defaultRole");
    expect((await call(url(LISTING_PATH))).body).toBe("kube2iam-default");
    expect((await call(url(`${LISTING_PATH}kube2iam-default`))).status).toBe(200);
    expect((await call(url(`${LISTING_PATH}team/orders`))).status).toBe(403);
  });

  it("refuses a role not allowed in the pod's namespace", async () => {
    kube2iam.configure({ namespace: "payments" }).setMode("namespaceRestricted");
    expect(await call(url(LISTING_PATH))).toMatchObject({
      status: 404,
      body: "role requested arn:aws:iam::123456789012:role/team/orders not valid for namespace of pod at 10.1.2.3 with namespace payments\n",
    });
  });

  it("answers 500 with the STS error text when AssumeRole fails", async () => {
    kube2iam.configure({ stsErrorMessage: "AccessDenied: not authorized" }).setMode("stsError");
    expect((await call(url(LISTING_PATH))).status).toBe(200);
    expect(await call(url(`${LISTING_PATH}team/orders`))).toMatchObject({
      status: 500,
      body: "AccessDenied: not authorized\n",
    });
  });

  it("answers /healthz with the host IP and instance id", async () => {
    const response = await call(url("/healthz"));
    expect(response).toMatchObject({ status: 200, body: '{"hostIP":"10.0.0.1","instanceId":"i-0123456789abcdef0"}\n' });
    expect(response.headers["content-type"]).toBe("application/json");
  });

  it("proxies the token PUT and other paths to the upstream IMDS, with the upstream's answer unchanged", async () => {
    const token = await call(url("/latest/api/token"), {
      method: "PUT",
      headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" },
    });
    expect(token.status).toBe(200);
    expect(token.headers["content-type"]).toBe("text/plain");
    expect(imds.issuedTokens.map((issued) => issued.token)).toEqual([token.body]);
    expect((await call(url("/latest/meta-data/instance-id"))).body).toBe("i-0123456789abcdef0");
    expect(imds.requests.map((request) => request.path)).toEqual([
      "/latest/api/token",
      "/latest/meta-data/instance-id",
    ]);
  });

  it("gets the token PUT refused by IMDS when it adds X-Forwarded-For, as old releases did", async () => {
    kube2iam.configure({ forwardedFor: true });
    const response = await call(url("/latest/api/token"), {
      method: "PUT",
      headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" },
    });
    expect(response.status).toBe(403);
  });

  it("answers 502 to proxied paths when there is no upstream", async () => {
    kube2iam.configure({ upstream: undefined });
    expect((await call(url("/latest/meta-data/instance-id"))).status).toBe(502);
  });
});
