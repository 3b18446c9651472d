// Faults any fake can be told to produce instead of its normal answer, for all requests or only some.
import { hangResponse, resetResponse, trickleResponse } from "./rawResponses.js";

/**
 * A failure a fake produces instead of its normal answer (see `injectFault` on every fake).
 *
 * - `hang`: accept and never answer.
 * - `reset`: drop the connection.
 * - `trickle`: send the headers, then one byte every `intervalMs` forever.
 * - `status`: answer this status and body (for example a 500 with an HTML page from a broken proxy).
 * - `malformed`: answer 200 with the fake's usual headers but a body that does not parse.
 *
 * @example
 * ```ts
 * import { fakeImds, type Fault } from "pod-credentials/testing";
 * const fault: Fault = { kind: "status", status: 503, body: "busy" };
 * fakeImds().injectFault(fault, { times: 2 });
 * ```
 */
export type Fault =
  | {
      /** Accept the request and never answer. */
      readonly kind: "hang";
    }
  | {
      /** Drop the connection (a TCP reset). */
      readonly kind: "reset";
    }
  | {
      /** Send the headers, then one byte every `intervalMs` forever. */
      readonly kind: "trickle";
      /**
       * Milliseconds between two bytes.
       * @default 100
       */
      readonly intervalMs?: number | undefined;
      /**
       * The status sent before the trickle.
       * @default 200
       */
      readonly status?: number | undefined;
      /** Headers sent with the status, on top of the fake's usual fault headers. */
      readonly headers?: Readonly<Record<string, string>> | undefined;
    }
  | {
      /** Answer `status` with `body`. */
      readonly kind: "status";
      /** The HTTP status to answer. */
      readonly status: number;
      /**
       * @default ""
       */
      readonly body?: string | undefined;
      /** Headers sent with the answer, on top of the fake's usual fault headers. */
      readonly headers?: Readonly<Record<string, string>> | undefined;
    }
  | {
      /** Answer with the fake's usual headers but a body that does not parse. */
      readonly kind: "malformed";
      /**
       * The body that does not parse.
       * @default '{"Code":"Success","AccessKeyId":"ASIA'
       */
      readonly body?: string | undefined;
      /**
       * @default 200
       */
      readonly status?: number | undefined;
      /** Headers sent with the answer, on top of the fake's usual fault headers. */
      readonly headers?: Readonly<Record<string, string>> | undefined;
    };

/**
 * Which requests a fault applies to, and how often.
 *
 * @example
 * ```ts
 * import type { FaultScope } from "pod-credentials/testing";
 * const firstTokenPut: FaultScope = { method: "PUT", path: "/latest/api/token", times: 1 };
 * ```
 */
export interface FaultScope {
  /**
   * A path prefix (`"/latest/meta-data/iam/"`) or a pattern tested against the path. Unset: every path.
   * @default undefined
   */
  path?: string | RegExp | undefined;
  /**
   * Only requests with this method (case-insensitive). Unset: every method.
   * @default undefined
   */
  method?: string | undefined;
  /**
   * How many matching requests get the fault; afterwards the fake answers normally again. Unset: until
   * `clearFaults()` or `reset()`.
   * @default undefined
   */
  times?: number | undefined;
}

/**
 * The malformed body used when a `malformed` fault names none: credentials JSON cut short.
 *
 * @example
 * ```ts
 * import { DEFAULT_MALFORMED_BODY } from "pod-credentials/testing";
 * JSON.parse(DEFAULT_MALFORMED_BODY); // throws SyntaxError
 * ```
 */
export const DEFAULT_MALFORMED_BODY = '{"Code":"Success","AccessKeyId":"ASIA';

/**
 * The response a fault stands for. `baseHeaders` are the fake's usual headers (such as `Server: EC2ws`), sent with
 * `status`, `malformed` and `trickle` faults under the fault's own headers.
 *
 * @example
 * ```ts
 * import { faultResponse } from "pod-credentials/testing";
 * const response = faultResponse({ kind: "status", status: 500, body: "oops" });
 * response.status; // 500
 * ```
 */
export const faultResponse = (fault: Fault, baseHeaders: Readonly<Record<string, string>> = {}): Response => {
  switch (fault.kind) {
    case "hang":
      return hangResponse();
    case "reset":
      return resetResponse();
    case "trickle":
      return trickleResponse({
        intervalMs: fault.intervalMs,
        status: fault.status,
        headers: { ...baseHeaders, ...fault.headers },
      });
    case "status":
      return new Response(fault.body === undefined || fault.body === "" ? null : fault.body, {
        status: fault.status,
        headers: { ...baseHeaders, ...fault.headers },
      });
    case "malformed":
      return new Response(fault.body ?? DEFAULT_MALFORMED_BODY, {
        status: fault.status ?? 200,
        headers: { ...baseHeaders, ...fault.headers },
      });
  }
};

/** Whether a request falls within a fault's scope (times aside). */
export const faultApplies = (scope: FaultScope, method: string, path: string): boolean => {
  if (scope.method !== undefined && scope.method.toUpperCase() !== method.toUpperCase()) return false;
  if (scope.path === undefined) return true;
  return typeof scope.path === "string" ? path.startsWith(scope.path) : scope.path.test(path);
};
