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
