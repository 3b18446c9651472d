/** The deadlines a source that polls an agent or proxy works with, already resolved from options and environment. */
export interface RequestTiming {
  /** The total deadline of one HTTP request, in milliseconds. */
  readonly timeoutMs: number;
  /** How long start-up answers ("pod not known yet", 429, 5xx) are retried, in milliseconds. */
  readonly startupTimeoutMs: number;
}
