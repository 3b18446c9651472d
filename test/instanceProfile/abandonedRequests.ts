// A loopback server in front of a metadata fake that records the requests the client abandoned (aborted before the
// answer): how the deadline tests of the metadata sources (kube2iam, instanceProfile) see that a request still in
// flight was given up and its connection closed, rather than left to its own timeout.
import { setImmediate as nextTurn } from "node:timers/promises";
import { type FakeHandler, startLoopbackServer } from "../../src/testing/index.js";

/** Serves `handler` on loopback; `abandoned` lists the path of every request the client aborted, in order. */
export const serveTrackingAbandoned = async (handler: FakeHandler) => {
  const abandoned: string[] = [];
  const server = await startLoopbackServer((request) => {
    const path = new URL(request.url).pathname;
    request.signal.addEventListener("abort", () => abandoned.push(path));
    return handler(request);
  });
  /** Resolves once a request for `path` (any, when not given) has been abandoned. */
  const untilAbandoned = async (path?: string) => {
    while (!abandoned.some((seen) => path === undefined || seen === path)) await nextTurn();
  };
  return { url: server.url, close: server.close, abandoned, untilAbandoned };
};
