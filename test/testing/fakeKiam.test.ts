import { describe, expect, it } from "vitest";
import { type FakeImds, type FakeKiam, fakeImds, fakeKiam } from "../../src/testing/index.js";
import { ADAPTERS, call, LISTING_PATH, NOW, serveEach } from "./serveFake.js";

const CREDENTIALS = { accessKeyId: "ASIAKIAMTESTKEY00001", secretAccessKey: "KIAMsecret", sessionToken: "KIAMtoken" };
const ROLE_ARN = "arn:aws:iam::123456789012:role/orders-reader";

describe.each(ADAPTERS)("fakeKiam through %s", (adapter) => {
  let imds: FakeImds;
  let kiam: FakeKiam;
  const { url } = serveEach(adapter, () => {
    imds = fakeImds();
    kiam = fakeKiam({ podRole: ROLE_ARN, credentials: CREDENTIALS, now: () => NOW, upstream: imds.handler });
    return kiam;
  });

  it("lists the annotation as written, without a Server header, ignoring tokens", async () => {
    const response = await call(url(LISTING_PATH), { headers: { "X-aws-ec2-metadata-token": "garbage" } });
    expect(response).toMatchObject({ status: 200, body: ROLE_ARN });
    expect(response.headers.server).toBeUndefined();
    kiam.configure({ podRole: "orders-reader" });
    expect((await call(url(LISTING_PATH))).body).toBe("orders-reader");
  });

  it("redirects the listing without a trailing slash with 308", async () => {
    const response = await fetch(url("/latest/meta-data/iam/security-credentials"), {
      redirect: "manual",
      signal: AbortSignal.timeout(1_000),
    });
    expect(response.status).toBe(308);
    expect(response.headers.get("location")).toBe(LISTING_PATH);
  });

  it("serves compact JSON plus a newline, keys in kiam's struct order, 10 minutes left", async () => {
    const response = await call(url(`${LISTING_PATH}orders-reader`));
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(response.body).toBe(
      '{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAKIAMTESTKEY00001","SecretAccessKey":"KIAMsecret",' +
        '"Token":"KIAMtoken","Expiration":"2030-01-01T00:10:00Z","LastUpdated":"2030-01-01T00:00:00Z"}\n',
    );
    expect((await call(url(`${LISTING_PATH}${encodeURIComponent(ROLE_ARN)}`))).status).toBe(200);
  });

  it("answers 500 forbidden by policy to a request for another role", async () => {
    expect(await call(url(`${LISTING_PATH}eks-node`))).toMatchObject({
      status: 500,
      body: "error fetching credentials: forbidden by policy\n",
    });
  });

  it("answers 404 empty role when the pod has no role", async () => {
    kiam.setMode("noRole");
    const response = await call(url(LISTING_PATH));
    expect(response).toMatchObject({ status: 404, body: "empty role\n" });
    expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
  });

  it("says the pod is not found while the server has not seen it, then answers", async () => {
    kiam.setMode("podNotFound", { times: 2 });
    expect(await call(url(LISTING_PATH))).toMatchObject({
      status: 500,
      body: "rpc error: code = Unknown desc = no pod found\n",
    });
    expect(await call(url(`${LISTING_PATH}orders-reader`))).toMatchObject({
      status: 500,
      body: "error fetching credentials: no pod found\n",
    });
    expect((await call(url(`${LISTING_PATH}orders-reader`))).status).toBe(200);
  });

  it("answers 500 with the server's reason in modes forbidden and error", async () => {
    kiam.setMode("forbidden");
    expect((await call(url(`${LISTING_PATH}orders-reader`))).body).toBe(
      "error fetching credentials: forbidden by policy\n",
    );
    kiam.configure({ errorMessage: "AccessDenied: nope" }).setMode("error");
    expect((await call(url(`${LISTING_PATH}orders-reader`))).body).toBe(
      "error fetching credentials: AccessDenied: nope\n",
    );
  });

  it("blocks every other path, iam/info included, with 404", async () => {
    expect(await call(url("/latest/meta-data/iam/info"))).toMatchObject({
      status: 404,
      body: 'request blocked by allow-route-regexp "^$": /latest/meta-data/iam/info\n',
    });
    expect(imds.requests).toEqual([]);
  });

  it("proxies the IMDSv2 token PUT to IMDS (kiam 4)", async () => {
    const response = await call(url("/latest/api/token"), {
      method: "PUT",
      headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" },
    });
    expect(response.status).toBe(200);
    expect(imds.issuedTokens).toHaveLength(1);
  });

  it("blocks the token PUT too, as kiam 3 does", async () => {
    kiam.configure({ version: 3 });
    expect(
      await call(url("/latest/api/token"), {
        method: "PUT",
        headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" },
      }),
    ).toMatchObject({ status: 404, body: 'request blocked by whitelist-route-regexp "^$": /latest/api/token\n' });
  });

  it("answers /ping with pong", async () => {
    expect(await call(url("/ping"))).toMatchObject({ status: 200, body: "pong" });
  });
});
