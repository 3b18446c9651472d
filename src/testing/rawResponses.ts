// Answers that cannot be expressed as an ordinary Response: the server must hold, trickle or reset the connection.
// A fake core returns a marked Response; each adapter (loopback server, msw) carries the behaviour out its own way.

/**
 * What an adapter does with a marked response instead of sending it.
 *
 * - `hang`: accept the request and never answer.
 * - `trickle`: send the status line and headers, then one byte every `intervalMs` forever.
 * - `reset`: drop the connection (TCP reset on the loopback server, a network error in msw).
 *
 * @example
 * ```ts
 * import { rawBehaviourOf, trickleResponse, type RawBehaviour } from "pod-credentials/testing";
 * const behaviour: RawBehaviour | undefined = rawBehaviourOf(trickleResponse({ intervalMs: 50 }));
 * ```
 */
export type RawBehaviour =
  | {
      /** Never answer: hold the socket open. */
      readonly kind: "hang";
    }
  | {
      /** Reset the connection. */
      readonly kind: "reset";
    }
  | {
      /** Send the headers, then `chunk` one byte at a time, forever. */
      readonly kind: "trickle";
      /** Milliseconds between two bytes. */
      readonly intervalMs: number;
      /** The text whose bytes are sent, cycled. */
      readonly chunk: string;
    };

/**
 * Options of {@link trickleResponse}.
 *
 * @example
 * ```ts
 * import { trickleResponse, type TrickleOptions } from "pod-credentials/testing";
 * const options: TrickleOptions = { intervalMs: 250, headers: { "Content-Type": "text/plain" } };
 * trickleResponse(options);
 * ```
 */
export interface TrickleOptions {
  /**
   * Milliseconds between two bytes of the body.
   * @default 100
   */
  intervalMs?: number | undefined;
  /**
   * Status sent before the body starts trickling.
   * @default 200
   */
  status?: number | undefined;
  /** Headers sent before the body starts trickling. */
  headers?: Readonly<Record<string, string>> | undefined;
  /**
   * The bytes sent one at a time, repeated forever.
   * @default " "
   */
  chunk?: string | undefined;
}

const behaviours = new WeakMap<Response, RawBehaviour>();

const mark = (response: Response, behaviour: RawBehaviour): Response => {
  behaviours.set(response, behaviour);
  return response;
};

/**
 * A response that tells the adapter to accept the request and never answer (an IMDS token PUT beyond the hop limit,
 * a wedged agent). The loopback server holds the socket until the client gives up or the server closes; msw waits
 * until the request's signal aborts.
 *
 * @example
 * ```ts
 * import { hangResponse, startLoopbackServer } from "pod-credentials/testing";
 * const server = await startLoopbackServer(async () => hangResponse());
 * await fetch(server.url, { signal: AbortSignal.timeout(100) }).catch(() => "timed out");
 * await server.close();
 * ```
 */
export const hangResponse = (): Response => mark(new Response(null, { status: 200 }), { kind: "hang" });

/**
 * A response that tells the adapter to drop the connection: a TCP reset on the loopback server, a network error
 * (`HttpResponse.error()`) in msw.
 *
 * @example
 * ```ts
 * import { resetResponse, startLoopbackServer } from "pod-credentials/testing";
 * const server = await startLoopbackServer(async () => resetResponse());
 * await fetch(server.url).catch((error: unknown) => error); // TypeError: fetch failed
 * await server.close();
 * ```
 */
export const resetResponse = (): Response => mark(new Response(null, { status: 200 }), { kind: "reset" });

/**
 * A response whose status and headers are sent at once, followed by one byte every `intervalMs` milliseconds,
 * forever: the answer that defeats a socket-idle timeout and needs a real deadline.
 *
 * @example
 * ```ts
 * import { startLoopbackServer, trickleResponse } from "pod-credentials/testing";
 * const server = await startLoopbackServer(async () => trickleResponse({ intervalMs: 50 }));
 * const response = await fetch(server.url); // resolves: the headers came
 * // reading response.body never finishes
 * await server.close();
 * ```
 */
export const trickleResponse = (options: TrickleOptions = {}): Response =>
  mark(new Response(null, { status: options.status ?? 200, headers: { ...options.headers } }), {
    kind: "trickle",
    intervalMs: options.intervalMs ?? 100,
    chunk: options.chunk === undefined || options.chunk === "" ? " " : options.chunk,
  });

/**
 * The raw behaviour a response was marked with by {@link hangResponse}, {@link resetResponse} or
 * {@link trickleResponse}, or `undefined` for an ordinary response. Adapters call this; so can custom adapters.
 *
 * @example
 * ```ts
 * import { hangResponse, rawBehaviourOf } from "pod-credentials/testing";
 * rawBehaviourOf(hangResponse()); // { kind: "hang" }
 * rawBehaviourOf(new Response("ok")); // undefined
 * ```
 */
export const rawBehaviourOf = (response: Response): RawBehaviour | undefined => behaviours.get(response);

/**
 * The body of a trickling response as a stream: one byte of `chunk` every `intervalMs`, until the stream is
 * cancelled, or `signal` aborts (the stream then errors with the signal's reason, as a dropped connection would).
 * Used by the msw adapter, where there is no socket to write to.
 *
 * @example
 * ```ts
 * import { trickleStream } from "pod-credentials/testing";
 * const controller = new AbortController();
 * const body = trickleStream({ kind: "trickle", intervalMs: 10, chunk: "x" }, controller.signal);
 * controller.abort(); // reading the stream now fails with an AbortError
 * ```
 */
export const trickleStream = (
  behaviour: Extract<RawBehaviour, { kind: "trickle" }>,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> => {
  const bytes = new TextEncoder().encode(behaviour.chunk);
  let timer: NodeJS.Timeout | undefined;
  let index = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const stop = (): void => {
        if (timer !== undefined) clearInterval(timer);
        timer = undefined;
      };
      // An abort fails the body, as a dropped connection would: the reader must not see a complete answer.
      const fail = (): void => {
        stop();
        try {
          controller.error(signal?.reason ?? new Error("aborted"));
        } catch {
          // already closed or cancelled
        }
      };
      if (signal?.aborted) {
        fail();
        return;
      }
      signal?.addEventListener("abort", fail, { once: true });
      const push = (): void => {
        const byte = bytes[index % bytes.length] ?? 0x20;
        index += 1;
        try {
          controller.enqueue(new Uint8Array([byte]));
        } catch {
          stop(); // the reader went away
        }
      };
      push();
      timer = setInterval(push, behaviour.intervalMs);
      timer.unref();
    },
    cancel() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  });
};
