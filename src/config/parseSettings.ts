import { InvalidConfigurationError } from "../errors/InvalidConfigurationError.js";
import { CREDENTIAL_SOURCES, type CredentialSource, isCredentialSource } from "../sources/credentialSource.js";
import type { SettingValue } from "./settingValue.js";

/** `true` or `false` (any case); anything else is a configuration error, not a silent `false`. */
export const parseBooleanSetting = (setting: SettingValue): boolean => {
  const normalized = setting.value.toLowerCase();
  if (normalized === "true") return true;
  if (normalized === "false") return false;
  throw new InvalidConfigurationError(setting.from, "expected true or false.", `set ${setting.from} to true or false.`);
};

/** A whole number of milliseconds in `[min, max]`. */
export const parseMillisecondsSetting = (setting: SettingValue, min: number, max: number): number => {
  const parsed = /^\d+$/.test(setting.value) ? Number(setting.value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new InvalidConfigurationError(
      setting.from,
      `expected a whole number of milliseconds from ${min} to ${max}.`,
      `set ${setting.from} to a number such as ${Math.min(Math.max(1000, min), max)}.`,
    );
  }
  return parsed;
};

/** Checks a number passed as an option; options are typed, but JavaScript callers can pass anything. */
export const checkMillisecondsOption = (name: string, value: number, min: number, max: number): number => {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidConfigurationError(
      `option ${name}`,
      `expected a whole number of milliseconds from ${min} to ${max}.`,
      `pass ${name} as a number from ${min} to ${max}.`,
    );
  }
  return value;
};

/** A list of source names: every name known, none twice, at least one. */
export const parseSourceList = (from: string, names: readonly string[]): CredentialSource[] => {
  const fix = `use a comma-separated list of ${CREDENTIAL_SOURCES.join(", ")}.`;
  if (names.length === 0) throw new InvalidConfigurationError(from, "no source is named.", fix);
  const seen = new Set<CredentialSource>();
  for (const name of names) {
    if (!isCredentialSource(name)) throw new InvalidConfigurationError(from, `unknown source "${name}".`, fix);
    if (seen.has(name)) throw new InvalidConfigurationError(from, `source "${name}" is named twice.`, fix);
    seen.add(name);
  }
  return [...seen];
};

/** Splits `POD_CREDENTIALS_SOURCES`-style text: commas, optional spaces. */
export const splitList = (text: string): string[] =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
