// The golden file of every operator message: each scenario's errors and log lines, word for word, in
// messages.golden.md; and a check that docs/troubleshooting.md documents each of them. After a deliberate change of
// wording: `npx vitest run test/messages -u`, then review the diff of messages.golden.md.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetImdsTokenStates } from "../../src/sources/instanceProfile.js";
import { missingFromDocs, parseGolden, renderGolden } from "./golden.js";
import { SCENARIOS } from "./scenarios.js";
import { START, World } from "./world.js";

const GOLDEN = join(import.meta.dirname, "messages.golden.md");
const TROUBLESHOOTING = join(import.meta.dirname, "../../docs/troubleshooting.md");

/**
 * Only Date and performance are faked: both clocks (wall and monotonic) move when a scenario says so, while real
 * timers keep msw and retries working.
 */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date", "performance"] });
  vi.setSystemTime(START);
  resetImdsTokenStates();
});
afterEach(() => vi.useRealTimers());

const outputs = new Map<string, string[]>();
let rendered: string | undefined;

describe("operator messages", () => {
  it("has one scenario per name", () => {
    const names = SCENARIOS.map((scenario) => scenario.name);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      const world = new World();
      try {
        const produced = await scenario.run(world);
        expect(produced.length, "a scenario produces at least one message").toBeGreaterThan(0);
        outputs.set(
          scenario.name,
          produced.map((text) => world.normalise(text)),
        );
      } finally {
        await world.close();
      }
    });
  }

  it("match the golden file, word for word", async () => {
    const missing = SCENARIOS.filter((scenario) => !outputs.has(scenario.name)).map((scenario) => scenario.name);
    expect(missing, "scenarios that did not run or failed").toEqual([]);
    rendered = renderGolden(SCENARIOS, outputs);
    await expect(rendered).toMatchFileSnapshot(GOLDEN);
  });

  it("are each documented in docs/troubleshooting.md", async () => {
    // The golden file as this run rendered it, which the test above holds equal to messages.golden.md (and which
    // `-u` writes only when the run ends); the file itself when the scenarios did not all run (`-t`).
    const golden = parseGolden(rendered ?? (await readFile(GOLDEN, "utf8")));
    expect(golden.length).toBe(SCENARIOS.length);
    const docs = await readFile(TROUBLESHOOTING, "utf8");
    expect(missingFromDocs(golden, docs)).toEqual([]);
  });
});
