// The checks every in-process test of a source's errors makes: what the error is (name, source, target, status,
// retryability, fix), what its message says, and that no secret registered with the leak check is in it.
import type { ExpectStatic } from "vitest";
import { leakedSecretsInOutputs, rejectionOf } from "./leakCheck.js";

/** What a source's error must be. Fields left out are not checked. */
export interface ExpectedSourceError {
  /** @default "CredentialSourceError" */
  readonly name?: string;
  readonly source?: string;
  readonly target?: string;
  readonly status?: number;
  readonly retryable?: boolean;
  /** The whole fix, word for word (pinned once per message, in the test of its subject). */
  readonly fix?: string;
  /** The whole message, word for word; or `says`, fragments it contains (strings) or matches (RegExps). */
  readonly message?: string;
  readonly says?: ReadonlyArray<string | RegExp>;
}

/**
 * Awaits `promise`, which must reject with the error `expected` describes (recorded for the leak check, which must
 * find no secret so far), and returns the error for further checks.
 */
export const expectSourceError = async (
  expect: ExpectStatic,
  promise: Promise<unknown>,
  { name = "CredentialSourceError", says = [], ...fields }: ExpectedSourceError,
): Promise<Error & Record<string, unknown>> => {
  const error = (await rejectionOf(promise)) as Error & Record<string, unknown>;
  expect(error).toMatchObject({ name, ...fields });
  for (const fragment of says) {
    if (typeof fragment === "string") expect(error.message).toContain(fragment);
    else expect(error.message).toMatch(fragment);
  }
  expect(leakedSecretsInOutputs(), "secrets in an error, a log line or describe()").toEqual([]);
  return error;
};
