// How a line reaches the user's logger, call by call: pinoLogger and winstonLogger route each level to the logger's
// own method and join a line's parts with a space; the fields are the last argument whatever precedes them, go only
// to a structured logger (also one made by another copy of the package), and are redacted like the line; a line
// whose last part is null is passed on, and a logger without a method is not a failure.
import type { Logger } from "@smithy/types";
import { describe, expect, it, vi } from "vitest";
import { guardLogger, logFields, pinoLogger, winstonLogger } from "../../src/base/logging.js";

const LEVELS = ["debug", "info", "warn", "error"] as const;

/** A logger of pino's or winston's calling convention that records each call with its level. */
const recorder = () => {
  const calls: unknown[][] = [];
  const at =
    (level: string) =>
    (...content: unknown[]) =>
      calls.push([level, ...content]);
  return { calls, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
};

const redactSecret = (text: string) => text.split("S3cr3t-V4lue").join("[redacted]");

describe("pinoLogger and winstonLogger", () => {
  it("write each level through the logger's method of that level", () => {
    const pino = recorder();
    const winston = recorder();
    for (const level of LEVELS) {
      pinoLogger(pino)[level](`${level} line`);
      winstonLogger(winston)[level](`${level} line`);
    }
    expect(pino.calls).toEqual(LEVELS.map((level) => [level, {}, `${level} line`]));
    expect(winston.calls).toEqual(LEVELS.map((level) => [level, `${level} line`, {}]));
  });

  it("write a line of several parts (as the SDK logs some) as one message, the parts joined by a space", () => {
    const pino = recorder();
    pinoLogger(pino).warn("endpoint", "resolved in", 3, "ms");
    expect(pino.calls).toEqual([["warn", {}, "endpoint resolved in 3 ms"]]);
  });

  it("take a line whose last part is null as text, without failing", () => {
    const pino = recorder();
    pinoLogger(pino).info("answer", null);
    expect(pino.calls).toEqual([["info", {}, "answer null"]]);
  });
});

describe("guardLogger and the fields of a line", () => {
  it("takes the fields from the last argument after any number of parts, and redacts both", () => {
    const pino = recorder();
    guardLogger(pinoLogger(pino), redactSecret).info(
      "part one",
      "part two S3cr3t-V4lue",
      logFields({ source: "kube2iam", roleName: "orders-S3cr3t-V4lue" }),
    );
    expect(pino.calls).toEqual([
      ["info", { source: "kube2iam", roleName: "orders-[redacted]" }, "part one part two [redacted]"],
    ]);
  });

  it("redacts every text field, not only the skipped sources' reasons", () => {
    const pino = recorder();
    guardLogger(pinoLogger(pino), redactSecret).error(
      "pod-credentials: refused",
      logFields({ source: "webIdentity", roleArn: "arn:aws:iam::123456789012:role/S3cr3t-V4lue", error: "Error" }),
    );
    expect(pino.calls).toEqual([
      [
        "error",
        { source: "webIdentity", roleArn: "arn:aws:iam::123456789012:role/[redacted]", error: "Error" },
        "pod-credentials: refused",
      ],
    ]);
  });

  it("gives the fields to a structured logger made by another copy of the package, marked by the shared symbol", () => {
    const calls: unknown[][] = [];
    const record = (...content: unknown[]) => calls.push(content);
    const fromOtherCopy = Object.defineProperty(
      { debug: record, info: record, warn: record, error: record },
      Symbol.for("pod-credentials.structuredLogger"),
      { value: true },
    );
    guardLogger(fromOtherCopy).info("pod-credentials: resolved", logFields({ source: "podIdentity" }));
    expect(calls).toEqual([["pod-credentials: resolved", { source: "podIdentity" }]]);
  });

  it("passes a line whose last argument is null on as it is, with no failure reported", () => {
    const calls: unknown[][] = [];
    const record = (...content: unknown[]) => calls.push(content);
    const warnings = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    guardLogger({ debug: record, info: record, warn: record, error: record }).debug("answer", null);
    expect(calls).toEqual([["answer", null]]);
    expect(warnings).not.toHaveBeenCalled();
  });

  it("drops the lines of a level the logger lacks without reporting the logger as failed", () => {
    const warnings = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const infoOnly = { info: () => {} } as unknown as Logger;
    guardLogger(infoOnly).warn("pod-credentials: a warning");
    expect(warnings).not.toHaveBeenCalled();
  });
});

describe("logFields", () => {
  it("leaves out the keys of fields that are not known, so a logger never sees a key without a value", () => {
    const fields = logFields({ source: "env", roleArn: undefined, accountId: undefined, expiration: undefined });
    expect(Object.keys(fields)).toEqual(["source"]);
  });
});
