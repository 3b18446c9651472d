// The finer points of one STS call: what is signed when the endpoint has a path, how strictly an answer's fields and
// envelope are read, what an error carries when STS leaves something out, and which failures the chain's fix names.
import { afterEach, describe, expect, it } from "vitest";
import type { RecordedRequest } from "../../src/testing/fakeServer.js";
import { verifySignature } from "../../src/testing/sigv4.js";
import {
  assumeRole,
  assumeRoleWithWebIdentity,
  callSts,
  getCallerIdentity,
  isStsError,
  resolveStsEndpoint,
  StsError,
  stsFailureFix,
} from "../../src/wire/sts.js";
import { startAnsweringSts, stsFailure } from "../support/answeringSts.js";
import { ORDERS_ROLE_ARN, secretCredentials } from "../support/fakes.js";
import { registerSecrets } from "../support/leakCheck.js";
import { startTestServer } from "../support/loopback.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const answering = async (status: number, body: string) => {
  const { server, transport } = await startAnsweringSts(status, body);
  closers.push(server.close);
  return transport;
};
const failure = stsFailure;

const CREDENTIALS =
  "<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret-that-must-not-show</SecretAccessKey>" +
  "<SessionToken>session-token-that-must-not-show</SessionToken><Expiration>2026-12-04T23:00:00Z</Expiration></Credentials>";
const USER =
  "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/orders-reader/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>";

describe("a signed call to an endpoint with a path", () => {
  it("signs the endpoint's own path, so STS behind a path-routing gateway verifies the signature", async () => {
    const caller = secretCredentials("CALLER");
    const seen: RecordedRequest[] = [];
    const server = await startTestServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
        );
        seen.push({
          method: request.method ?? "",
          path: url.pathname,
          search: url.search,
          url: url.href,
          headers,
          body,
          receivedAt: new Date(),
        });
        response.writeHead(200, { "content-type": "text/xml" });
        response.end(
          "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><Account>123456789012</Account><UserId>AROA:s</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>",
        );
      });
    });
    closers.push(server.close);

    await getCallerIdentity(caller, {
      endpoint: { url: `${server.url}/sts/v1`, region: "eu-west-1" },
      timeoutMs: 5000,
    });

    expect(seen.map((request) => request.path)).toEqual(["/sts/v1"]);
    expect(verifySignature(seen[0] as RecordedRequest, new Date())).toMatchObject({ status: "verified" });
  });
});

describe("reading an answer", () => {
  it("takes a field's text without the whitespace around it", async () => {
    const spaced = CREDENTIALS.replace("<AccessKeyId>ASIAEXAMPLE<", "<AccessKeyId>\n    ASIAEXAMPLE\n  <");
    const transport = await answering(
      200,
      `<AssumeRoleResponse><AssumeRoleResult>${spaced}${USER}</AssumeRoleResult></AssumeRoleResponse>`,
    );

    const answer = await assumeRole({ RoleArn: ORDERS_ROLE_ARN }, secretCredentials("CALLER"), transport);

    expect(answer.credentials.accessKeyId).toBe("ASIAEXAMPLE");
  });

  it("refuses a Result element that is not inside the action's Response element", async () => {
    const transport = await answering(200, `<AssumeRoleResult>${CREDENTIALS}${USER}</AssumeRoleResult>`);

    const error = await failure(assumeRole({ RoleArn: ORDERS_ROLE_ARN }, secretCredentials("CALLER"), transport));

    expect(error).toMatchObject({ kind: "answer", code: "MalformedAnswer", status: 200, detail: "" });
    expect(error.message).toContain("answered HTTP 200 with a document that is not a AssumeRole answer.");
  });

  it("refuses the action's Response element without its Result element", async () => {
    const transport = await answering(
      200,
      "<GetCallerIdentityResponse><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
    );

    const error = await failure(getCallerIdentity(secretCredentials("CALLER"), transport));

    expect(error.message).toContain("answered HTTP 200 with a document that is not a GetCallerIdentity answer.");
  });

  it("names AssumeRole in the refusal of an incomplete AssumeRole answer", async () => {
    const transport = await answering(
      200,
      `<AssumeRoleResponse><AssumeRoleResult>${CREDENTIALS}</AssumeRoleResult></AssumeRoleResponse>`,
    );

    const error = await failure(assumeRole({ RoleArn: ORDERS_ROLE_ARN }, secretCredentials("CALLER"), transport));

    expect(error).toMatchObject({ action: "AssumeRole", code: "MalformedAnswer" });
    expect(error.message).toBe("STS AssumeRole answered without AssumedRoleUser/Arn.");
  });
});

