import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeImds, fakeImds } from "../../src/testing/index.js";
import { ADAPTERS, call, LISTING_PATH, NOW, type Served, serve } from "./serveFake.js";

const CREDENTIALS = { accessKeyId: "ASIAIMDSTESTKEY00001", secretAccessKey: "IMDSsecret", sessionToken: "IMDStoken" };
const TOKEN_PATH = "/latest/api/token";

const notFoundPage = `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
         "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>404 - Not Found</title>
 </head>
 <body>
  <h1>404 - Not Found</h1>
 </body>
</html>
`;

describe.each(ADAPTERS)("fakeImds through %s", (adapter) => {
  let imds: FakeImds;
  let served: Served;
  let now: Date;
  const url = (path: string): string => `${served.baseUrl}${path}`;
  const token = async (ttl = "21600"): Promise<string> => {
    const response = await call(url(TOKEN_PATH), {
      method: "PUT",
      headers: { "X-aws-ec2-metadata-token-ttl-seconds": ttl },
    });
    expect(response.status).toBe(200);
    return response.body;
  };

  beforeEach(async () => {
    now = NOW;
    imds = fakeImds({ roleName: "eks-node", credentials: CREDENTIALS, now: () => now });
    served = await serve(adapter, imds.handler, "http://169.254.169.254");
  });
  afterEach(() => served.close());

  it("issues an IMDSv2 token as text/plain for a TTL between 1 and 21600 seconds", async () => {
    const response = await call(url(TOKEN_PATH), {
      method: "PUT",
      headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" },
    });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/plain");
    expect(response.headers.server).toBe("EC2ws");
    expect(response.headers["x-aws-ec2-metadata-token-ttl-seconds"]).toBe("60");
    expect(response.body).toMatch(/^AQAEA[A-Za-z0-9+/=]+$/);
    expect(imds.issuedTokens.map((issued) => issued.token)).toEqual([response.body]);
  });

  it.each([[undefined], ["0"], ["21601"], ["abc"]])("refuses a token PUT with TTL %s with 400", async (ttl) => {
    const headers: Record<string, string> = ttl === undefined ? {} : { "X-aws-ec2-metadata-token-ttl-seconds": ttl };
    const response = await call(url(TOKEN_PATH), { method: "PUT", headers });
    expect(response.status).toBe(400);
    expect(response.body).toContain("<title>400 - Bad Request</title>");
  });

  it("refuses a token PUT carrying X-Forwarded-For with 403", async () => {
    const response = await call(url(TOKEN_PATH), {
      method: "PUT",
      headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "10.1.2.3" },
    });
    expect(response.status).toBe(403);
    expect(response.body).toContain("<title>403 - Forbidden</title>");
  });

  it("lists the bare role name, without a trailing newline, with or without a token", async () => {
    expect(await call(url(LISTING_PATH))).toMatchObject({ status: 200, body: "eks-node" });
    const withToken = await call(url(LISTING_PATH), { headers: { "X-aws-ec2-metadata-token": await token() } });
    expect(withToken).toMatchObject({ status: 200, body: "eks-node" });
    expect(withToken.headers["x-aws-ec2-metadata-token-ttl-seconds"]).toBe("21600");
  });

  it("serves the role's credentials as pretty-printed JSON in IMDS key order, valid 6 hours", async () => {
    const response = await call(url(`${LISTING_PATH}eks-node`), {
      headers: { "X-aws-ec2-metadata-token": await token() },
    });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/plain");
    expect(response.headers.server).toBe("EC2ws");
    expect(response.body).toBe(`{
  "Code" : "Success",
  "LastUpdated" : "2030-01-01T00:00:00Z",
  "Type" : "AWS-HMAC",
  "AccessKeyId" : "ASIAIMDSTESTKEY00001",
  "SecretAccessKey" : "IMDSsecret",
  "Token" : "IMDStoken",
  "Expiration" : "2030-01-01T06:00:00Z"
}`);
  });

  it("answers 401 to a GET with an invalid token even though IMDSv1 is allowed", async () => {
    const response = await call(url(LISTING_PATH), { headers: { "X-aws-ec2-metadata-token": "not-a-token" } });
    expect(response.status).toBe(401);
    expect(response.body).toContain("<title>401 - Unauthorized</title>");
  });

  it("answers 401 to a GET with a token whose TTL has passed", async () => {
    const issued = await token("1");
    now = new Date(NOW.getTime() + 1_000);
    expect((await call(url(LISTING_PATH), { headers: { "X-aws-ec2-metadata-token": issued } })).status).toBe(401);
  });

  it("answers 401 to a GET without a token when IMDSv1 is disabled", async () => {
    imds.configure({ v1Allowed: false });
    expect((await call(url(LISTING_PATH))).status).toBe(401);
    expect((await call(url(LISTING_PATH), { headers: { "X-aws-ec2-metadata-token": await token() } })).status).toBe(
      200,
    );
  });

  it("answers unknown paths, and the listing of an instance without a role, with the HTML 404 page", async () => {
    const unknown = await call(url("/latest/meta-data/nothing-here"));
    expect(unknown).toMatchObject({ status: 404, body: notFoundPage });
    expect(unknown.headers["content-type"]).toBe("text/html");
    expect(unknown.headers.server).toBe("EC2ws");
    expect((await call(url(`${LISTING_PATH}another-role`))).status).toBe(404);
    imds.configure({ noRole: true });
    expect(await call(url(LISTING_PATH))).toMatchObject({ status: 404, body: notFoundPage });
  });

  it("serves the instance id, region and instance profile", async () => {
    expect((await call(url("/latest/meta-data/instance-id"))).body).toBe("i-0123456789abcdef0");
    expect((await call(url("/latest/meta-data/placement/region"))).body).toBe("us-east-1");
    expect(JSON.parse((await call(url("/latest/meta-data/iam/info"))).body)).toMatchObject({
      Code: "Success",
      InstanceProfileArn: "arn:aws:iam::123456789012:instance-profile/eks-node",
    });
  });

  it("lists the metadata tree as IMDS does, naming iam/ only on an instance with a role", async () => {
    const meta = (path: string) => call(url(`/latest/meta-data${path}`)).then((response) => response.body);
    const root = "ami-id\nhostname\niam/\ninstance-id\nlocal-ipv4\nplacement/";
    expect(await meta("")).toBe(root);
    expect(await meta("/")).toBe(root);
    expect(await meta("/ami-id")).toBe("ami-0123456789abcdef0");
    expect(await meta("/hostname")).toBe("ip-10-0-0-1.ec2.internal");
    expect(await meta("/local-ipv4")).toBe("10.0.0.1");
    expect(await meta("/placement")).toBe("availability-zone\nregion");
    expect(await meta("/placement/")).toBe("availability-zone\nregion");
    expect(await meta("/placement/availability-zone")).toBe("us-east-1a");
    expect(await meta("/iam")).toBe("info\nsecurity-credentials/");
    expect(await meta("/iam/")).toBe("info\nsecurity-credentials/");
    expect(await meta("/iam/security-credentials")).toBe("eks-node");
    imds.configure({ noRole: true });
    expect(await meta("/")).toBe("ami-id\nhostname\ninstance-id\nlocal-ipv4\nplacement/");
    expect((await call(url("/latest/meta-data/iam/"))).status).toBe(404);
  });

  it("answers HEAD like GET", async () => {
    const response = await call(url(LISTING_PATH), { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ server: "EC2ws", "content-type": "text/plain" });
    // The loopback server sends no body with a HEAD answer, as HTTP requires. (Through msw, fetch currently hands
    // the GET body back: the msw adapter does not drop it.)
    if (adapter === "loopback") expect(response.body).toBe("");
  });

  it("answers 405 to a metadata request that is not a GET, and to a token request that is not a PUT", async () => {
    const post = await call(url(LISTING_PATH), { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.body).toContain("<title>405 - Method Not Allowed</title>");
    const getToken = await call(url(TOKEN_PATH), { headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" } });
    expect(getToken.status).toBe(405);
    expect(getToken.headers.allow).toBe("OPTIONS, PUT");
    expect(imds.issuedTokens).toEqual([]);
  });

  it("never answers the token PUT beyond the hop limit, while IMDSv1 GETs still work", async () => {
    imds.configure({ hopLimitExceeded: true });
    // Never answered: only the client's own timeout ends the PUT.
    await expect(
      fetch(url(TOKEN_PATH), {
        method: "PUT",
        headers: { "X-aws-ec2-metadata-token-ttl-seconds": "21600" },
        signal: AbortSignal.timeout(150),
      }),
    ).rejects.toThrow(expect.objectContaining({ name: "TimeoutError" }));
    expect((await call(url(LISTING_PATH))).body).toBe("eks-node");
  });

  it("answers an injected fault for the next request only, then normally", async () => {
    imds.injectFault({ kind: "malformed" }, { path: "/latest/meta-data/iam/", times: 1 });
    const broken = await call(url(`${LISTING_PATH}eks-node`));
    expect(broken.status).toBe(200);
    expect(() => JSON.parse(broken.body) as unknown).toThrow();
    expect(broken.headers.server).toBe("EC2ws");
    expect(JSON.parse((await call(url(`${LISTING_PATH}eks-node`))).body)).toMatchObject({ Code: "Success" });
  });

  it("records each request's method, path and headers, and forgets them on reset", async () => {
    await call(url(LISTING_PATH), { headers: { "X-aws-ec2-metadata-token": "bad" } });
    expect(imds.requests).toHaveLength(1);
    expect(imds.requests[0]).toMatchObject({ method: "GET", path: LISTING_PATH });
    expect(imds.requests[0]?.headers["x-aws-ec2-metadata-token"]).toBe("bad");
    imds.configure({ noRole: true }).reset();
    expect(imds.requests).toEqual([]);
    expect(imds.options.noRole).toBeUndefined();
  });
});
