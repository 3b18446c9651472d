// Recognizable fake secrets, so a test can scan logs, errors and output for leaks.
import { randomBytes } from "node:crypto";

/** AWS credentials made up for a test, shaped like real ones, each value carrying the prefix it was made with. */
export interface FakeCredentials {
  /** `ASIA` followed by 16 upper-case letters and digits, the first ones from the prefix. */
  readonly accessKeyId: string;
  /** 40 characters, starting with the prefix. */
  readonly secretAccessKey: string;
  /** About 400 characters, starting like a real session token and containing the prefix. */
  readonly sessionToken: string;
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const randomFrom = (alphabet: string, length: number): string =>
  Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length] ?? "A").join("");

/**
 * Makes recognizable fake credentials. The prefix (letters and digits only, at most 8 used in the key id) appears in
 * every value, so `text.includes(credentials.secretAccessKey)` finds a leak and the prefix tells which fake it came
 * from. Each call makes new random values.
 *
 * @example
 * ```ts
 * import { createFakeCredentials } from "pod-credentials/testing";
 * const { accessKeyId, secretAccessKey, sessionToken } = createFakeCredentials("IMDS");
 * accessKeyId.startsWith("ASIAIMDS"); // true
 * ```
 */
export const createFakeCredentials = (prefix = "FAKE"): FakeCredentials => {
  const tag = prefix.replace(/[^A-Za-z0-9]/g, "") || "FAKE";
  const keyTag = tag.toUpperCase().slice(0, 8);
  const secretTag = tag.slice(0, 20);
  return Object.freeze({
    accessKeyId: `ASIA${keyTag}${randomFrom(BASE32, 16 - keyTag.length)}`,
    secretAccessKey: `${secretTag}${randomFrom(BASE64, 40 - secretTag.length)}`,
    sessionToken: `IQoJb3JpZ2luX2VjE${tag}Token${randomFrom(BASE64, 380)}`,
  });
};

/** Which secrets of `credentials` appear in `text` (the access key id is no secret): empty when nothing leaked. */
export const leakedSecrets = (
  text: string,
  credentials: Pick<FakeCredentials, "secretAccessKey" | "sessionToken">,
): Array<"secretAccessKey" | "sessionToken"> => {
  const leaks: Array<"secretAccessKey" | "sessionToken"> = [];
  if (credentials.secretAccessKey !== "" && text.includes(credentials.secretAccessKey)) leaks.push("secretAccessKey");
  if (credentials.sessionToken !== "" && text.includes(credentials.sessionToken)) leaks.push("sessionToken");
  return leaks;
};
