/**
 * Runs `work` with an `AbortSignal` that aborts after `ms`, and settles no later than that: when the deadline passes
 * first, the signal aborts (so sockets and retry delays stop) and the promise rejects with `onTimeout()`.
 * The timer is cleared as soon as the work settles.
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
