// What every fake does, whichever system it imitates: record requests, take options at runtime, answer injected
// faults, serve its credentials, switch modes. Called through the handler: none of this depends on the adapter.
import { describe, expect, it } from "vitest";
import { fakeImds, fakeKiam, fakeKube2iam, fakeSts } from "../../src/testing/index.js";

const NOW = new Date("2030-01-01T00:00:00Z");
const METADATA = "http://169.254.169.254";
const LISTING = `${METADATA}/latest/meta-data/iam/security-credentials/`;

const get = (fake: { handler: (request: Request) => Promise<Response> }, url: string, init?: RequestInit) =>
  fake.handler(new Request(url, init));

describe("the request log", () => {
  it("records method, path, query, URL, lower-case headers, body and time, oldest first", async () => {
    const imds = fakeImds({ now: () => NOW });
    await get(imds, `${METADATA}/latest/api/token?x=1`, {
      method: "PUT",
      headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" },
      body: "ignored",
    });
    await get(imds, LISTING);
    expect(imds.requests).toEqual([
      {
        method: "PUT",
        path: "/latest/api/token",
        search: "?x=1",
        url: `${METADATA}/latest/api/token?x=1`,
        headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60", "content-type": "text/plain;charset=UTF-8" },
        body: "ignored",
        receivedAt: NOW,
      },
      expect.objectContaining({ method: "GET", path: "/latest/meta-data/iam/security-credentials/", body: "" }),
    ]);
  });
});

describe("options", () => {
  it("change at runtime with configure, and come back as created with reset", async () => {
    const imds = fakeImds({ roleName: "eks-node" });
    imds.configure({ roleName: "other" });
    expect(await (await get(imds, LISTING)).text()).toBe("other");
    imds.reset();
    expect(imds.options).toEqual({ roleName: "eks-node" });
    expect(await (await get(imds, LISTING)).text()).toBe("eks-node");
  });

  it("delay each answer by delayMs", async () => {
    const imds = fakeImds({ delayMs: 50 });
    const started = performance.now();
    await get(imds, LISTING);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});

describe("served credentials", () => {
  it("are the configured values completed with values made up once, with the fake's prefix", async () => {
    const kiam = fakeKiam({ credentials: { accessKeyId: "ASIAFIXED" } });
    const first = kiam.credentials;
    expect(first.accessKeyId).toBe("ASIAFIXED");
    expect(first.secretAccessKey).toMatch(/^KIAM/);
    expect(kiam.credentials).toEqual(first);
    expect(fakeImds().credentials.accessKeyId).toMatch(/^ASIAIMDS/);
    expect(fakeKube2iam().credentials.accessKeyId).toMatch(/^ASIAKUBE2IAM/);
  });

  it("expire lifetimeMs after the request, or at the fixed expiration", async () => {
    const kiam = fakeKiam({ now: () => NOW, lifetimeMs: 60_000 });
    const role = `${LISTING}orders-reader`;
    expect(JSON.parse(await (await get(kiam, role)).text())).toMatchObject({ Expiration: "2030-01-01T00:01:00Z" });
    kiam.configure({ expiration: new Date("2031-02-03T04:05:06.789Z") });
    expect(JSON.parse(await (await get(kiam, role)).text())).toMatchObject({ Expiration: "2031-02-03T04:05:06Z" });
  });
});

describe("injected faults", () => {
  it("apply to the requests in scope (path prefix or pattern, method), for `times` requests", async () => {
    const imds = fakeImds();
    imds.injectFault({ kind: "status", status: 500 }, { path: "/latest/meta-data/iam/", method: "get", times: 1 });
    imds.injectFault({ kind: "status", status: 503 }, { path: /instance-id$/ });
    expect((await get(imds, `${METADATA}/latest/meta-data/instance-id`)).status).toBe(503);
    expect((await get(imds, `${METADATA}/latest/meta-data/ami-id`)).status).toBe(200);
    expect((await get(imds, LISTING, { method: "HEAD" })).status).toBe(200);
    expect((await get(imds, LISTING)).status).toBe(500);
    expect((await get(imds, LISTING)).status).toBe(200);
    expect((await get(imds, `${METADATA}/latest/meta-data/instance-id`)).status).toBe(503);
  });

  it("answer in the order injected, the oldest matching one first, until cleared or reset", async () => {
    const imds = fakeImds();
    imds.injectFault({ kind: "status", status: 500 }, { times: 1 }).injectFault({ kind: "status", status: 503 });
    expect((await get(imds, LISTING)).status).toBe(500);
    expect((await get(imds, LISTING)).status).toBe(503);
    imds.clearFaults();
    expect((await get(imds, LISTING)).status).toBe(200);
    imds.injectFault({ kind: "reset" }).reset();
    expect((await get(imds, LISTING)).status).toBe(200);
  });

  it("carry the fake's usual headers under their own (IMDS: Server: EC2ws, text/plain)", async () => {
    const response = await fakeImds()
      .injectFault({ kind: "status", status: 500, body: "<html/>", headers: { "Content-Type": "text/html" } })
      .handler(new Request(LISTING));
    expect(Object.fromEntries(response.headers)).toEqual({ server: "EC2ws", "content-type": "text/html" });
    expect(await response.text()).toBe("<html/>");
  });
});

describe("modes", () => {
  it("start as created, ready by default (ok for STS)", () => {
    expect(fakeKube2iam().mode).toBe("ready");
    expect(fakeKube2iam({ mode: "noRole" }).mode).toBe("noRole");
    expect(fakeSts().mode).toBe("ok");
  });

  it("set with times last that many counted requests, then the fake goes back to the mode before", async () => {
    const kube2iam = fakeKube2iam().setMode("podNotFound", { times: 2 });
    expect((await get(kube2iam, LISTING)).status).toBe(404);
    expect(kube2iam.mode).toBe("podNotFound");
    await get(kube2iam, `${METADATA}/healthz`); // not a request the mode decides
    expect(kube2iam.mode).toBe("podNotFound");
    expect((await get(kube2iam, LISTING)).status).toBe(404);
    expect(kube2iam.mode).toBe("ready");
    expect((await get(kube2iam, LISTING)).status).toBe(200);
  });

  it("set for zero or fewer requests are ignored", async () => {
    const kube2iam = fakeKube2iam();
    kube2iam.setMode("podNotFound", { times: 0 }).setMode("noRole", { times: -1 });
    expect(kube2iam.mode).toBe("ready");
    expect((await get(kube2iam, LISTING)).status).toBe(200);
  });

  it("set with times during another limited mode go back to the mode before both", async () => {
    const kube2iam = fakeKube2iam().setMode("noRole");
    kube2iam.setMode("podNotFound", { times: 1 }).setMode("defaultRole", { times: 1 });
    expect(kube2iam.mode).toBe("defaultRole");
    await get(kube2iam, LISTING);
    expect(kube2iam.mode).toBe("noRole");
  });

  it("set without times after a limited one stay, and reset goes back to the mode at creation", async () => {
    const kube2iam = fakeKube2iam().setMode("podNotFound", { times: 1 }).setMode("noRole");
    await get(kube2iam, LISTING);
    await get(kube2iam, LISTING);
    expect(kube2iam.mode).toBe("noRole");
    kube2iam.reset();
    expect(kube2iam.mode).toBe("ready");
  });
});
