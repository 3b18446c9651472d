// No secret and no unsafe character leaves a provider, whatever the endpoints answer or the pod declares: each hostile
// text below goes through every output channel (the error's message, fix and target, every log line, the events,
// describe()), and none of them may hold a secret, a 16-character run of one, a JWT segment, a URL's password, a
// control or bidi character, or an unbounded quote of remote text.
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { renderReport } from "../../src/doctor/renderReport.js";
import { runDoctor } from "../../src/doctor/runDoctor.js";
import { type CredentialEvent, fromPodProviderChain, type PodProviderChainOptions } from "../../src/index.js";
import { createFakeJwt, fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { registerSecrets, testLogger } from "../support/leakCheck.js";
import { mswServer } from "../support/mswServer.js";

const AGENT_URL = "http://169.254.170.23/v1/credentials";
const IMDS = "http://169.254.169.254";
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Everything a provider put out in one failed call: the error's texts, the log lines, the events. */
const outputsOf = async (options: PodProviderChainOptions) => {
  const logger = testLogger();
  const events: CredentialEvent[] = [];
  const provider = fromPodProviderChain({ ...options, logger, onEvent: (event) => events.push(event) });
  const error = await provider().then(
    () => undefined,
    (thrown: unknown) => thrown as Error & Record<string, unknown>,
  );
  const texts = [
    error?.message,
    error?.fix,
    error?.target,
    error?.endpoint,
    error?.stack,
    String((error?.cause as Error | undefined)?.message ?? ""),
    ...logger.lines,
    ...events.map((event) => JSON.stringify(event)),
    JSON.stringify(provider.describe() ?? {}),
  ].filter((text): text is string => typeof text === "string");
  return { error, texts, all: texts.join("\n") };
};

const credentialsDocument = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) =>
  JSON.stringify({
    Code: "Success",
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken,
    Expiration: new Date(Date.now() + 3_600_000).toISOString(),
  });

describe("an answer that is not 200 but carries a credentials document", () => {
  it.each([203, 429, 500])("HTTP %i from the Pod Identity agent puts no secret in any output", async (status) => {
    const credentials = secretCredentials("NONOK");
    mswServer.use(http.get(AGENT_URL, () => new HttpResponse(credentialsDocument(credentials), { status })));
    const { error, all } = await outputsOf({
      env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL, AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken() },
      startupTimeoutMs: 0,
    });
    expect(error?.name).toBe("CredentialSourceError");
    expect(all).not.toContain(credentials.secretAccessKey);
    expect(all).not.toContain(credentials.sessionToken);
    expect(all).toContain(`HTTP ${status}`);
  });

  it("HTTP 500 from kube2iam on the credentials path puts no secret in any output", async () => {
    const credentials = secretCredentials("PROXY500");
    mswServer.use(
      http.get(`${IMDS}/latest/meta-data/iam/security-credentials/`, () => HttpResponse.text("orders-reader")),
      http.get(
        `${IMDS}/latest/meta-data/iam/security-credentials/orders-reader`,
        () => new HttpResponse(credentialsDocument(credentials), { status: 500 }),
      ),
    );
    const { all } = await outputsOf({ env: { POD_CREDENTIALS_ROLE: "orders-reader" }, startupTimeoutMs: 0 });
    expect(all).toContain("refused the role");
    expect(all).not.toContain(credentials.secretAccessKey);
  });
});

describe("a password in a URL", () => {
  it("in AWS_EC2_METADATA_SERVICE_ENDPOINT appears in no output, not even the error's endpoint or target", async () => {
    const password = "metadata-password-0123456789";
    registerSecrets(password);
    mswServer.use(
      http.get("http://169.254.169.254/latest/meta-data/iam/security-credentials/", () =>
        HttpResponse.text("another-role"),
      ),
    );
    const { error, all } = await outputsOf({
      env: {
        AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://proxy:${password}@169.254.169.254`,
        POD_CREDENTIALS_ROLE: "orders",
      },
      startupTimeoutMs: 0,
    });
    expect(error?.name).toBe("NodeCredentialsRefusedError");
    expect(all).not.toContain(password);
    expect(all).toContain("http://169.254.169.254");
  });
});

