// The direct STS client: what it sends, what it accepts, and how every kind of failure is named. STS is the faithful
// fake (through msw) for well-formed answers, and a loopback server for answers real STS never sends.
import { afterEach, describe, expect, it } from "vitest";
import { fakeSts } from "../../src/testing/index.js";
import {
  assumeRole,
  assumeRoleWithWebIdentity,
  callSts,
  getCallerIdentity,
  roleOfAssumedRoleArn,
} from "../../src/wire/sts.js";
import { startAnsweringSts, stsFailure } from "../support/answeringSts.js";
import { NODE_IDENTITY, ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw } from "../support/fakes.js";
import { startTestServer } from "../support/loopback.js";

const STS_URL = "https://sts.eu-west-1.amazonaws.com";
const ENDPOINT = { url: STS_URL, region: "eu-west-1" };
const TRANSPORT = { endpoint: ENDPOINT, timeoutMs: 5000 };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A loopback "STS" that answers every call with `status` and `body`. */
const answering = async (status: number, body: string, headers: Record<string, string> = {}) => {
  const sts = await startAnsweringSts(status, body, headers);
  closers.push(sts.server.close);
  return sts;
};
const failure = stsFailure;

const webIdentity = (token: string) => ({
  roleArn: ORDERS_ROLE_ARN,
  roleSessionName: "orders-session",
  webIdentityToken: token,
});

describe("AssumeRoleWithWebIdentity", () => {
  it("sends an unsigned form POST with the role, session name, token and duration, and reads the answer", async () => {
    const token = secretToken();
    const issued = secretCredentials("STS");
    const sts = fakeSts({ credentials: issued, expectedToken: token });
    await serveWithMsw(STS_URL, sts);

    const answer = await assumeRoleWithWebIdentity({ ...webIdentity(token), durationSeconds: 7200 }, TRANSPORT);

    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]).toMatchObject({
      action: "AssumeRoleWithWebIdentity",
      version: "2011-06-15",
      roleArn: ORDERS_ROLE_ARN,
      roleSessionName: "orders-session",
      webIdentityToken: token,
      durationSeconds: 7200,
      signedWith: undefined,
      host: "sts.eu-west-1.amazonaws.com",
    });
    expect(answer.credentials).toEqual({
      accessKeyId: issued.accessKeyId,
      secretAccessKey: issued.secretAccessKey,
      sessionToken: issued.sessionToken,
      expiration: sts.issued[0]?.expiration,
    });
    expect(answer.assumedRoleArn).toBe("arn:aws:sts::123456789012:assumed-role/orders-reader/orders-session");
    expect(answer.assumedRoleId).toBe(sts.issued[0]?.assumedRoleId);
    expect(answer.accountId).toBe("123456789012");
  });

  it("leaves DurationSeconds out when none is given", async () => {
    const token = secretToken();
    const sts = fakeSts({ expectedToken: token });
    await serveWithMsw(STS_URL, sts);

    await assumeRoleWithWebIdentity(webIdentity(token), TRANSPORT);

    expect(Object.keys(sts.calls[0]?.fields ?? {}).sort()).toEqual([
      "Action",
      "RoleArn",
      "RoleSessionName",
      "Version",
      "WebIdentityToken",
    ]);
  });
});

describe("STS error answers keep STS's code, status and retryability (the SDK's standard retry rules)", () => {
  it.each([
    ["InvalidIdentityToken", 400, false],
    ["AccessDenied", 403, false],
    ["ExpiredTokenException", 400, false],
    ["IDPRejectedClaim", 403, false],
    ["IDPCommunicationError", 400, true],
    ["Throttling", 400, true],
    ["InternalFailure", 500, true],
  ] as const)("%s: HTTP %i, retryable %s", async (code, status, retryable) => {
    const token = secretToken();
    const sts = fakeSts({ expectedToken: token });
    sts.setMode(code, { message: `what STS said about ${code}` });
    await serveWithMsw(STS_URL, sts);

    const error = await failure(assumeRoleWithWebIdentity(webIdentity(token), TRANSPORT));

    expect(error).toMatchObject({ kind: "service", code, status, retryable, action: "AssumeRoleWithWebIdentity" });
    expect(error.detail).toBe(`what STS said about ${code}`);
    expect(error.message).toBe(
      `STS AssumeRoleWithWebIdentity failed with ${code} (HTTP ${status}): what STS said about ${code}`,
    );
  });

  it.each([
    ["ServiceUnavailable", 503, true],
    ["ThrottlingException", 400, true],
    ["RequestLimitExceeded", 400, true],
    ["SomethingElse", 429, true],
    ["RegionDisabledException", 403, false],
    ["ValidationError", 400, false],
  ] as const)("%s (HTTP %i): retryable %s", async (code, status, retryable) => {
    const body = `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>no</Message></Error></ErrorResponse>`;
    const { transport } = await answering(status, body, { "x-amzn-requestid": "req-1" });

    const error = await failure(callSts({ ...transport, action: "GetCallerIdentity" }));

    expect(error).toMatchObject({ kind: "service", code, status, retryable, requestId: "req-1", detail: "no" });
  });

  it("decodes XML entities in the message and redacts the token if STS echoes it", async () => {
    const token = secretToken();
    const body = `<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad &quot;${token}&quot; &amp; &#x41;&#66;</Message></Error></ErrorResponse>`;
    const { transport } = await answering(400, body);

    const error = await failure(assumeRoleWithWebIdentity(webIdentity(token), transport));

    expect(error.detail).toBe('bad "[redacted]" & AB');
    expect(error.message).not.toContain(token);
  });

  it.each([
    [502, "<html><body>Bad gateway</body></html>", true],
    [403, "Forbidden by proxy policy", false],
    [500, "", true],
  ])("HTTP %i without an STS error document is an answer error named by its status", async (status, body, retry) => {
    const { transport, server } = await answering(status, body);

    const error = await failure(callSts({ ...transport, action: "GetCallerIdentity" }));

    expect(error).toMatchObject({ kind: "answer", code: `HTTP ${status}`, status, retryable: retry });
    expect(error.message).toBe(
      `STS GetCallerIdentity at ${server.url}/ answered HTTP ${status} without an STS error document: ${error.detail}`,
    );
    expect(error.detail).toBe(body === "" ? "(no body)" : body);
  });
});

