// The fake STS checks every signed call as real STS does: against the secret of credentials a fake handed out, with
// real STS's codes and messages for each way a signature can be wrong. Signed here by the AWS SDK's own signer.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createFakeCredentials,
  createFakeJwt,
  type FakeCredentials,
  type FakeSts,
  fakeImds,
  fakeKiam,
  fakeKube2iam,
  fakePodIdentityAgent,
  fakeSts,
  type LoopbackServer,
  leakedSecrets,
  registerFakeCredentials,
  startLoopbackServer,
} from "../../src/testing/index.js";
import { assumeWithWebIdentity, call, field } from "./serveFake.js";
import { type SignedCallOptions, signedCall } from "./signedCall.js";

const IDENTITY = { Action: "GetCallerIdentity", Version: "2011-06-15" };
const T = new Date("2030-01-01T12:00:00Z");
const MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** The credentials document a fake serves at `path`, asked directly through its handler. */
const servedBy = async (fake: { handler: (request: Request) => Promise<Response> }, path: string, token = "") => {
  const response = await fake.handler(
    new Request(`http://169.254.169.254${path}`, { headers: token === "" ? {} : { Authorization: token } }),
  );
  const document = (await response.json()) as { AccessKeyId: string; SecretAccessKey: string; Token: string };
  return { accessKeyId: document.AccessKeyId, secretAccessKey: document.SecretAccessKey, sessionToken: document.Token };
};

let now = T;
let sts: FakeSts;
let server: LoopbackServer;
beforeEach(async () => {
  now = T;
  sts = fakeSts({ now: () => now });
  server = await startLoopbackServer(sts.handler);
});
afterEach(() => server.close());

/** GetCallerIdentity signed with `credentials` at the fake's current time (unless `options` say otherwise). */
const whoAmI = async (
  credentials: Partial<FakeCredentials> & Pick<FakeCredentials, "accessKeyId" | "secretAccessKey">,
  options: SignedCallOptions = {},
  tamper: (init: { headers: Record<string, string>; body?: string }) => void = () => {},
) => {
  const { url, init } = await signedCall(server.url, IDENTITY, credentials, { signingDate: now, ...options });
  tamper(init);
  const response = await call(url, init);
  return { ...response, code: field(response.body, "Code"), message: field(response.body, "Message") };
};

