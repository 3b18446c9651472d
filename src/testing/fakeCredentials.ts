// Recognizable fake secrets, so a test can scan logs, errors and output for leaks; and the process-wide record of
// every set the fakes made or served, which the fake STS verifies signatures against.
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

/** An identity as `GetCallerIdentity` answers it. */
export interface StsCallerIdentity {
  /** `<Arn>`, for example `arn:aws:sts::123456789012:assumed-role/eks-node-role/i-0123456789abcdef0`. */
  readonly arn: string;
  /** `<Account>`, twelve digits. */
  readonly account: string;
  /** `<UserId>`, for example `AROAFAKENODEROLE0000:i-0123456789abcdef0`. */
  readonly userId: string;
}

/** Credentials the fakes know, with whose they are and until when, as {@link registerFakeCredentials} recorded them. */
export interface KnownFakeCredentials extends FakeCredentials {
  /** Whose they are; unset for credentials no fake has served yet. */
  readonly identity?: StsCallerIdentity | undefined;
  /** When they expire; unset: never. */
  readonly expiration?: Date | undefined;
}

/** The oldest sets are forgotten first: a long fuzzing run must not grow without bound. */
const MAX_KNOWN = 10_000;
// On globalThis under a registered symbol, so the ESM and CJS builds (and the sources under test) share one record.
const KNOWN_KEY = Symbol.for("pod-credentials/testing.knownFakeCredentials");
const known = (): Map<string, KnownFakeCredentials> =>
  ((globalThis as { [KNOWN_KEY]?: Map<string, KnownFakeCredentials> })[KNOWN_KEY] ??= new Map());

/**
 * Records credentials in this process's register, against which the fake STS checks signatures: a key not in it is
 * `InvalidClientTokenId`, as real STS answers keys it never issued. Every fake records what it makes and serves, with
 * whose it is (IMDS: the node role; the agent, kube2iam, kiam: the pod's role; STS: the role assumed), so this is for
 * credentials written by hand. Recording a key again keeps an identity or expiration left unset; the 10,000 most
 * recently recorded keys are kept.
 */
export const registerFakeCredentials = (
  credentials: FakeCredentials,
  details: { readonly identity?: StsCallerIdentity | undefined; readonly expiration?: Date | undefined } = {},
): void => {
  const register = known();
  const before = register.get(credentials.accessKeyId);
  register.delete(credentials.accessKeyId); // re-inserted last: the most recent survive eviction
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  const { identity = before?.identity, expiration = before?.expiration } = details;
  register.set(accessKeyId, Object.freeze({ accessKeyId, secretAccessKey, sessionToken, identity, expiration }));
  while (register.size > MAX_KNOWN) register.delete(register.keys().next().value ?? "");
};

/** The credentials recorded for `accessKeyId`, if any. */
export const knownFakeCredentials = (accessKeyId: string): KnownFakeCredentials | undefined => known().get(accessKeyId);

/**
 * Makes new recognizable fake credentials, recorded for the fake STS (no identity yet). The prefix (letters and
 * digits, at most 8 in the key id) appears in every value: a leak is found by `text.includes(secretAccessKey)`.
 * @example
 * import { createFakeCredentials } from "pod-credentials/testing";
 * const { accessKeyId, secretAccessKey, sessionToken } = createFakeCredentials("IMDS");
 * accessKeyId.startsWith("ASIAIMDS"); // true
 */
export const createFakeCredentials = (prefix = "FAKE"): FakeCredentials => {
  const tag = prefix.replace(/[^A-Za-z0-9]/g, "") || "FAKE";
  const keyTag = tag.toUpperCase().slice(0, 8);
  const secretTag = tag.slice(0, 20);
  const credentials = Object.freeze({
    accessKeyId: `ASIA${keyTag}${randomFrom(BASE32, 16 - keyTag.length)}`,
    secretAccessKey: `${secretTag}${randomFrom(BASE64, 40 - secretTag.length)}`,
    sessionToken: `IQoJb3JpZ2luX2VjE${tag}Token${randomFrom(BASE64, 380)}`,
  });
  registerFakeCredentials(credentials);
  return credentials;
};

/** Which secrets of `credentials` appear in `text` (the access key id is no secret): empty when nothing leaked. */
export const leakedSecrets = (
  text: string,
  credentials: Pick<FakeCredentials, "secretAccessKey" | "sessionToken">,
): Array<"secretAccessKey" | "sessionToken"> => {
  const secrets = ["secretAccessKey", "sessionToken"] as const;
  return secrets.filter((name) => credentials[name] !== "" && text.includes(credentials[name]));
};
