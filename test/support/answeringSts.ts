// A loopback "STS" for tests of our own STS client (src/wire/sts.ts), which answers every call with one status and body,
// and the StsError a call throws, recorded for the leak check.
import { expect } from "vitest";
import { isStsError, type StsError, type StsTransport } from "../../src/wire/sts.js";
import { recordOutput } from "./leakCheck.js";
import { startTestServer } from "./loopback.js";

/** Starts the server; the caller closes it (`server.close`). Calls are signed for, and sent to, `eu-west-1`. */
export const startAnsweringSts = async (status: number, body: string, headers: Record<string, string> = {}) => {
  const server = await startTestServer((_, response) => {
    response.writeHead(status, { "content-type": "text/xml", ...headers });
    response.end(body);
  });
  const transport: StsTransport = { endpoint: { url: server.url, region: "eu-west-1" }, timeoutMs: 5000 };
  return { server, transport };
};

/** The error a call throws, which must be an StsError, recorded for the leak check. */
export const stsFailure = async (call: Promise<unknown>): Promise<StsError> => {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isStsError(error)).toBe(true);
  recordOutput(error);
  return error as StsError;
};
