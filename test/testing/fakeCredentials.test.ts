import { describe, expect, it } from "vitest";
import { createFakeCredentials, createFakeJwt, leakedSecrets } from "../../src/testing/index.js";

describe("createFakeCredentials", () => {
  it("makes credentials shaped like real ones, each value carrying the prefix", () => {
    const credentials = createFakeCredentials("IRSA");
    expect(credentials.accessKeyId).toMatch(/^ASIAIRSA[A-Z2-7]{12}$/);
    expect(credentials.secretAccessKey).toHaveLength(40);
    expect(credentials.secretAccessKey.startsWith("IRSA")).toBe(true);
    expect(credentials.sessionToken.length).toBeGreaterThan(300);
    expect(credentials.sessionToken).toContain("IRSA");
  });

  it("makes new values at each call and defaults the prefix to FAKE", () => {
    const first = createFakeCredentials();
    const second = createFakeCredentials();
    expect(first.accessKeyId.startsWith("ASIAFAKE")).toBe(true);
    expect(first.accessKeyId).toHaveLength(20);
    expect(first.secretAccessKey).not.toBe(second.secretAccessKey);
  });

  it("keeps a long prefix within the lengths of real keys", () => {
    const credentials = createFakeCredentials("a-very-long-prefix-for-credentials-0123456789");
    expect(credentials.accessKeyId).toHaveLength(20);
    expect(credentials.secretAccessKey).toHaveLength(40);
  });
});

describe("leakedSecrets", () => {
  it("names the secret values found in a text, never the access key id", () => {
    const credentials = createFakeCredentials();
    expect(leakedSecrets(`using ${credentials.accessKeyId}`, credentials)).toEqual([]);
    expect(leakedSecrets(`${credentials.secretAccessKey} ${credentials.sessionToken}`, credentials)).toEqual([
      "secretAccessKey",
      "sessionToken",
    ]);
  });
});

describe("createFakeJwt", () => {
  it("makes a three-part token whose claims look like a projected service-account token", () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const token = createFakeJwt({ now, expiresInSeconds: 60, claims: { aud: ["pods.eks.amazonaws.com"] } });
    const [header, payload, signature] = token.split(".");
    expect(signature).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(header ?? "", "base64url").toString())).toMatchObject({ alg: "RS256" });
    expect(JSON.parse(Buffer.from(payload ?? "", "base64url").toString())).toMatchObject({
      aud: ["pods.eks.amazonaws.com"],
      exp: 1_893_456_060,
      iat: 1_893_456_000,
      sub: "system:serviceaccount:default:orders",
    });
  });
});
