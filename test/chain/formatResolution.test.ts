// The one info line a provider logs when it first resolves: source, role, account, expiration, what configured the
// source and which sources were skipped, and why. Operators grep for it, so its wording is pinned here exactly.
import { describe, expect, it } from "vitest";
import { formatResolution, roleLabel } from "../../src/chain/reporter.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/orders-reader";
const EXPIRES = new Date("2026-11-27T22:00:00.000Z");
const IRSA = "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN";

type Description = Parameters<typeof formatResolution>[0];

const description = (overrides: Partial<Description>): Description => ({
  source: "webIdentity",
  configuredBy: IRSA,
  resolvedAt: new Date("2026-11-27T21:00:00.000Z"),
  skipped: [],
  ...overrides,
});

describe("the resolution line", () => {
  it.each<[string, Partial<Description>, string]>([
    [
      "role, account and expiration",
      { roleArn: ROLE_ARN, accountId: "123456789012", expiration: EXPIRES },
      `pod-credentials: using webIdentity credentials for role ${ROLE_ARN} in account 123456789012, expiring ` +
        `2026-11-27T22:00:00.000Z (configured by ${IRSA})`,
    ],
    [
      "a role known only by its name, no account",
      { source: "kube2iam", configuredBy: "POD_CREDENTIALS_ROLE", roleName: "orders-reader", expiration: EXPIRES },
      "pod-credentials: using kube2iam credentials for role orders-reader, expiring 2026-11-27T22:00:00.000Z " +
        "(configured by POD_CREDENTIALS_ROLE)",
    ],
    [
      "an account but no role",
      { source: "podIdentity", configuredBy: "AWS_CONTAINER_CREDENTIALS_FULL_URI", accountId: "123456789012" },
      "pod-credentials: using podIdentity credentials in account 123456789012, with no expiration " +
        "(configured by AWS_CONTAINER_CREDENTIALS_FULL_URI)",
    ],
    [
      "nothing but the source (static keys)",
      { source: "env", configuredBy: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" },
      "pod-credentials: using env credentials, with no expiration (configured by AWS_ACCESS_KEY_ID and " +
        "AWS_SECRET_ACCESS_KEY)",
    ],
  ])("with %s", (_case, overrides, line) => {
    expect(formatResolution(description(overrides))).toBe(line);
  });

  it("ends with every skipped source and its reason, in chain order", () => {
    const line = formatResolution(
      description({
        source: "kube2iam",
        configuredBy: "POD_CREDENTIALS_ROLE",
        roleName: "orders-reader",
        expiration: EXPIRES,
        skipped: [
          { source: "webIdentity", reason: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set" },
          { source: "podIdentity", reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not set" },
        ],
      }),
    );
    expect(line).toBe(
      "pod-credentials: using kube2iam credentials for role orders-reader, expiring 2026-11-27T22:00:00.000Z " +
        "(configured by POD_CREDENTIALS_ROLE); skipped webIdentity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN " +
        "are not set), podIdentity (AWS_CONTAINER_CREDENTIALS_FULL_URI is not set)",
    );
  });

  it("names one skipped source without a trailing separator", () => {
    const line = formatResolution(
      description({ roleArn: ROLE_ARN, skipped: [{ source: "env", reason: "not named in POD_CREDENTIALS_SOURCES" }] }),
    );
    expect(line).toMatch(/; skipped env \(not named in POD_CREDENTIALS_SOURCES\)$/);
  });
});

describe("roleLabel", () => {
  it.each([
    [{ roleArn: ROLE_ARN, roleName: "orders-reader" }, ROLE_ARN],
    [{ roleName: "orders-reader" }, "orders-reader"],
    [{}, undefined],
  ])("labels %j as %s: the ARN when known, else the name", (role, label) => {
    expect(roleLabel(role)).toBe(label);
  });
});
