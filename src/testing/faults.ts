// Failures a fake answers with. `hang`, `reset` and `trickle` are no ordinary Response: faultResponse marks the
// Response with its fault, and each adapter (loopback server, msw) reads it back with faultOf and carries it out.

/** A failure a fake produces instead of its normal answer (see `injectFault` on every fake). */
export type Fault =
  | {
      /** Accept the request and never answer (the socket stays open until the client gives up). */
      readonly kind: "hang";
    }
  | {
      /** Drop the connection: a TCP reset on the loopback server, a network error in msw. */
      readonly kind: "reset";
    }
  | {
      /** Send the status and headers, then one byte of `chunk` every `intervalMs`, forever. */
      readonly kind: "trickle";
      /** @default 100 */
      readonly intervalMs?: number | undefined;
      /** @default 200 */
      readonly status?: number | undefined;
      /** Sent on top of the fake's usual headers. */
      readonly headers?: Readonly<Record<string, string>> | undefined;
      /** The bytes sent one at a time, cycled; an empty chunk is a space. @default " " */
      readonly chunk?: string | undefined;
    }
  | {
      /** Answer `status` with `body` (for example a 500 with an HTML page from a broken proxy). */
      readonly kind: "status";
      /** The HTTP status to answer. */
      readonly status: number;
      /** @default "" */
      readonly body?: string | undefined;
      /** Sent on top of the fake's usual headers. */
      readonly headers?: Readonly<Record<string, string>> | undefined;
    }
  | {
      /** Answer with the fake's usual headers but a body that does not parse. */
      readonly kind: "malformed";
      /** @default DEFAULT_MALFORMED_BODY */
      readonly body?: string | undefined;
      /** @default 200 */
      readonly status?: number | undefined;
      /** Sent on top of the fake's usual headers. */
      readonly headers?: Readonly<Record<string, string>> | undefined;
    };

/**
 * Which requests a fault applies to, and how often.
 * @example fakeImds().injectFault({ kind: "hang" }, { method: "PUT", path: "/latest/api/token", times: 1 });
 */
export interface FaultScope {
  /** A path prefix (`"/latest/meta-data/iam/"`) or a pattern tested against the path. Unset: every path. */
  path?: string | RegExp | undefined;
  /** Only requests with this method (case-insensitive). Unset: every method. */
  method?: string | undefined;
  /** How many matching requests get the fault. Unset: all, until `clearFaults()` or `reset()`. */
  times?: number | undefined;
}

/** The body of a `malformed` fault that names none: credentials JSON cut short. */
export const DEFAULT_MALFORMED_BODY = '{"Code":"Success","AccessKeyId":"ASIA';

const faults = new WeakMap<Response, Fault>();

/**
 * The response a fault stands for, marked so that {@link faultOf} finds the fault again. `baseHeaders` are the
 * fake's usual headers (such as `Server: EC2ws`), sent under the fault's own headers.
 */
export const faultResponse = (fault: Fault, baseHeaders: Readonly<Record<string, string>> = {}): Response => {
  const body =
    fault.kind === "malformed"
      ? (fault.body ?? DEFAULT_MALFORMED_BODY)
      : (fault.kind === "status" && fault.body) || null;
  const response =
    fault.kind === "hang" || fault.kind === "reset"
      ? new Response(null) // the adapter sends nothing of it
      : new Response(body, { status: fault.status ?? 200, headers: { ...baseHeaders, ...fault.headers } });
  faults.set(response, fault);
  return response;
};

/** A response that is never answered: `faultResponse({ kind: "hang" })`. */
export const hangResponse = (): Response => faultResponse({ kind: "hang" });

/** The fault a response was made for by {@link faultResponse}, or `undefined`: what an adapter must carry out. */
export const faultOf = (response: Response): Fault | undefined => faults.get(response);

/**
 * The body of a `trickle` fault: a byte of its chunk at once, then one every `intervalMs`, until cancelled, or until
 * `signal` aborts: then the stream fails with the signal's reason, as a dropped connection would.
 */
export const trickleStream = (
  fault: Extract<Fault, { kind: "trickle" }>,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> => {
  const bytes = new TextEncoder().encode(fault.chunk || " ");
  let timer: NodeJS.Timeout | undefined;
  let index = 0;
  const stop = (): void => clearInterval(timer);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const fail = (): void => {
        stop();
        controller.error(signal?.reason);
      };
      if (signal?.aborted) return fail();
      signal?.addEventListener("abort", fail, { once: true });
      const push = (): void => {
        const at = index++ % bytes.length;
        controller.enqueue(bytes.subarray(at, at + 1));
      };
      push();
      timer = setInterval(push, fault.intervalMs ?? 100).unref();
    },
    cancel: stop,
  });
};

/** Whether a request falls within a fault's scope (times aside). */
export const faultApplies = (scope: FaultScope, method: string, path: string): boolean => {
  if (scope.method !== undefined && scope.method.toUpperCase() !== method.toUpperCase()) return false;
  if (scope.path === undefined) return true;
  return typeof scope.path === "string" ? path.startsWith(scope.path) : scope.path.test(path);
};
