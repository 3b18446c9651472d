// The README's options tables are the settings table (src/base/settings.ts) in Markdown: this test renders them from
// it and finds them in the README word for word, so neither can change without the other.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isOptionKey, SETTINGS, type SettingKey, type SettingRow, variableOf } from "../../src/base/settings.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const code = (text: string | undefined) => (text === undefined ? "—" : `\`${text}\``);
const documented = (refresh: boolean) =>
  (Object.entries(SETTINGS) as Array<[SettingKey, SettingRow]>).filter(
    ([, row]) => row.doc !== undefined && (row.refresh === true) === refresh,
  );

/** The README's "Options and environment variables" table. */
const optionsTable = (): string =>
  [
    "| option | environment variable | default | meaning |",
    "| --- | --- | --- | --- |",
    ...documented(false).map(
      ([key, row]) =>
        `| ${isOptionKey(key) ? code(key) : "—"} | ${code(variableOf(key))} | ${row.default} | ${row.doc} |`,
    ),
  ].join("\n");

/** The README's "Caching and refresh" table. */
const refreshTable = (): string =>
  [
    "| option | default | meaning |",
    "| --- | --- | --- |",
    ...documented(true).map(([key, row]) => `| ${code(key)} | ${row.default} | ${row.doc} |`),
  ].join("\n");

describe("the README's option tables", () => {
  it("list every option and variable of the settings table, with its default and meaning", () => {
    expect(README).toContain(optionsTable());
  });

  it("list every caching and refresh option", () => {
    expect(README).toContain(refreshTable());
  });
});
