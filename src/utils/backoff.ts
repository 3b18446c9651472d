/** Exponential backoff: `initialMs`, doubling each attempt, capped at `maxMs`. `attempt` counts from 0. */
export const backoffDelay = (attempt: number, initialMs: number, maxMs: number): number =>
  Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt));
