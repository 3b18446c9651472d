// The fake STS's signature check at its edges: a query with a name given twice and a name without a value (canonical
// order is by name, then by value, as the SDK's signer sorts them), and Authorization headers that lack a part or a
// usable date, each refused with real STS's IncompleteSignature wording.
import { SignatureV4 } from "@smithy/signature-v4";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createFakeCredentials,
  type FakeCredentials,
  type FakeSts,
  fakeSts,
  type LoopbackServer,
  startLoopbackServer,
} from "../../src/testing/index.js";
import { call, field } from "./serveFake.js";
import { fetchHeaders, NodeSha256 } from "./signedCall.js";

const T = new Date("2030-01-01T12:00:00Z");
const DATE_MISSING = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.";

let sts: FakeSts;
let server: LoopbackServer;
let issued: FakeCredentials;
beforeEach(async () => {
  sts = fakeSts({ now: () => T });
  server = await startLoopbackServer(sts.handler);
  issued = createFakeCredentials("SIGNER");
  sts.configure({
    callerIdentity: { arn: "arn:aws:iam::123456789012:user/dev", account: "123456789012", userId: "X" },
  });
});
afterEach(() => server.close());

/** A GET GetCallerIdentity whose query the SDK's signer signs as `query`, sent with the query string `search`. */
const signedGet = async (query: Record<string, string | string[]>, search: string) => {
  const endpoint = new URL(server.url);
  const signer = new SignatureV4({ service: "sts", region: "us-east-1", credentials: issued, sha256: NodeSha256 });
  const signed = await signer.sign(
    {
      method: "GET",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: "/",
      query,
      headers: { host: endpoint.host },
    },
    { signingDate: T },
  );
  const response = await call(`${server.url}/?${search}`, { method: "GET", headers: fetchHeaders(signed.headers) });
  return { status: response.status, code: field(response.body, "Code"), message: field(response.body, "Message") };
};

describe("a signed query in canonical order", () => {
  it("verifies a query with a name given twice, out of order, and a name without a value", async () => {
    const answer = await signedGet(
      { Action: "GetCallerIdentity", Version: "2011-06-15", Tag: ["b", "a"], Marker: "", Zone: "z" },
      "Zone=z&Tag=b&Action=GetCallerIdentity&Tag=a&Marker&Version=2011-06-15",
    );

    expect(answer).toEqual({ status: 200, code: undefined, message: undefined });
    expect(sts.calls.map((received) => received.signature)).toEqual(["verified"]);
  });
});

describe("an Authorization header that is not complete", () => {
  const send = (headers: Record<string, string>) =>
    call(`${server.url}/?Action=GetCallerIdentity&Version=2011-06-15`, { method: "GET", headers }).then((response) => [
      response.status,
      field(response.body, "Code"),
      field(response.body, "Message"),
    ]);

  it("without its Credential: that part named, and not the date, which is there", async () => {
    expect(
      await send({
        authorization: "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abcdef",
        "x-amz-date": "20300101T120000Z",
      }),
    ).toEqual([400, "IncompleteSignature", "Authorization header requires 'Credential' parameter."]);
  });

  it("complete, but without X-Amz-Date: only the date named", async () => {
    const authorization =
      `AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/20300101/us-east-1/sts/aws4_request, ` +
      "SignedHeaders=host;x-amz-date, Signature=abcdef";
    expect(await send({ authorization })).toEqual([400, "IncompleteSignature", DATE_MISSING]);
  });

  it("with an X-Amz-Date that is no date (month 13): taken as no date", async () => {
    const authorization =
      `AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/20301301/us-east-1/sts/aws4_request, ` +
      "SignedHeaders=host;x-amz-date, Signature=abcdef";
    expect(await send({ authorization, "x-amz-date": "20301301T120000Z" })).toEqual([
      400,
      "IncompleteSignature",
      DATE_MISSING,
    ]);
    expect(sts.issued).toEqual([]);
  });
});
