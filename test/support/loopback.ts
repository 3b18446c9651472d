import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A plain loopback HTTP server for a test, with the requests it saw. Closing it also drops open connections. */
export const startTestServer = async (
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{
  url: string;
  requests: { method: string; path: string; headers: IncomingMessage["headers"] }[];
  close: () => Promise<void>;
}> => {
  const requests: { method: string; path: string; headers: IncomingMessage["headers"] }[] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers });
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/**
 * An endpoint posing as STS on loopback: it answers every call with a successful `action` response carrying
 * `credentials` (valid until `expiration`) for the session `assumedRoleArn`, whatever was asked.
 */
export const startStsAnswering = (
  action: "AssumeRole" | "AssumeRoleWithWebIdentity",
  answer: {
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    assumedRoleArn: string;
    expiration: string;
  },
) =>
  startTestServer((request, response) => {
    const { credentials, assumedRoleArn, expiration } = answer;
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "text/xml" });
      response.end(
        `<${action}Response><${action}Result><Credentials>` +
          `<AccessKeyId>${credentials.accessKeyId}</AccessKeyId>` +
          `<SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>` +
          `<SessionToken>${credentials.sessionToken}</SessionToken><Expiration>${expiration}</Expiration>` +
          `</Credentials><AssumedRoleUser><Arn>${assumedRoleArn}</Arn><AssumedRoleId>AROA:s</AssumedRoleId>` +
          `</AssumedRoleUser></${action}Result></${action}Response>`,
      );
    });
  });