describe("error answers", () => {
  it("an error document without a Message has an empty detail", async () => {
    const transport = await answering(
      400,
      "<ErrorResponse><Error><Code>ValidationError</Code></Error></ErrorResponse>",
    );

    const error = await failure(callSts({ ...transport, action: "GetCallerIdentity" }));

    expect(error).toMatchObject({ kind: "service", code: "ValidationError", detail: "" });
    expect(error.message).toBe("STS GetCallerIdentity failed with ValidationError (HTTP 400): ");
  });

  it("redacts an opaque (not JWT-shaped) web identity token that STS echoes", async () => {
    const token = "opaque-web-identity-token-7f3a9c1e";
    registerSecrets(token);
    const transport = await answering(
      400,
      `<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>cannot read ${token}</Message></Error></ErrorResponse>`,
    );

    const error = await failure(
      assumeRoleWithWebIdentity({ roleArn: ORDERS_ROLE_ARN, roleSessionName: "s", webIdentityToken: token }, transport),
    );

    expect(error.detail).toBe("cannot read [redacted]");
    expect(error.message).not.toContain(token);
  });
});

describe("configuration errors", () => {
  it("an endpoint that cannot be built is a ConfigurationError with no detail, status or request id", () => {
    let thrown: unknown;
    try {
      resolveStsEndpoint("not a region!", {}, "GetCallerIdentity");
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(StsError);
    expect(thrown).toMatchObject({
      kind: "configuration",
      code: "ConfigurationError",
      detail: "",
      retryable: false,
      status: undefined,
      requestId: undefined,
    });
  });

  it("a configured endpoint is taken without the spaces around it", () => {
    expect(resolveStsEndpoint("eu-west-1", { AWS_ENDPOINT_URL_STS: "  https://sts.internal  " }, "AssumeRole")).toEqual(
      { url: "https://sts.internal", region: "eu-west-1" },
    );
  });

  it("AWS_ENDPOINT_URL is taken without the spaces around it too", () => {
    expect(resolveStsEndpoint("eu-west-1", { AWS_ENDPOINT_URL: " https://aws.internal\n" }, "AssumeRole")).toEqual({
      url: "https://aws.internal",
      region: "eu-west-1",
    });
  });

  it("a region holding 'fips-' in its middle is not a FIPS region and keeps its name", () => {
    expect(resolveStsEndpoint("us-fips-1", {}, "AssumeRole")).toEqual({
      url: "https://sts.us-fips-1.amazonaws.com",
      region: "us-fips-1",
    });
  });
});

describe("isStsError", () => {
  it("is true for an StsError, even from another copy of the package, and false for anything else", () => {
    const copy = Object.assign(new Error("from another copy"), { name: "StsError" });
    expect(isStsError(copy)).toBe(true);
    expect(isStsError(new Error("plain"))).toBe(false);
    expect(isStsError({ name: "StsError", message: "not an Error" })).toBe(false);
    expect(isStsError(undefined)).toBe(false);
  });
});

describe("stsFailureFix: the fix the chain gives for a failed STS call", () => {
  const NOT_ACCEPTED = "the credentials were not accepted";
  it.each(["InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "IncompleteSignature"])(
    "%s: the credentials were not accepted",
    (code) => {
      expect(stsFailureFix({ kind: "service", code, retryable: false }, NOT_ACCEPTED)).toBe(NOT_ACCEPTED);
    },
  );

  it("another non-retryable service error has no fix of its own", () => {
    expect(stsFailureFix({ kind: "service", code: "AccessDenied", retryable: false }, NOT_ACCEPTED)).toBeUndefined();
  });
});
