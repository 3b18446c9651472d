import type { Logger } from "@smithy/types";

/**
 * Milliseconds on a clock that only moves forward at the pace of real time (`performance.now()`), for every duration
 * and window: backoffs, retry windows, deadlines, token lifetimes. The wall clock (`Date.now()`) can step by hours when
 * NTP corrects it; only times the server gave (expirations) are compared with it.
 */
export const monotonicNow = (): number => performance.now();

/** Exponential backoff: `initialMs`, doubling each attempt, capped at `maxMs`. `attempt` counts from 0. */
export const backoffDelay = (attempt: number, initialMs: number, maxMs: number): number =>
  Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt));

/**
 * Resolves after `ms` milliseconds, or rejects with the signal's reason as soon as `signal` aborts.
 * The timer is not unref'd on purpose: a resolution waiting between retries must keep the process alive (a script
 * whose only work is `await provider()` would otherwise exit in the middle, with code 13).
 */
export const delay = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * Runs `work` with an `AbortSignal` that aborts after `ms`, and settles no later than that: when the deadline passes
 * first, the signal aborts (so sockets and retry delays stop) and the promise rejects with `onTimeout()`.
 */
export const withDeadline = <T>(
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
  onTimeout: () => Error,
): Promise<T> => {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = onTimeout();
      controller.abort(error);
      reject(error);
    }, ms);
  });
  const running = work(controller.signal);
  // When the deadline wins, the work's own rejection (aborted) is expected and not a separate failure.
  running.catch(() => {});
  return Promise.race([running, deadline]).finally(() => clearTimeout(timer));
};

/** The window in which {@link retryWhileRetryable} retries. */
export interface RetryWindow {
  /** Retry retryable failures until this time (on the {@link monotonicNow} clock); after it, throw the last failure. */
  readonly until: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly signal?: AbortSignal | undefined;
  readonly logger?: Logger | undefined;
  /** What is being retried, for the debug line: `"the metadata proxy at http://169.254.169.254"`. */
  readonly what: string;
  /** Told each retryable failure's message before the wait, so a deadline error can say what the last answer was. */
  readonly onRetry?: ((message: string) => void) | undefined;
  /** Which failures are worth another try: by default those marked `retryable: true`. */
  readonly shouldRetry?: ((error: unknown) => boolean) | undefined;
}

const isRetryable = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { retryable?: unknown }).retryable === true;

/**
 * Runs `attempt` until it succeeds, throws an error that is not `retryable`, or the window closes; then the last
 * error is thrown as it is. Delays grow exponentially (200 ms doubling to 2 s by default) and never overshoot the
 * window: the last attempt happens at the window's end at the latest.
 */
export const retryWhileRetryable = async <T>(attempt: () => Promise<T>, window: RetryWindow): Promise<T> => {
  const { until, initialDelayMs = 200, maxDelayMs = 2000, signal, logger, what, onRetry } = window;
  const shouldRetry = window.shouldRetry ?? isRetryable;
  for (let attemptNumber = 0; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      const remaining = until - monotonicNow();
      if (!shouldRetry(error) || remaining <= 0) throw error;
      const message = error instanceof Error ? error.message : String(error);
      onRetry?.(message);
      const wait = Math.min(remaining, backoffDelay(attemptNumber, initialDelayMs, maxDelayMs));
      logger?.debug(`pod-credentials: ${what}: not ready (${message}); retrying in ${wait} ms`);
      await delay(wait, signal);
    }
  }
};
