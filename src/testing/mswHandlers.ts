import type { HttpHandler } from "msw";
import type { FakeHandler } from "./fakeServer.js";
import { faultOf, trickleStream } from "./faults.js";

/**
 * msw handlers answering every request under `baseUrl` (any method and path) with the fake's core; msw is imported
 * only when this is called. Faults: `hang` fails as a network error once the request aborts, `reset` is a network
 * error, `trickle` streams a byte at a time.
 * @param baseUrl - the origin to intercept, for example `http://169.254.169.254` (a trailing slash is ignored).
 * @example
 * import { setupServer } from "msw/node";
 * import { fakeImds, mswHandlers } from "pod-credentials/testing";
 * const imds = fakeImds();
 * const server = setupServer(...(await mswHandlers("http://169.254.169.254", imds.handler)));
 * server.listen();
 */
export const mswHandlers = async (baseUrl: string, handler: FakeHandler): Promise<HttpHandler[]> => {
  const { http, HttpResponse } = await import("msw").catch((error: unknown) => {
    const fix = "npm install --save-dev msw";
    throw new Error(`mswHandlers needs msw, an optional peer dependency of pod-credentials: ${fix}`, { cause: error });
  });
  const origin = baseUrl.replace(/\/+$/, "");
  return [
    http.all(`${origin}/*`, async ({ request }) => {
      const response = await handler(request);
      const fault = faultOf(response);
      if (fault?.kind === "reset") return HttpResponse.error();
      if (fault?.kind === "trickle") return new Response(trickleStream(fault, request.signal), response);
      if (fault?.kind !== "hang") return response;
      return new Promise<Response>((resolve) => {
        const give = (): void => resolve(HttpResponse.error());
        if (request.signal.aborted) give();
        else request.signal.addEventListener("abort", give, { once: true });
      });
    }),
  ];
};
