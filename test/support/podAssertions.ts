// What the child-process tests (`*.process.test.ts`) assert about a pod's run besides the checks every run gets
// (`expectNothingLeaked`, in podScenario.ts): that the pod was refused, with which error and what the error says; and
// what a fake was asked.
import type { ExpectStatic } from "vitest";
import { expectNothingLeaked, LISTING_PATH, type PodOutcome, type PodScenario } from "./podScenario.js";

/** How a pod's resolution must have been refused. */
export interface ExpectedRefusal {
  /** The error's `name` in the pod's result line: `CredentialSourceError`, `NodeCredentialsRefusedError`... */
  readonly name: string;
  /**
   * The pod's exit code (`podProcess.mjs` exits with 2 after any error).
   * @default 2
   */
  readonly exitCode?: number;
  /** What the error's message says: each string is a fragment it contains, each RegExp a pattern it matches. */
  readonly says?: ReadonlyArray<string | RegExp>;
}

/** The pod exited with `exitCode`, its result line is the error `name`, and the message says each of `says`. */
export const expectRefusal = (
  expect: ExpectStatic,
  run: PodOutcome,
  { name, exitCode = 2, says = [] }: ExpectedRefusal,
): void => {
  expect(run.exitCode).toBe(exitCode);
  expect(run.result).toMatchObject({ ok: false, name });
  for (const fragment of says) {
    if (typeof fragment === "string") expect(run.result.message).toContain(fragment);
    else expect(run.result.message).toMatch(fragment);
  }
};

/** The requests a fake received, as `METHOD path` (as a `RecordingServer` records them). */
export const requestLines = (requests: readonly { method: string; path: string }[]): string[] =>
  requests.map((request) => `${request.method} ${request.path}`);

/** A metadata proxy was asked for the role listing, again and again through the start-up window, and nothing else. */
export const expectListingRetried = (expect: ExpectStatic, requests: readonly { path: string }[]): void => {
  expect(requests.length).toBeGreaterThanOrEqual(2);
  expect(new Set(requests.map((request) => request.path))).toEqual(new Set([LISTING_PATH]));
};

/** How a pod's resolution must have succeeded. */
export interface ExpectedCredentials {
  /** The source that won, as `describe()` names it: `kube2iam`, `podIdentity`, `webIdentity`, `instanceProfile`. */
  readonly source: string;
  /** The access key id of the credentials the fake handed out. */
  readonly accessKeyId: string | undefined;
}

/** The pod exited with 0, and its result line names the source that won and the credentials it got. */
export const expectCredentials = (
  expect: ExpectStatic,
  run: PodOutcome,
  { source, accessKeyId }: ExpectedCredentials,
): void => {
  expect(run.exitCode).toBe(0);
  expect(run.result).toEqual({ ok: true, source, accessKeyId });
};

/**
 * The pod process ended by itself, as a pod whose resolution has settled must: it was not killed by the liveness guard
 * (`KILL_AFTER_MS`), and two turns of its event loop after its result nothing was left running (no socket, no timer
 * that is not unref'd). Proves "nothing hangs" without timing it: a request the deadline did
 * not abort shows up here as a `TCPSocketWrap`, however fast the machine.
 */
export const expectExitedByItself = (expect: ExpectStatic, run: PodOutcome): void => {
  expect(run.killed, `the pod did not exit by itself; stderr: ${run.stderr}`).toBe(false);
  expect(run.aliveAfterResult, "what still kept the pod alive after its result").toEqual([]);
};

/** What a pod's run must have been, beyond the checks every run gets: its outcome, and the waits it made. */
export type ExpectedRun = (
  | { readonly refused: ExpectedRefusal; readonly credentials?: never }
  | { readonly credentials: ExpectedCredentials; readonly refused?: never }
) & {
  /**
   * The earliest its result may have come: the waits (retries, deadlines) the test specifies. A lower bound only: no
   * test bounds how fast a pod is (a loaded machine is slow; timing belongs in the benchmarks).
   */
  readonly resultNotBeforeMs?: number;
};

/**
 * The pod was refused as `refused` says, or got the `credentials`; its result came no sooner than
 * `resultNotBeforeMs`; it exited by itself with nothing left running (`expectExitedByItself`); and nothing leaked
 * (`expectNothingLeaked`).
 */
export const expectRun = async (
  expect: ExpectStatic,
  pod: PodScenario,
  run: PodOutcome,
  expected: ExpectedRun,
): Promise<void> => {
  expectExitedByItself(expect, run);
  if (expected.refused) expectRefusal(expect, run, expected.refused);
  else expectCredentials(expect, run, expected.credentials);
  if (expected.resultNotBeforeMs !== undefined)
    expect(run.resultAtMs).toBeGreaterThanOrEqual(expected.resultNotBeforeMs);
  await expectNothingLeaked(expect, pod, run);
};
