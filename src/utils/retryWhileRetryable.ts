import type { Logger } from "@smithy/types";
import { backoffDelay } from "./backoff.js";
import { delay } from "./delay.js";

/** An error that says whether trying again may help. */
interface MaybeRetryable {
  readonly retryable?: boolean;
  readonly message: string;
}

const isRetryable = (error: unknown): error is MaybeRetryable =>
  typeof error === "object" && error !== null && (error as MaybeRetryable).retryable === true;

export interface RetryWindow {
  /** Retry retryable failures until this time (ms since epoch); after it, the last failure is thrown. */
  readonly until: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly signal?: AbortSignal | undefined;
  readonly logger?: Logger | undefined;
  /** What is being retried, for the debug line: `"kube2iam at http://169.254.169.254"`. */
  readonly what: string;
  /** Told each retryable failure's message before the wait, so a deadline error can say what the last answer was. */
  readonly onRetry?: ((message: string) => void) | undefined;
}

/**
 * Runs `attempt` until it succeeds, throws an error that is not `retryable`, or the window closes; then the last
 * error is thrown as it is. Delays grow exponentially (200 ms doubling to 2 s by default) and never overshoot the
 * window: the last attempt happens at the window's end at the latest.
 */
export const retryWhileRetryable = async <T>(attempt: () => Promise<T>, window: RetryWindow): Promise<T> => {
  const { until, initialDelayMs = 200, maxDelayMs = 2000, signal, logger, what, onRetry } = window;
  for (let attemptNumber = 0; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      const remaining = until - Date.now();
      if (!isRetryable(error) || remaining <= 0) throw error;
      onRetry?.(error.message);
      const wait = Math.min(remaining, backoffDelay(attemptNumber, initialDelayMs, maxDelayMs));
      logger?.debug(`pod-credentials: ${what}: not ready (${error.message}); retrying in ${wait} ms`);
      await delay(wait, signal);
    }
  }
};