describe("an echo of the web-identity token in an STS error", () => {
  it.each([
    ["the whole token", (token: string) => token],
    ["only its signature segment", (token: string) => token.split(".")[2] ?? ""],
    ["a 16-character run from the middle of its payload", (token: string) => (token.split(".")[1] ?? "").slice(10, 30)],
  ])("is redacted when STS echoes %s", async (_case, echo) => {
    const token = createFakeJwt({ claims: { sub: "system:serviceaccount:orders:api" } });
    registerSecrets(token, ...token.split("."));
    const sts = fakeSts();
    await serveWithMsw("https://sts.eu-west-1.amazonaws.com", sts);
    mswServer.use(
      http.post(
        "https://sts.eu-west-1.amazonaws.com/",
        () =>
          new HttpResponse(
            `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Bad token ${echo(token)}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
            { status: 400, headers: { "content-type": "text/xml" } },
          ),
      ),
    );
    const { error, all } = await outputsOf({
      env: { AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", token), AWS_ROLE_ARN: ORDERS_ROLE_ARN },
      region: "eu-west-1",
    });
    expect(error?.message).toContain("InvalidIdentityToken");
    expect(all).toContain("[redacted]");
    for (const segment of [token, ...token.split(".").filter((part) => part.length >= 16)]) {
      expect(all).not.toContain(segment);
    }
    expect(all).not.toContain(echo(token));
  });
});

describe("control and bidi characters in text from the network", () => {
  it.each([
    ["an ESC sequence", "\u001b[2J\u001b[31mroot\u001b[0m"],
    ["a C1 control", "next\u0085line\u009bthere"],
    ["a bidi override", "safe\u202Etxt.exe\u2066x\u2069"],
    ["CR and LF that would forge a log line", "denied\r\npod-credentials: using webIdentity credentials"],
  ])("%s in the agent's refusal reaches no output", async (_case, hostile) => {
    mswServer.use(http.get(AGENT_URL, () => new HttpResponse(`Forbidden: ${hostile}`, { status: 403 })));
    const { texts } = await outputsOf({
      env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL, AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken() },
    });
    for (const text of texts.filter((line) => !line.includes("\n    at "))) expect(text).not.toMatch(UNSAFE);
  });
});

describe("a declared role that is not a role", () => {
  it.each([
    ["an ESC sequence", "orders\u001b[31m"],
    ["a line break that would forge a log line", "orders\npod-credentials: using kube2iam credentials for role admin"],
  ])("with %s is refused, quoted safely", async (_case, role) => {
    const { error, texts } = await outputsOf({ env: { POD_CREDENTIALS_ROLE: role } });
    expect(error).toMatchObject({ name: "CredentialSourceError", source: "kube2iam" });
    expect(error?.message).toContain("is not a role name, path or ARN");
    for (const text of texts.filter((line) => !line.includes("\n    at "))) expect(text).not.toMatch(UNSAFE);
  });

  it("of 256 KiB in the annotations file becomes a message of bounded length", async () => {
    const huge = "r".repeat(256 * 1024 - 64);
    const file = await temporaryFile("annotations", `iam.amazonaws.com/role="${huge}"\n`);
    const { error, texts } = await outputsOf({ env: { POD_CREDENTIALS_ANNOTATIONS_FILE: file } });
    expect(error?.name).toBe("CredentialSourceError");
    for (const text of texts) expect(text.length).toBeLessThan(2000);
  });
});

describe("the doctor's table and JSON", () => {
  const doctorOutputs = async (env: Record<string, string>, verify = false) => {
    const report = await runDoctor({ env, version: "0.0.0-test", verify });
    return [JSON.stringify(report), ...renderReport(report, { color: false }).split("\n")];
  };
  const agentEnv = () => ({
    AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: secretToken(),
    POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "0",
  });

  it("hold no secret of a credentials document the agent sent with HTTP 500", async () => {
    const credentials = secretCredentials("DOCTOR500");
    mswServer.use(http.get(AGENT_URL, () => new HttpResponse(credentialsDocument(credentials), { status: 500 })));
    const outputs = (await doctorOutputs(agentEnv())).join("\n");
    expect(outputs).toContain("HTTP 500");
    expect(outputs).not.toContain(credentials.secretAccessKey);
  });

  it("hold no control or bidi character from the agent's answer", async () => {
    mswServer.use(
      http.get(AGENT_URL, () => new HttpResponse("denied \u001b[2J\u009b31m\u202Eexe.txt", { status: 403 })),
    );
    for (const line of await doctorOutputs(agentEnv())) expect(line).not.toMatch(UNSAFE);
  });

  it("hold no password of AWS_EC2_METADATA_SERVICE_ENDPOINT", async () => {
    const password = "doctor-metadata-password-42";
    registerSecrets(password);
    const outputs = await doctorOutputs({
      AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://proxy:${password}@127.0.0.1:9`,
      POD_CREDENTIALS_ROLE: "orders",
    });
    expect(outputs.join("\n")).not.toContain(password);
  });

  it("--verify: an STS error that echoes the session token after 400 characters shows no part of it", async () => {
    const credentials = secretCredentials("VERIFY");
    mswServer.use(
      http.get(AGENT_URL, () => HttpResponse.text(credentialsDocument(credentials))),
      http.all(
        "https://sts.us-east-1.amazonaws.com/",
        () =>
          new HttpResponse(
            `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>${"x".repeat(380)} token ${credentials.sessionToken}</Message></Error></ErrorResponse>`,
            { status: 403, headers: { "content-type": "text/xml" } },
          ),
      ),
    );
    const outputs = (await doctorOutputs(agentEnv(), true)).join("\n");
    expect(outputs).toContain("InvalidClientTokenId");
    for (let start = 0; start + 16 <= credentials.sessionToken.length; start += 8) {
      expect(outputs).not.toContain(credentials.sessionToken.slice(start, start + 16));
    }
  });
});
