// A fake's current mode, optionally for the next N requests only (the pod-start race, "throttle twice then succeed").

/**
 * How long a mode set with `setMode` lasts.
 *
 * @example
 * ```ts
 * import { fakeKube2iam, type ModeOptions } from "pod-credentials/testing";
 * const twice: ModeOptions = { times: 2 };
 * fakeKube2iam().setMode("podNotFound", twice); // the next 2 answers say "pod not found", then ready again
 * ```
 */
export interface ModeOptions {
  /**
   * How many counted requests get the mode before the fake goes back to the mode it had before. Unset: until
   * changed again.
   * @default undefined
   */
  times?: number | undefined;
}

/** Internal: the active mode and its parameters, with an optional countdown back to the previous one. */
export class ModeSwitch<TMode extends string, TParams extends object> {
  #mode: TMode;
  #params: TParams;
  #remaining: number | undefined;
  #fallback: { mode: TMode; params: TParams } | undefined;
  readonly #initial: { mode: TMode; params: TParams };

  constructor(mode: TMode, params: TParams) {
    this.#mode = mode;
    this.#params = params;
    this.#initial = { mode, params };
  }

  get mode(): TMode {
    return this.#mode;
  }

  set(mode: TMode, params: TParams, times: number | undefined): void {
    if (times !== undefined && times <= 0) return;
    if (times === undefined) {
      this.#fallback = undefined;
    } else if (this.#remaining === undefined) {
      this.#fallback = { mode: this.#mode, params: this.#params };
    }
    this.#mode = mode;
    this.#params = params;
    this.#remaining = times;
  }

  /** The mode for this request; counts the request against a limited mode. */
  take(): { mode: TMode; params: TParams } {
    const current = { mode: this.#mode, params: this.#params };
    if (this.#remaining !== undefined) {
      this.#remaining -= 1;
      if (this.#remaining <= 0) {
        const fallback = this.#fallback ?? this.#initial;
        this.#mode = fallback.mode;
        this.#params = fallback.params;
        this.#remaining = undefined;
        this.#fallback = undefined;
      }
    }
    return current;
  }

  reset(): void {
    this.#mode = this.#initial.mode;
    this.#params = this.#initial.params;
    this.#remaining = undefined;
    this.#fallback = undefined;
  }
}
