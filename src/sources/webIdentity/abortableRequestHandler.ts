import type { NodeHttpHandler } from "@smithy/node-http-handler";

/**
 * The HTTP handler of one STS exchange: the SDK's own `NodeHttpHandler` with our timeouts, with every request tied
 * to the resolution's `AbortSignal`. `fromWebToken` gives no way to pass an abort signal to its STS call; without
 * this, a hanging or trickling STS keeps its connection (and the process) alive after the resolution's deadline
 * (measured: ~5 s for a hanging STS, forever for a trickling one, in `test/integration/deadlines.test.ts`).
 * Call `destroy()` when the exchange is over, so no keep-alive socket lingers.
 *
 * Loaded on first use: importing `@smithy/node-http-handler` costs ~100 ms, which a pod that never uses IRSA should
 * not pay at import time (measured by `npm run bench`, scenario 7).
 */
export const abortableRequestHandler = async (
  signal: AbortSignal | undefined,
  timeouts: { connectionTimeout: number; requestTimeout: number },
): Promise<NodeHttpHandler> => {
  const { NodeHttpHandler } = await import("@smithy/node-http-handler");
  const handler = new NodeHttpHandler({ ...timeouts, throwOnRequestTimeout: true });
  if (!signal) return handler;
  const handle = handler.handle.bind(handler);
  handler.handle = (request, options = {}) =>
    handle(request, { ...options, abortSignal: options.abortSignal ?? signal });
  return handler;
};