describe("answers that are not STS's are refused, never half-read", () => {
  const credentials = (fields: Record<string, string>) =>
    Object.entries(fields)
      .map(([name, value]) => `<${name}>${value}</${name}>`)
      .join("");
  const complete = {
    AccessKeyId: "ASIAEXAMPLE",
    SecretAccessKey: "secret-that-must-not-show",
    SessionToken: "session-token-that-must-not-show",
    Expiration: "2026-12-04T23:00:00Z",
  };
  const user =
    "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/orders-reader/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>";
  const document = (inner: string) =>
    `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>${inner}</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`;

  it("reads a complete answer whatever the order of its fields", async () => {
    const { transport } = await answering(200, document(`<Credentials>${credentials(complete)}</Credentials>${user}`));

    const answer = await assumeRoleWithWebIdentity(webIdentity(secretToken()), transport);

    expect(answer.credentials).toEqual({
      accessKeyId: complete.AccessKeyId,
      secretAccessKey: complete.SecretAccessKey,
      sessionToken: complete.SessionToken,
      expiration: new Date(complete.Expiration),
    });
  });

  it.each([
    ["SessionToken", "Credentials/SessionToken"],
    ["AccessKeyId", "Credentials/AccessKeyId"],
  ])("an answer without %s names the missing field and quotes nothing", async (missing, named) => {
    const fields = Object.fromEntries(Object.entries(complete).filter(([name]) => name !== missing));
    const { transport } = await answering(200, document(`<Credentials>${credentials(fields)}</Credentials>${user}`));

    const error = await failure(assumeRoleWithWebIdentity(webIdentity(secretToken()), transport));

    expect(error).toMatchObject({ kind: "answer", code: "MalformedAnswer", retryable: false, status: 200 });
    expect(error.message).toBe(`STS AssumeRoleWithWebIdentity answered without ${named}.`);
  });

  it("an answer without AssumedRoleUser is refused", async () => {
    const { transport } = await answering(200, document(`<Credentials>${credentials(complete)}</Credentials>`));

    const error = await failure(assumeRoleWithWebIdentity(webIdentity(secretToken()), transport));

    expect(error.message).toBe("STS AssumeRoleWithWebIdentity answered without AssumedRoleUser/Arn.");
  });

  it("an Expiration that is not a date is refused", async () => {
    const fields = { ...complete, Expiration: "tomorrow" };
    const { transport } = await answering(200, document(`<Credentials>${credentials(fields)}</Credentials>${user}`));

    const error = await failure(assumeRoleWithWebIdentity(webIdentity(secretToken()), transport));

    expect(error.message).toBe(
      'STS AssumeRoleWithWebIdentity answered with an Expiration that is not a date ("tomorrow").',
    );
  });

  it.each([
    ["an HTML page", "<html>SecretAccessKey secret-that-must-not-show</html>"],
    ["another action's answer", "<GetCallerIdentityResponse><GetCallerIdentityResult/></GetCallerIdentityResponse>"],
    ["JSON", JSON.stringify(complete)],
  ])("HTTP 200 with %s is refused without quoting it", async (_, body) => {
    const { transport, server } = await answering(200, body);

    const error = await failure(assumeRoleWithWebIdentity(webIdentity(secretToken()), transport));

    expect(error.message).toBe(
      `STS AssumeRoleWithWebIdentity at ${server.url}/ answered HTTP 200 with a document that is not a AssumeRoleWithWebIdentity answer.`,
    );
    expect(error.message).not.toContain("secret-that-must-not-show");
  });
});

