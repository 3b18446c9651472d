// The measured reasons why two sources use our own HTTP client instead of the SDK's providers. If a new SDK release
// fixes one of these, its test fails: then reconsider reusing the SDK piece.
import { fromHttp, fromInstanceMetadata } from "@aws-sdk/credential-providers";
import { afterEach, describe, expect, it } from "vitest";
import { rejectionOf } from "../support/leakCheck.js";
import { startTestServer } from "../support/loopback.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

describe("the SDK's fromHttp (why podIdentity has its own client)", () => {
  it("drops the Pod Identity agent's plain-text reason and retries a final 400 three more times", async () => {
    const agent = await startTestServer((_request, response) => {
      response.writeHead(400, { "content-type": "text/plain" }).end("Service account token cannot be parsed");
    });
    close = agent.close;
    const provider = fromHttp({
      awsContainerCredentialsFullUri: `${agent.url}/v1/credentials`,
      awsContainerAuthorizationToken: "not-a-jwt",
      // The agent answers at once, so this timeout never fires when all is well; 50 ms let a loaded machine (a
      // coverage run) lose an attempt to it before it reached the agent (the request count came out 3), and 250 ms
      // is still a number a loaded machine can miss. The test is about the retries, not this number.
      timeout: 2000,
    });

    const error = await rejectionOf(provider());

    expect(error.message).not.toContain("cannot be parsed");
    expect(error.message).toContain("400");
    expect(agent.requests).toHaveLength(4);
  });
});

describe("the SDK's fromInstanceMetadata (why instanceProfile has its own client)", () => {
  it("behind a hop limit of 1, asks for an IMDSv2 token again at every refresh and waits for its timeout each time", async () => {
    const imds = await startTestServer((request, response) => {
      if (request.method === "PUT") return; // the token request never gets an answer, as behind a hop limit of 1
      if (request.url === "/latest/meta-data/iam/security-credentials/") return void response.end("eks-node-role");
      response.end(
        JSON.stringify({
          Code: "Success",
          Type: "AWS-HMAC",
          AccessKeyId: "ASIAIMDSEXAMPLE00001",
          SecretAccessKey: "imds-secret-not-real-000000000000000000",
          Token: "imds-session-token-not-real",
          Expiration: new Date(Date.now() + 6 * 3600_000).toISOString(),
        }),
      );
    });
    close = imds.close;
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.url;
    try {
      // The token PUT pays this at each refresh; the GETs must be answered within it, so not shorter than a loaded
      // machine can be relied on to answer a loopback request in (200 ms was not).
      const provider = fromInstanceMetadata({ timeout: 1000 });
      await provider();
      await provider();
    } finally {
      delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    }
    expect(imds.requests.filter(({ method }) => method === "PUT")).toHaveLength(2);
  });
});

describe("the SDK's answer to credentials that arrive expired (static stability), which this library refuses", () => {
  it("fromInstanceMetadata extends them by 5 to 10 minutes, with a warning, where the chain throws", async () => {
    const expired = new Date(Date.now() - 60_000);
    const imds = await startTestServer((request, response) => {
      if (request.method === "PUT") return void response.end("imds-session-token-not-real");
      if (request.url === "/latest/meta-data/iam/security-credentials/") return void response.end("eks-node-role");
      response.end(
        JSON.stringify({
          Code: "Success",
          AccessKeyId: "ASIAIMDSEXAMPLE00002",
          SecretAccessKey: "imds-secret-not-real-000000000000000001",
          Token: "imds-session-token-not-real-2",
          Expiration: expired.toISOString(),
        }),
      );
    });
    close = imds.close;
    const warnings: string[] = [];
    const logger = { debug: () => {}, info: () => {}, warn: (line: string) => warnings.push(line), error: () => {} };
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.url;
    let extendedBy: number;
    try {
      const credentials = await fromInstanceMetadata({ logger })();
      extendedBy = (credentials.expiration?.getTime() ?? 0) - Date.now();
    } finally {
      delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    }
    expect(extendedBy).toBeGreaterThan(4 * 60_000);
    expect(extendedBy).toBeLessThanOrEqual(10 * 60_000);
    expect(warnings).toEqual([expect.stringContaining("Attempting credential expiration extension")]);
  });
});
