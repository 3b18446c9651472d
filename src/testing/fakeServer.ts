import { setTimeout as sleep } from "node:timers/promises";
import { createFakeCredentials, type FakeCredentials, registerFakeCredentials } from "./fakeCredentials.js";
import { type Fault, type FaultScope, faultApplies, faultResponse } from "./faults.js";
import { assumedRoleIdentity, awsTimestamp } from "./wire.js";

/** A fake's core, from a WHATWG `Request` to a `Response`: served by an adapter, or called directly. */
export type FakeHandler = (request: Request) => Promise<Response>;

/** One request as a fake received it. */
export interface RecordedRequest {
  /** Upper case. */
  readonly method: string;
  /** The URL path, without the query string. */
  readonly path: string;
  /** The query string with its `?`, or `""`. */
  readonly search: string;
  /** The full URL the request was sent to. */
  readonly url: string;
  /** Names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** `""` for none. */
  readonly body: string;
  /** By the fake's clock. */
  readonly receivedAt: Date;
}

/**
 * Options every fake accepts.
 * @example
 * const imds = fakeImds({ now: () => new Date("2030-01-01"), delayMs: 20, credentials: { accessKeyId: "ASIAEX" } });
 */
export interface FakeServerOptions {
  /** Milliseconds the fake waits before answering each request. @default 0 */
  delayMs?: number | undefined;
  /** The fake's clock, for expirations and token lifetimes. @default () => new Date() */
  now?: (() => Date) | undefined;
  /**
   * The credentials served; missing values are made up at creation with the fake's prefix (`IMDS`, `KUBE2IAM`,
   * `KIAM`, `PODID`), by `fakeSts` at each call (`STS`). @default createFakeCredentials(prefix)
   */
  credentials?: Partial<FakeCredentials> | undefined;
}

/** When the credentials IMDS, kube2iam, kiam and the Pod Identity agent serve expire. */
export interface ExpirationOptions {
  /** A fixed `Expiration`. Unset: `lifetimeMs` after each request. */
  expiration?: Date | undefined;
  /**
   * Time left on served credentials when `expiration` is unset, as the real servers leave it: IMDS and the agent
   * about 6 hours; kube2iam 15 to 30 minutes (30-minute sessions cached for 15); kiam 5 to 15 minutes (refreshed
   * ahead of expiry). @default 21_600_000 (IMDS, Pod Identity agent), 1_800_000 (kube2iam), 600_000 (kiam)
   */
  lifetimeMs?: number | undefined;
}

/** The base of every fake: it records each request, applies injected faults, then lets the fake answer. */
export abstract class FakeServer<TOptions extends FakeServerOptions> {
  /** The fetch-style core, to serve with {@link startLoopbackServer} or {@link mswHandlers}. Bound: pass it as is. */
  readonly handler: FakeHandler = (request) => this.#handle(request);

  #options: TOptions;
  readonly #initialOptions: TOptions;
  readonly #madeUp: FakeCredentials;
  #log: RecordedRequest[] = [];
  #faults: Array<{ readonly fault: Fault; readonly scope: FaultScope; remaining: number | undefined }> = [];

  protected constructor(options: TOptions, credentialsPrefix: string) {
    this.#initialOptions = { ...options };
    this.#options = { ...options };
    this.#madeUp = createFakeCredentials(credentialsPrefix);
  }

  /** The current options; change them with {@link FakeServer.configure}. */
  get options(): Readonly<TOptions> {
    return this.#options;
  }

  /** Every request received since creation or the last {@link FakeServer.reset}, oldest first. */
  get requests(): readonly RecordedRequest[] {
    return [...this.#log];
  }

  /** The `credentials` option completed with values made up at creation (`fakeSts` issues new ones unless set). */
  get credentials(): FakeCredentials {
    return { ...this.#madeUp, ...this.#options.credentials };
  }

  /** Changes some options for later requests. */
  configure(changes: Partial<TOptions>): this {
    this.#options = { ...this.#options, ...changes };
    return this;
  }

  /** Makes requests within `scope` get `fault` instead of the normal answer; the oldest matching fault wins. */
  injectFault(fault: Fault, scope: FaultScope = {}): this {
    if (scope.times === undefined || scope.times > 0) this.#faults.push({ fault, scope, remaining: scope.times });
    return this;
  }

  /** Removes every injected fault. */
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

  /** Where subclasses restore their own state (modes, issued tokens). */
  protected onReset(): void {}

  /** The `now` option's time. */
  protected now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  /** @internal The credentials served now as the server's document of `keys`, recorded as a session of `roleArn`. */
  protected serveCredentials(roleArn: string, session: string, defaultLifetimeMs: number, keys: readonly string[]) {
    const { expiration, lifetimeMs } = this.#options as ExpirationOptions;
    const credentials = this.credentials;
    const now = this.now();
    const expires = expiration ?? new Date(now.getTime() + (lifetimeMs ?? defaultLifetimeMs));
    registerFakeCredentials(credentials, { identity: assumedRoleIdentity(roleArn, session), expiration: expires });
    const values: Record<string, string> = {
      AccessKeyId: credentials.accessKeyId,
      Code: "Success",
      Expiration: awsTimestamp(expires),
      LastUpdated: awsTimestamp(now),
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      Type: "AWS-HMAC",
    };
    return Object.fromEntries(keys.map((key) => [key, values[key] ?? ""]));
  }

  /** Headers sent with `status`, `malformed` and `trickle` faults (such as `Server: EC2ws`). */
  protected faultHeaders(): Record<string, string> {
    return {};
  }

  /** The fake's normal answer to a request already recorded. */
  protected abstract respond(request: RecordedRequest, original: Request): Promise<Response> | Response;

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const recorded: RecordedRequest = Object.freeze({
      method: request.method.toUpperCase(),
      path: url.pathname,
      search: url.search,
      url: request.url,
      headers: Object.freeze(Object.fromEntries(request.headers)), // names come lower case
      body: request.method === "GET" || request.method === "HEAD" ? "" : await request.text(),
      receivedAt: this.now(),
    });
    this.#log.push(recorded);
    const delayMs = this.#options.delayMs ?? 0;
    if (delayMs > 0) await sleep(delayMs);
    const fault = this.#takeFault(recorded);
    return fault === undefined ? this.respond(recorded, request) : faultResponse(fault, this.faultHeaders());
  }

  #takeFault({ method, path }: RecordedRequest): Fault | undefined {
    const active = this.#faults.find(({ scope }) => faultApplies(scope, method, path));
    if (active?.remaining !== undefined && --active.remaining <= 0)
      this.#faults.splice(this.#faults.indexOf(active), 1);
    return active?.fault;
  }
}