describe("no answer", () => {
  it("a refused connection is a network error with Node's code, not retried", async () => {
    const { server, transport } = await answering(200, "");
    await server.close();

    const error = await failure(callSts({ ...transport, action: "GetCallerIdentity" }));

    expect(error).toMatchObject({ kind: "network", code: "ECONNREFUSED", retryable: false, status: undefined });
    expect(error.message).toMatch(
      /^Could not call STS GetCallerIdentity at http:\/\/127\.0\.0\.1:\d+\/: connect ECONNREFUSED/,
    );
  });

  it("no answer within the deadline is a retryable TimeoutError", async () => {
    const server = await startTestServer(() => {});
    closers.push(server.close);

    const error = await failure(
      callSts({ endpoint: { url: server.url, region: "eu-west-1" }, timeoutMs: 50, action: "GetCallerIdentity" }),
    );

    expect(error).toMatchObject({ kind: "network", code: "TimeoutError", retryable: true });
  });

  it("an aborted call stops at once", async () => {
    const server = await startTestServer(() => {});
    closers.push(server.close);
    const controller = new AbortController();
    const call = callSts({
      endpoint: { url: server.url, region: "eu-west-1" },
      timeoutMs: 60_000,
      action: "GetCallerIdentity",
      signal: controller.signal,
    });
    controller.abort();

    const error = await failure(call);

    expect(error).toMatchObject({ kind: "network", code: "aborted", retryable: false });
  });

  it("an endpoint that is not a URL is a configuration error", async () => {
    const error = await failure(
      callSts({ endpoint: { url: "not a url", region: "eu-west-1" }, timeoutMs: 50, action: "GetCallerIdentity" }),
    );

    expect(error).toMatchObject({ kind: "configuration", code: "ERR_INVALID_URL" });
  });
});

describe("signed calls: GetCallerIdentity and AssumeRole", () => {
  it("GetCallerIdentity is signed with the given credentials for the endpoint's region", async () => {
    const caller = secretCredentials("CALLER");
    const sts = fakeSts({ callerIdentity: NODE_IDENTITY });
    await serveWithMsw(STS_URL, sts);

    const identity = await getCallerIdentity(caller, TRANSPORT);

    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]).toMatchObject({
      action: "GetCallerIdentity",
      region: "eu-west-1",
      signedWith: caller.accessKeyId,
    });
    expect(identity).toEqual(NODE_IDENTITY);
  });

  it("AssumeRole sends STS's parameters, signed, and reads the same answer shape", async () => {
    const caller = secretCredentials("CALLER");
    const issued = secretCredentials("CHAINED");
    const body = `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>${issued.accessKeyId}</AccessKeyId><SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey><SessionToken>${issued.sessionToken}</SessionToken><Expiration>2026-12-05T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::210987654321:assumed-role/target/chain</Arn><AssumedRoleId>AROA:chain</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`;
    const bodies: string[] = [];
    const server = await startTestServer((request, response) => {
      let text = "";
      request.on("data", (chunk: Buffer) => (text += chunk.toString()));
      request.on("end", () => {
        bodies.push(text);
        response.writeHead(200, { "content-type": "text/xml" });
        response.end(body);
      });
    });
    closers.push(server.close);
    const transport = { endpoint: { url: server.url, region: "eu-west-1" }, timeoutMs: 5000 };

    const answer = await assumeRole(
      { RoleArn: "arn:aws:iam::210987654321:role/target", RoleSessionName: "chain", ExternalId: undefined },
      caller,
      transport,
    );

    expect(new URLSearchParams(bodies[0])).toEqual(
      new URLSearchParams({
        Action: "AssumeRole",
        Version: "2011-06-15",
        RoleArn: "arn:aws:iam::210987654321:role/target",
        RoleSessionName: "chain",
      }),
    );
    const headers = server.requests[0]?.headers ?? {};
    expect(headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${caller.accessKeyId}/\\d{8}/eu-west-1/sts/aws4_request, SignedHeaders=`,
      ),
    );
    expect(headers["x-amz-security-token"]).toBe(caller.sessionToken);
    expect(answer).toMatchObject({
      accountId: "210987654321",
      assumedRoleArn: "arn:aws:sts::210987654321:assumed-role/target/chain",
    });
  });
});

describe("roleOfAssumedRoleArn", () => {
  it("maps an assumed-role ARN to its partition, account and role name", () => {
    expect(roleOfAssumedRoleArn("arn:aws:sts::123456789012:assumed-role/orders-reader/session")).toEqual({
      partition: "aws",
      accountId: "123456789012",
      roleName: "orders-reader",
    });
    expect(roleOfAssumedRoleArn("arn:aws-cn:sts::123456789012:assumed-role/reader/session")?.partition).toBe("aws-cn");
  });

  it.each([
    "arn:aws:iam::123456789012:role/orders-reader",
    "arn:aws:iam::123456789012:user/dev",
    "arn:aws:sts::123456789012:assumed-role/orders-reader",
    "arn:aws:sts::12345:assumed-role/orders-reader/s",
  ])("is undefined for %s", (arn) => {
    expect(roleOfAssumedRoleArn(arn)).toBeUndefined();
  });
});
