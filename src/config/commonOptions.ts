import type { Logger } from "@smithy/types";
import type { Environment } from "./settingValue.js";

/**
 * Options every provider of this package accepts.
 *
 * @example
 * ```ts
 * import { fromPodProviderChain, noopLogger } from "pod-credentials";
 * const credentials = fromPodProviderChain({ logger: noopLogger, timeoutMs: 2000, env: { POD_CREDENTIALS_ROLE: "orders" } });
 * ```
 */
export interface CommonOptions {
  /**
   * Where log lines go, in the `@smithy/types` `Logger` shape. Pass `noopLogger` to silence the library.
   * @default a console logger writing info and above (`POD_CREDENTIALS_LOG_LEVEL` changes the level)
   */
  logger?: Logger | undefined;
  /**
   * The environment variables to read, instead of `process.env`. Useful in tests.
   * @default process.env
   */
  env?: Environment | undefined;
  /**
   * The total deadline of each HTTP request to a metadata endpoint or agent, in milliseconds.
   * Env: `POD_CREDENTIALS_TIMEOUT_MS`.
   * @default 1000
   */
  timeoutMs?: number | undefined;
  /**
   * The overall deadline of one resolution (every request and retry in it), in milliseconds: past it the call fails
   * with a `CredentialSourceError` naming the source, and in-flight requests are aborted. Must be at least
   * `timeoutMs`. Env: `POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS`.
   * @default startupTimeoutMs + 5000 (15000 with the default start-up window)
   */
  resolutionTimeoutMs?: number | undefined;
}
