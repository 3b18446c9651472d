// The user's logger as guardLogger wraps it, at its edges: a logger without one of the four methods, one that throws
// something that is not an Error, non-text arguments, the logger that drops everything, and no redaction asked for.
import type { Logger } from "@smithy/types";
import { describe, expect, it, vi } from "vitest";
import { guardLogger, noopLogger } from "../../src/base/logging.js";

const redactSecret = (text: string) => text.split("S3cr3t-V4lue").join("[redacted]");

describe("guardLogger at its edges", () => {
  it("a logger without warn: warn lines are dropped, the other levels still written, nothing thrown", () => {
    const lines: unknown[][] = [];
    const partial = { info: (...content: unknown[]) => lines.push(content) } as unknown as Logger;
    const logger = guardLogger(partial, redactSecret);

    expect(() => logger.warn("pod-credentials: a warning")).not.toThrow();
    logger.info("pod-credentials: resolved");

    expect(lines).toEqual([["pod-credentials: resolved"]]);
  });

  it("a logger that throws a string: one process warning naming what was thrown, the provider carries on", () => {
    const throwing = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: () => {
        throw "disk full";
      },
    } satisfies Logger;
    const logger = guardLogger(throwing, redactSecret);
    const warnings = vi.spyOn(process, "emitWarning").mockImplementation(() => {});

    expect(() => logger.error("pod-credentials: first failure")).not.toThrow();
    logger.error("pod-credentials: second failure");

    expect(warnings.mock.calls).toEqual([
      [
        "pod-credentials: the logger's error() failed (string); its lines are dropped",
        { code: "POD_CREDENTIALS_LOGGER_FAILED" },
      ],
    ]);
  });

  it("redacts the text arguments and hands the others over as they are", () => {
    const lines: unknown[][] = [];
    const record = (...content: unknown[]) => lines.push(content);
    const logger = guardLogger({ debug: record, info: record, warn: record, error: record }, redactSecret);
    const detail = { attempt: 2 };

    logger.info("token S3cr3t-V4lue refused", detail, 42);

    expect(lines).toEqual([["token [redacted] refused", detail, 42]]);
  });

  it("without a redaction function, hands the lines over as they are", () => {
    const lines: unknown[][] = [];
    const record = (...content: unknown[]) => lines.push(content);

    guardLogger({ debug: record, info: record, warn: record, error: record }).warn("pod-credentials: as written");

    expect(lines).toEqual([["pod-credentials: as written"]]);
  });

  it("the logger that drops everything: nothing is redacted for it, as nothing is written", () => {
    let redactions = 0;
    const logger = guardLogger(noopLogger, (text) => {
      redactions += 1;
      return text;
    });

    logger.error("pod-credentials: an error nobody reads");

    expect(redactions).toBe(0);
  });
});
