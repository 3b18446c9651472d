// Modes: the states of the real system a pod meets, for good or for N requests ("throttle twice then succeed").
import { FakeServer, type FakeServerOptions } from "./fakeServer.js";

/** Options every fake with modes accepts. */
export interface ModalFakeOptions<TMode extends string> extends FakeServerOptions {
  /** The mode at creation and after `reset`; change it with `setMode`. @default "ready" (`"ok"` for `fakeSts`) */
  mode?: TMode | undefined;
}

/**
 * How long a mode set with `setMode` lasts.
 * @example
 * fakeKube2iam().setMode("podNotFound", { times: 2 }); // the next 2 answers say "pod not found", then ready again
 */
export interface ModeOptions {
  /** How many requests the mode counts before the fake goes back to the one before; zero or less: ignored. */
  times?: number | undefined;
}

type ModeState<TMode, TParams> = { readonly mode: TMode; readonly params: TParams; remaining: number | undefined };

/** The base of a fake with modes: the current mode, `setMode`, and the mode it was created with on `reset`. */
export abstract class ModalFake<
  TMode extends string,
  TOptions extends ModalFakeOptions<TMode>,
  TModeOptions extends ModeOptions = ModeOptions,
> extends FakeServer<TOptions> {
  readonly #initial: ModeState<TMode, TModeOptions>;
  #state: ModeState<TMode, TModeOptions>;
  /** Where a limited mode goes back to: the last mode set without `times`. */
  #fallback: ModeState<TMode, TModeOptions> | undefined;

  protected constructor(options: TOptions, defaultMode: TMode, credentialsPrefix: string) {
    super(options, credentialsPrefix);
    this.#initial = { mode: options.mode ?? defaultMode, params: {} as TModeOptions, remaining: undefined };
    this.#state = this.#initial;
  }

  /** The mode the next request is answered in. */
  get mode(): TMode {
    return this.#state.mode;
  }

  /** Changes the mode, for good or for `times` requests (then back to the mode before, or before both if nested). */
  setMode(mode: TMode, options: TModeOptions = {} as TModeOptions): this {
    const times = options.times;
    if (times !== undefined && times <= 0) return this;
    this.#fallback = times === undefined ? undefined : (this.#fallback ?? this.#state);
    this.#state = { mode, params: options, remaining: times };
    return this;
  }

  /** The mode for this request, with the options it was set with; counts the request against a limited mode. */
  protected takeMode(): [TMode, TModeOptions] {
    const state = this.#state;
    if (state.remaining !== undefined && --state.remaining <= 0) this.#restore(this.#fallback ?? this.#initial);
    return [state.mode, state.params];
  }

  protected override onReset(): void {
    this.#restore(this.#initial);
  }

  #restore(state: ModeState<TMode, TModeOptions>): void {
    this.#state = state;
    this.#fallback = undefined;
  }
}
