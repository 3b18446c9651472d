// What every fake shares: the fetch-style handler, the request log, injected faults, runtime configuration.
import { setTimeout as sleep } from "node:timers/promises";
import { type Fault, type FaultScope, faultApplies, faultResponse } from "./faults.js";

/**
 * The core of a fake: a function from a WHATWG `Request` to a `Response`, served by {@link startLoopbackServer}
 * or {@link mswHandlers}, or called directly.
 *
 * @example
 * ```ts
 * import { fakeImds, type FakeHandler } from "pod-credentials/testing";
 * const handler: FakeHandler = fakeImds().handler;
 * const response = await handler(new Request("http://169.254.169.254/latest/meta-data/iam/security-credentials/"));
 * ```
 */
export type FakeHandler = (request: Request) => Promise<Response>;

/**
 * One request as a fake received it.
 *
 * @example
 * ```ts
 * import { fakeImds } from "pod-credentials/testing";
 * const imds = fakeImds();
 * await imds.handler(new Request("http://169.254.169.254/latest/meta-data/instance-id"));
 * imds.requests[0]?.path; // "/latest/meta-data/instance-id"
 * ```
 */
export interface RecordedRequest {
  /** The method, upper case. */
  readonly method: string;
  /** The URL path, without the query string. */
  readonly path: string;
  /** The query string with its `?`, or `""`. */
  readonly search: string;
  /** The full URL the request was sent to. */
  readonly url: string;
  /** The request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The request body as text (`""` for none). */
  readonly body: string;
  /** When the fake received the request, by the fake's clock. */
  readonly receivedAt: Date;
}

/**
 * Options every fake accepts.
 *
 * @example
 * ```ts
 * import { fakeImds } from "pod-credentials/testing";
 * let now = new Date("2030-01-01T00:00:00Z");
 * const imds = fakeImds({ now: () => now, delayMs: 20 });
 * ```
 */
export interface FakeServerOptions {
  /**
   * Milliseconds the fake waits before answering each request.
   * @default 0
   */
  delayMs?: number | undefined;
  /**
   * The fake's clock, for expirations and token lifetimes.
   * @default () => new Date()
   */
  now?: (() => Date) | undefined;
}

interface ActiveFault {
  readonly fault: Fault;
  readonly scope: FaultScope;
  remaining: number | undefined;
}

/**
 * The base of every fake: it records each request, applies injected faults, then lets the fake answer.
 * Options are mutable at runtime with `configure`; `reset` restores the options the fake was created with.
 *
 * @example
 * ```ts
 * import { fakeImds } from "pod-credentials/testing";
 * const imds = fakeImds();
 * imds.configure({ v1Allowed: false }).injectFault({ kind: "hang" }, { method: "PUT", times: 1 });
 * imds.reset(); // back to the options given at creation, log and faults cleared
 * ```
 */
export abstract class FakeServer<TOptions extends FakeServerOptions> {
  /** The fetch-style core, to serve with {@link startLoopbackServer} or {@link mswHandlers}. Bound: pass it as is. */
  readonly handler: FakeHandler = (request) => this.#handle(request);

  #options: TOptions;
  readonly #initialOptions: TOptions;
  #log: RecordedRequest[] = [];
  #faults: ActiveFault[] = [];

  protected constructor(options: TOptions) {
    this.#initialOptions = { ...options };
    this.#options = { ...options };
  }

  /** The current options (read-only view; change them with {@link FakeServer.configure}). */
  get options(): Readonly<TOptions> {
    return this.#options;
  }

  /** Every request received since creation or the last {@link FakeServer.reset}, oldest first. */
  get requests(): readonly RecordedRequest[] {
    return [...this.#log];
  }

  /** Changes some options; later requests see the change. Returns the fake, for chaining. */
  configure(changes: Partial<TOptions>): this {
    this.#options = { ...this.#options, ...changes };
    return this;
  }

  /**
   * Makes requests within `scope` get `fault` instead of the normal answer. Several faults may be active; the
   * oldest matching one wins. Returns the fake, for chaining.
   */
  injectFault(fault: Fault, scope: FaultScope = {}): this {
    this.#faults.push({ fault, scope, remaining: scope.times });
    return this;
  }

  /** Removes every injected fault. Returns the fake, for chaining. */
  clearFaults(): this {
    this.#faults = [];
    return this;
  }

  /** Clears the request log and injected faults, and restores the options and mode the fake was created with. */
  reset(): this {
    this.#log = [];
    this.#faults = [];
    this.#options = { ...this.#initialOptions };
    this.onReset();
    return this;
  }

  /** Subclasses restore their own state here (modes, issued tokens). */
  protected onReset(): void {}

  /** The fake's clock. */
  protected now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  /** Headers sent with faults of kind `status`, `malformed` and `trickle` (such as `Server: EC2ws`). */
  protected faultHeaders(): Record<string, string> {
    return {};
  }

  /** The fake's normal answer to a request already recorded. */
  protected abstract respond(request: RecordedRequest, original: Request): Promise<Response> | Response;

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const recorded: RecordedRequest = Object.freeze({
      method: request.method.toUpperCase(),
      path: url.pathname,
      search: url.search,
      url: request.url,
      headers: Object.freeze(headers),
      body,
      receivedAt: this.now(),
    });
    this.#log.push(recorded);
    const delayMs = this.#options.delayMs ?? 0;
    if (delayMs > 0) await sleep(delayMs);
    const fault = this.#takeFault(recorded);
    if (fault !== undefined) return faultResponse(fault, this.faultHeaders());
    return this.respond(recorded, request);
  }

  #takeFault(request: RecordedRequest): Fault | undefined {
    const active = this.#faults.find(
      (candidate) =>
        (candidate.remaining === undefined || candidate.remaining > 0) &&
        faultApplies(candidate.scope, request.method, request.path),
    );
    if (active === undefined) return undefined;
    if (active.remaining !== undefined) {
      active.remaining -= 1;
      if (active.remaining <= 0) this.#faults = this.#faults.filter((candidate) => candidate !== active);
    }
    return active.fault;
  }
}
