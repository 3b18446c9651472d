// Loaded before every test file: records every console line, every line written to a test logger, and every error
// message and describe() result a test hands to `recordOutput`; after the file's tests, fails if any of them holds
// a secret registered with `registerSecrets` (secret access keys, session tokens, web-identity and pod-identity
// tokens used by the tests).
import { inspect } from "node:util";
import type { Logger } from "@smithy/types";
import { afterAll, beforeEach, vi } from "vitest";

const secrets = new Set<string>();
const outputs: string[] = [];

/** Registers values that must never appear in any output. */
export const registerSecrets = (...values: (string | undefined)[]): void => {
  for (const value of values) if (value && value.length >= 8) secrets.add(value);
};

/** Records anything shown to a user: an error (message, stack and causes), a describe() result, a log line. */
export const recordOutput = (value: unknown): void => {
  outputs.push(typeof value === "string" ? value : inspect(value, { depth: 8 }));
  if (value instanceof Error) outputs.push(value.message, JSON.stringify(value));
};

/**
 * A logger that records its lines (for assertions) and into the leak check. A line's trailing fields object (see
 * logFields) is kept apart in `fields`, one entry per line (`undefined` for a line without), and checked for leaks too.
 */
export const testLogger = (): Logger & {
  lines: string[];
  fields: (Record<string, unknown> | undefined)[];
  at: (level: string) => string[];
} => {
  const lines: string[] = [];
  const fields: (Record<string, unknown> | undefined)[] = [];
  const write =
    (level: string) =>
    (...content: unknown[]) => {
      const last = content.at(-1);
      const trailing = content.length > 1 && typeof last === "object" && last !== null ? last : undefined;
      const words = trailing ? content.slice(0, -1) : content;
      const line = `${level} ${words.map((part) => (typeof part === "string" ? part : inspect(part))).join(" ")}`;
      lines.push(line);
      fields.push(trailing ? { ...trailing } : undefined);
      outputs.push(line);
      if (trailing) outputs.push(inspect(trailing, { depth: 8 }));
    };
  return {
    lines,
    fields,
    at: (level) => lines.filter((line) => line.startsWith(`${level} `)).map((line) => line.slice(level.length + 1)),
    trace: write("trace"),
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
  };
};

/** Awaits a promise that must reject, records the error for the leak check and returns it. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    recordOutput(error);
    if (!(error instanceof Error)) throw new Error(`rejected with a non-Error: ${String(error)}`);
    return error;
  }
  throw new Error("expected the promise to reject, but it resolved");
};

/** The secrets that appear in any of the outputs. */
export const findLeaks = (texts: readonly string[], watched: Iterable<string>): string[] =>
  [...watched].filter((secret) => texts.some((text) => text.includes(secret)));

/** Every registered secret found in the outputs recorded so far in this file. */
export const leakedSecretsInOutputs = (): string[] => findLeaks(outputs, secrets);

beforeEach(() => {
  for (const level of ["log", "debug", "info", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...content: unknown[]) => {
      outputs.push(content.map((part) => (typeof part === "string" ? part : inspect(part))).join(" "));
    });
  }
});

afterAll(() => {
  const leaked = leakedSecretsInOutputs();
  if (leaked.length > 0) {
    throw new Error(`Secrets appeared in a log line, an error message or describe(): ${leaked.length} of them.`);
  }
});
