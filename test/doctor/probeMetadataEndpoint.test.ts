import { describe, expect, it } from "vitest";
import { probeMetadataEndpoint } from "../../src/doctor/examinePod.js";
import { fakeImds, fakeKiam, fakeKube2iam } from "../../src/testing/index.js";
import { secretCredentials } from "../support/fakes.js";
import { recordOutput } from "../support/leakCheck.js";
import { serve, unusedLoopbackUrl } from "./servers.js";

const LISTING = "/latest/meta-data/iam/security-credentials/";
const probe = async (url: string) => {
  const report = await probeMetadataEndpoint({ AWS_EC2_METADATA_SERVICE_ENDPOINT: url });
  recordOutput(report);
  return report;
};

describe("probing the metadata endpoint", () => {
  it("recognizes the real EC2 IMDS by its 401 to an invalid token, and fetches no credentials", async () => {
    const imds = fakeImds({ credentials: secretCredentials("NODE") });
    const report = await probe(await serve(imds));

    expect(report).toMatchObject({
      kind: "ec2Imds",
      description: "real EC2 IMDS",
      listing: { status: 401, answer: "realImds" },
    });
    expect(report.offeredRole).toBeNull();
    const listing = imds.requests.find((request) => request.path === LISTING);
    expect(listing?.headers["x-aws-ec2-metadata-token"]).toBe("pod-credentials-probe-not-a-valid-imds-token");
    expect(imds.requests.map((request) => request.path).sort()).toEqual([LISTING, "/healthz", "/ping"].sort());
  });

  it("recognizes kube2iam by /healthz, with the node it runs on and the role it offers the pod", async () => {
    const proxy = fakeKube2iam({
      podRole: "orders-reader",
      hostIp: "10.0.3.7",
      credentials: secretCredentials("KUBE2IAM"),
      upstream: fakeImds().handler,
    });
    const report = await probe(await serve(proxy));

    expect(report).toMatchObject({
      kind: "kube2iam",
      listing: { status: 200, answer: "role", role: "orders-reader" },
      kube2iamHealth: { hostIP: "10.0.3.7", instanceId: "i-0123456789abcdef0" },
      kiamPing: false,
      offeredRole: "orders-reader",
    });
    expect(proxy.requests.some((request) => request.path === `${LISTING}orders-reader`)).toBe(false);
  });

  it("recognizes kiam by /ping", async () => {
    const report = await probe(
      await serve(fakeKiam({ podRole: "orders-reader", credentials: secretCredentials("KIAM") })),
    );
    expect(report).toMatchObject({ kind: "kiam", kiamPing: true, kube2iamHealth: null, offeredRole: "orders-reader" });
  });

  it("reports what a proxy says when it does not know the pod yet", async () => {
    const proxy = fakeKube2iam({ mode: "podNotFound", upstream: fakeImds().handler });
    const report = await probe(await serve(proxy));
    expect(report).toMatchObject({
      kind: "kube2iam",
      offeredRole: null,
      listing: { status: 404, answer: "podNotYetKnown" },
    });
    expect(report.listing.message).toContain("pod with specificed IP not found");
  });

  it("calls an endpoint that accepts the invalid token but is neither kube2iam nor kiam a metadata proxy", async () => {
    const url = await serve(async (request) =>
      new URL(request.url).pathname === LISTING ? new Response("some-role") : new Response("not here", { status: 404 }),
    );
    expect(await probe(url)).toMatchObject({ kind: "metadataProxy", offeredRole: "some-role" });
  });

  it.each([
    ["plain text", "ok"],
    ["JSON without hostIP", '{"status":"healthy"}'],
    ["JSON that is not an object", "null"],
  ])("does not take a /healthz answer in %s for kube2iam", async (_, body) => {
    const url = await serve(async (request) =>
      new URL(request.url).pathname === "/healthz"
        ? new Response(body)
        : new URL(request.url).pathname === LISTING
          ? new Response("some-role")
          : new Response("not here", { status: 404 }),
    );
    expect(await probe(url)).toMatchObject({ kind: "metadataProxy", kube2iamHealth: null });
  });

  it("takes a /healthz answer with a hostIP for kube2iam, showing fields that are not text as unknown", async () => {
    const url = await serve(async (request) =>
      new URL(request.url).pathname === "/healthz"
        ? new Response('{"hostIP":42,"instanceId":["i-1"]}')
        : new Response("not here", { status: 404 }),
    );
    expect(await probe(url)).toMatchObject({ kind: "kube2iam", kube2iamHealth: { hostIP: null, instanceId: null } });
  });

  it("says nothing answers when the connection is refused", async () => {
    const report = await probe(await unusedLoopbackUrl());
    expect(report).toMatchObject({
      kind: "unreachable",
      description: "nothing",
      listing: { status: null, answer: "noAnswer" },
    });
    expect(report.error).toContain("ECONNREFUSED");
  });
});