describe("GetCallerIdentity answers whose credentials a fake handed out", () => {
  it("the node role for IMDS, named after the instance", async () => {
    const imds = fakeImds({
      roleName: "eks-node-role",
      accountId: "111122223333",
      instanceId: "i-0abc",
      now: () => now,
    });
    const credentials = await servedBy(imds, "/latest/meta-data/iam/security-credentials/eks-node-role");
    const answer = await whoAmI(credentials);
    expect(answer.status).toBe(200);
    expect(field(answer.body, "Arn")).toBe("arn:aws:sts::111122223333:assumed-role/eks-node-role/i-0abc");
    expect(field(answer.body, "Account")).toBe("111122223333");
    expect(field(answer.body, "UserId")).toMatch(/^AROA[0-9A-F]{17}:i-0abc$/);
  });

  it("the pod's role for the Pod Identity agent, in an eks-<cluster>-… session", async () => {
    const agent = fakePodIdentityAgent({ roleArn: "arn:aws:iam::123456789012:role/orders-writer", now: () => now });
    const credentials = await servedBy(agent, "/v1/credentials", createFakeJwt({ now: T }));
    const answer = await whoAmI(credentials);
    expect(field(answer.body, "Arn")).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/orders-writer\/eks-cluster-orders-[0-9a-f-]{36}$/,
    );
    expect(agent.roleArn).toBe("arn:aws:iam::123456789012:role/orders-writer");
  });

  it("the annotated role for kube2iam (session <FNV-1a of the pod IP>-<role>) and for kiam (session kiam-kiam)", async () => {
    const kube2iam = fakeKube2iam({ podRole: "team/orders-reader", podIp: "10.1.2.3", now: () => now });
    const fromKube2iam = await servedBy(kube2iam, "/latest/meta-data/iam/security-credentials/team/orders-reader");
    expect(field((await whoAmI(fromKube2iam)).body, "Arn")).toBe(
      "arn:aws:sts::123456789012:assumed-role/orders-reader/3987d90a-orders-reader",
    );
    const kiam = fakeKiam({ podRole: "arn:aws:iam::210987654321:role/reports", now: () => now });
    const fromKiam = await servedBy(
      kiam,
      "/latest/meta-data/iam/security-credentials/arn:aws:iam::210987654321:role/reports",
    );
    expect(field((await whoAmI(fromKiam)).body, "Arn")).toBe(
      "arn:aws:sts::210987654321:assumed-role/reports/kiam-kiam",
    );
  });

  it("whatever registerFakeCredentials recorded for credentials written by hand", async () => {
    const user = { accessKeyId: "AKIAHANDWRITTEN00001", secretAccessKey: "h".repeat(40), sessionToken: "" };
    const identity = { arn: "arn:aws:iam::123456789012:user/ci", account: "123456789012", userId: "AIDAHANDWRITTEN" };
    expect((await whoAmI(user)).code).toBe("InvalidClientTokenId");
    registerFakeCredentials(user, { identity });
    const answer = await whoAmI(user);
    expect(field(answer.body, "Arn")).toBe(identity.arn);
    expect(sts.calls.map((received) => [received.signature, received.callerArn])).toEqual([
      ["rejected", undefined],
      ["verified", identity.arn],
    ]);
  });

  it("forgets the oldest of more than 10,000 recorded keys", async () => {
    const first = createFakeCredentials("OLDEST");
    registerFakeCredentials(first, {
      identity: { arn: "arn:aws:iam::123456789012:user/a", account: "1", userId: "A" },
    });
    expect((await whoAmI(first)).status).toBe(200);
    for (let index = 0; index < 10_000; index += 1) {
      const key = `AKIAFILL${String(index).padStart(12, "0")}`;
      registerFakeCredentials({ accessKeyId: key, secretAccessKey: "f".repeat(40), sessionToken: "" });
    }
    expect((await whoAmI(first)).code).toBe("InvalidClientTokenId");
  });
});

