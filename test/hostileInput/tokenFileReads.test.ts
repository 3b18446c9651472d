// A refused token file leaves no file operation behind: while a resolution that fails on the token file runs, the
// only file I/O is that file's open, stat, read and close, and the close is done when the error arrives. The pod
// processes of limits.process.test.ts check the same from outside (nothing alive two event-loop turns after the
// result); this pins the cause of the one time they did not: IRSA once preloaded the SDK's modules with an import
// nobody awaited, whose module-file reads (a FileHandle's `CloseReq`) could outlive a token refused at once.
import { createHook } from "node:async_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { ORDERS_ROLE_ARN, secretToken, temporaryFile } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";

const TOO_LARGE = 16 * 1024 + 1;
/** The resources of file I/O as `process.getActiveResourcesInfo()` and async_hooks name them. */
const FILE_RESOURCES = ["FSReqPromise", "FSReqCallback", "FileHandle", "CloseReq"];
const FILE_HOOK_TYPES = ["FSREQPROMISE", "FSREQCALLBACK", "FILEHANDLE", "FILEHANDLECLOSEREQ"];

let disable: (() => void) | undefined;
afterEach(() => disable?.());

/** Every file operation started while `run` runs: its kind and the functions that started it. */
const fileOperationsDuring = async (run: () => Promise<unknown>) => {
  const operations: { type: string; stack: string }[] = [];
  const hook = createHook({
    init(_id, type) {
      if (FILE_HOOK_TYPES.includes(type)) operations.push({ type, stack: new Error().stack ?? "" });
    },
  });
  hook.enable();
  disable = () => hook.disable();
  const outcome = await run().then(
    () => "resolved",
    (error: Error) => error.message,
  );
  // The error reaches the caller inside the close's own callback, where Node still lists its `CloseReq`: Node frees it
  // when that callback returns. So what is still running is looked at one turn later, not two as the pods do.
  await new Promise(setImmediate);
  const aliveNextTurn = process.getActiveResourcesInfo().filter((name) => FILE_RESOURCES.includes(name));
  hook.disable();
  return { outcome, operations, aliveNextTurn };
};

describe("a token file refused for its size leaves no file operation running", () => {
  it.each([
    {
      source: "webIdentity",
      env: async (file: string) => ({ AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: ORDERS_ROLE_ARN }),
      says: "The web-identity token file",
    },
    {
      source: "podIdentity",
      env: async (file: string) => ({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file,
      }),
      says: "The pod identity token file",
    },
  ])("$source: open, stat, read and close of the token file alone, all done when the error arrives", async (row) => {
    const file = await temporaryFile("token", secretToken().padEnd(TOO_LARGE, "A"));
    const provider = fromPodProviderChain({ env: await row.env(file), region: "us-east-1", logger: testLogger() });

    const { outcome, operations, aliveNextTurn } = await fileOperationsDuring(() => provider());

    expect(outcome).toContain(`${row.says} ${file} is larger than 16384 bytes`);
    const others = operations.filter(
      ({ type, stack }) => type !== "FILEHANDLE" && !stack.includes("readSmallTextFile"),
    );
    expect(others.map(({ type, stack }) => `${type} ${stack}`)).toEqual([]);
    // A FileHandle is made by Node when the open completes, with no JavaScript caller on the stack.
    expect(operations.map(({ type }) => type)).toEqual([
      "FSREQPROMISE", // open
      "FILEHANDLE",
      "FSREQPROMISE", // stat
      "FSREQPROMISE", // read
      "FILEHANDLECLOSEREQ", // close
    ]);
    expect(aliveNextTurn).toEqual([]);
  });
});