describe("a signature that does not verify is refused, with real STS's code and message", () => {
  let issued: FakeCredentials;
  beforeEach(async () => {
    issued = createFakeCredentials("SIGNER");
    sts.configure({
      callerIdentity: { arn: "arn:aws:iam::123456789012:user/dev", account: "123456789012", userId: "X" },
    });
  });

  it("verifies the same call signed as a form POST and as a GET query", async () => {
    expect((await whoAmI(issued)).status).toBe(200);
    expect((await whoAmI(issued, { method: "GET" })).status).toBe(200);
    expect(sts.calls.map((received) => received.signature)).toEqual(["verified", "verified"]);
  });

  it.each<[string, (init: { headers: Record<string, string>; body?: string }) => void]>([
    ["a body changed after signing", (init) => Object.assign(init, { body: `${init.body}&Extra=1` })],
    ["a signed header changed", (init) => Object.assign(init.headers, { "content-type": "text/plain" })],
    [
      "a forged signature",
      (init) => {
        init.headers.authorization = (init.headers.authorization ?? "").replace(
          /Signature=\w+/,
          `Signature=${"0".repeat(64)}`,
        );
      },
    ],
  ])("SignatureDoesNotMatch (403) for %s", async (_, tamper) => {
    const answer = await whoAmI(issued, {}, tamper);
    expect([answer.status, answer.code, answer.message]).toEqual([403, "SignatureDoesNotMatch", MISMATCH]);
  });

  it("SignatureDoesNotMatch for a query changed after signing, and for the wrong secret", async () => {
    const query = await signedCall(server.url, IDENTITY, issued, { method: "GET", signingDate: now });
    const changed = await call(query.url.replace("Version=", "Extra=1&Version="), query.init);
    expect(field(changed.body, "Code")).toBe("SignatureDoesNotMatch");
    const wrongSecret = await whoAmI({
      ...issued,
      secretAccessKey: `${issued.secretAccessKey.slice(0, 39)}${issued.secretAccessKey.endsWith("x") ? "y" : "x"}`,
    });
    expect([wrongSecret.code, wrongSecret.message]).toEqual(["SignatureDoesNotMatch", MISMATCH]);
    expect(leakedSecrets(wrongSecret.body, issued)).toEqual([]);
  });

  it("InvalidClientTokenId (403) for a temporary key without its session token, or with another one", async () => {
    const missing = await whoAmI({ accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey });
    expect([missing.status, missing.code, missing.message]).toEqual([
      403,
      "InvalidClientTokenId",
      "The security token included in the request is invalid.",
    ]);
    const other = await whoAmI({ ...issued, sessionToken: createFakeCredentials("OTHER").sessionToken });
    expect(other.code).toBe("InvalidClientTokenId");
  });

  it("ExpiredToken (403) once the credentials a fake handed out have expired, by the fake STS's clock", async () => {
    const token = createFakeJwt({ now: T });
    const web = await assumeWithWebIdentity(server.url, token, {
      RoleArn: "arn:aws:iam::123456789012:role/orders-reader",
      RoleSessionName: "s1",
      DurationSeconds: "900",
    });
    expect(web.status).toBe(200);
    const session = sts.issued[0];
    if (session === undefined) throw new Error("nothing issued");
    now = new Date(T.getTime() + 899_000);
    expect((await whoAmI(session)).status).toBe(200);
    now = new Date(T.getTime() + 900_000);
    const expired = await whoAmI(session);
    expect([expired.status, expired.code, expired.message]).toEqual([
      403,
      "ExpiredToken",
      "The security token included in the request is expired",
    ]);
  });

  it("SignatureDoesNotMatch for a request signed more than 15 minutes before or after STS's clock", async () => {
    const at = (offsetMs: number) => ({ signingDate: new Date(T.getTime() + offsetMs) });
    expect((await whoAmI(issued, at(-15 * 60_000))).status).toBe(200);
    expect((await whoAmI(issued, at(15 * 60_000))).status).toBe(200);
    const late = await whoAmI(issued, at(-15 * 60_000 - 1000));
    expect([late.status, late.code, late.message]).toEqual([
      403,
      "SignatureDoesNotMatch",
      "Signature expired: 20300101T114459Z is now earlier than 20300101T114500Z (20300101T120000Z - 15 min.)",
    ]);
    const early = await whoAmI(issued, at(15 * 60_000 + 1000));
    expect(early.message).toBe(
      "Signature not yet current: 20300101T121501Z is still later than 20300101T121500Z (20300101T120000Z + 15 min.)",
    );
  });

  it("SignatureDoesNotMatch for a scope of another service or day; IncompleteSignature (400) for a partial header", async () => {
    expect((await whoAmI(issued, { service: "s3" })).message).toBe(
      "Credential should be scoped to correct service: 'sts'. ",
    );
    const otherDay = await whoAmI(issued, {}, (init) => {
      init.headers.authorization = (init.headers.authorization ?? "").replace("/20300101/", "/20291231/");
    });
    expect(otherDay.message).toBe(
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20291231' != '20300101', from '20300101T120000Z'.",
    );
    const partial = await whoAmI(issued, {}, (init) => {
      init.headers.authorization = `AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/20300101/us-east-1/sts/aws4_request`;
      delete init.headers["x-amz-date"];
    });
    expect([partial.status, partial.code, partial.message]).toEqual([
      400,
      "IncompleteSignature",
      "Authorization header requires 'SignedHeaders' parameter. Authorization header requires 'Signature' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    ]);
    expect(sts.issued).toEqual([]);
  });
});
