// The files the doctor looks at: what it reports about each (size, age, claims, declared role, problem), and that
// the only secret it keeps is the token, for redaction, never in the report.
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isMainThread } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { inspectFiles, tokenClaims } from "../../src/doctor/examinePod.js";
import { createFakeJwt, FAKE_OIDC_ISSUER } from "../../src/testing/index.js";
import { secretToken, temporaryFolderEach } from "../support/fakes.js";

const folder = temporaryFolderEach("inspect");

const write = async (name: string, content: string): Promise<string> => {
  const path = join(folder(), name);
  await writeFile(path, content);
  return path;
};

/** The one report for the file named by `variable`. */
const inspected = async (variable: string, path: string) => {
  const inspections = await inspectFiles({ [variable]: path });
  const found = inspections.find((inspection) => inspection.report.path === path);
  if (!found) throw new Error(`no report for ${path}`);
  return found;
};

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
const jwtWith = (claims: unknown): string => `${base64url({ alg: "RS256" })}.${base64url(claims)}.c2lnbmF0dXJl`;

describe("the files the doctor inspects", () => {
  it("looks only at the default annotations file when nothing names a file, and says it does not exist", async () => {
    expect((await inspectFiles({})).map(({ report }) => report)).toEqual([
      {
        purpose: "annotations",
        path: "/etc/podinfo/annotations",
        from: "the default annotations file",
        exists: false,
        bytes: null,
        modifiedAt: null,
        token: null,
        declaredRole: null,
        problem: "does not exist",
      },
    ]);
  });

  it("inspects the IRSA token, the Pod Identity token and the annotations file the variables name, in that order", async () => {
    const webIdentity = await write("irsa-token", secretToken());
    const podIdentity = await write("agent-token", secretToken({ claims: { aud: "pods.eks.amazonaws.com" } }));
    const annotations = await write("annotations", 'iam.amazonaws.com/role="orders-reader"\n');
    const inspections = await inspectFiles({
      AWS_WEB_IDENTITY_TOKEN_FILE: ` ${webIdentity} `,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: podIdentity,
      POD_CREDENTIALS_ANNOTATIONS_FILE: annotations,
    });
    expect(inspections.map(({ report }) => [report.purpose, report.path, report.from])).toEqual([
      ["webIdentityToken", webIdentity, "AWS_WEB_IDENTITY_TOKEN_FILE"],
      ["podIdentityToken", podIdentity, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"],
      ["annotations", annotations, "POD_CREDENTIALS_ANNOTATIONS_FILE"],
    ]);
    expect(inspections[1]?.report.token?.audience).toEqual(["pods.eks.amazonaws.com"]);
    expect(inspections[2]?.report).toMatchObject({ declaredRole: "orders-reader", problem: null, token: null });
  });

  it("ignores variables that are set but blank", async () => {
    const inspections = await inspectFiles({
      AWS_WEB_IDENTITY_TOKEN_FILE: " ",
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "",
      POD_CREDENTIALS_ANNOTATIONS_FILE: "  ",
    });
    expect(inspections.map(({ report }) => report.from)).toEqual(["the default annotations file"]);
  });

  describe("a token file", () => {
    it("reports size, age and the token's claims, and hands back the token only for redaction", async () => {
      const token = secretToken();
      const path = await write("token", `${token}\n`);
      const { report, secrets } = await inspected("AWS_WEB_IDENTITY_TOKEN_FILE", path);
      expect(report).toMatchObject({
        exists: true,
        bytes: token.length + 1,
        modifiedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        token: { issuer: FAKE_OIDC_ISSUER, audience: ["sts.amazonaws.com"], expired: false },
        problem: null,
      });
      expect(secrets).toEqual([token]);
      expect(JSON.stringify(report)).not.toContain(token);
    });

    it("says a token file that holds no JWT does not, and still keeps its content for redaction", async () => {
      const path = await write("token", "not-a-jwt-but-maybe-a-secret");
      expect(await inspected("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path)).toEqual({
        report: expect.objectContaining({ token: null, problem: "does not hold a JWT" }),
        secrets: ["not-a-jwt-but-maybe-a-secret"],
      });
    });

    it("says an empty token file is empty", async () => {
      const path = await write("token", " \n");
      expect(await inspected("AWS_WEB_IDENTITY_TOKEN_FILE", path)).toEqual({
        report: expect.objectContaining({ exists: true, bytes: 2, problem: "is empty" }),
        secrets: [],
      });
    });
  });

  describe("a path that is not a readable small file", () => {
    it("says a directory is not a regular file, and does not read it", async () => {
      const path = join(folder(), "token-dir");
      await mkdir(path);
      expect(await inspected("AWS_WEB_IDENTITY_TOKEN_FILE", path)).toEqual({
        report: expect.objectContaining({ exists: true, token: null, problem: "is not a regular file" }),
        secrets: [],
      });
    });

    it("does not read a file larger than 256 KiB", async () => {
      const path = await write("huge", "x".repeat(256 * 1024 + 1));
      expect(await inspected("AWS_WEB_IDENTITY_TOKEN_FILE", path)).toEqual({
        report: expect.objectContaining({ bytes: 262_145, problem: "is larger than 262144 bytes" }),
        secrets: [],
      });
    });

    it("names the error code when the path cannot be examined", async () => {
      const file = await write("plain", "x");
      const path = join(file, "nested");
      expect((await inspected("AWS_WEB_IDENTITY_TOKEN_FILE", path)).report).toMatchObject({
        exists: false,
        problem: "cannot be examined (ENOTDIR)",
      });
    });

    // As in readSmallTextFile's test: root drops its effective uid to nobody around the read (not possible in a
    // worker thread); anyone else removes read permission.
    const isRoot = process.getuid?.() === 0;
    it.skipIf(process.platform === "win32" || (isRoot && !isMainThread))(
      "names the error code when the file exists but cannot be read",
      async () => {
        await chmod(folder(), 0o755);
        const path = await write("token", createFakeJwt());
        await chmod(path, isRoot ? 0o600 : 0o000);
        if (isRoot) process.seteuid?.(65534);
        const inspection = await inspected("AWS_WEB_IDENTITY_TOKEN_FILE", path).finally(() => {
          if (isRoot) process.seteuid?.(0);
        });
        expect(inspection).toEqual({
          report: expect.objectContaining({ exists: true, token: null, problem: "cannot be read (EACCES)" }),
          secrets: [],
        });
      },
    );
  });

  describe("the annotations file", () => {
    it.each([
      ["the whole annotations map", 'kubernetes.io/config.source="api"\niam.amazonaws.com/role="orders-reader"\n'],
      ["the single annotation's value", "orders-reader\n"],
    ])("reads the declared role from %s", async (_, content) => {
      const path = await write("annotations", content);
      expect((await inspected("POD_CREDENTIALS_ANNOTATIONS_FILE", path)).report).toMatchObject({
        declaredRole: "orders-reader",
        problem: null,
      });
    });

    it("says when the file declares no role", async () => {
      const path = await write("annotations", 'kubernetes.io/config.source="api"\n');
      expect((await inspected("POD_CREDENTIALS_ANNOTATIONS_FILE", path)).report).toMatchObject({
        declaredRole: null,
        problem: "has no iam.amazonaws.com/role annotation",
      });
    });

    it("names the malformed line and what is wrong with it", async () => {
      const path = await write(
        "annotations",
        'kubernetes.io/config.source="api"\niam.amazonaws.com/role=orders-reader\n',
      );
      expect((await inspected("POD_CREDENTIALS_ANNOTATIONS_FILE", path)).report).toMatchObject({
        declaredRole: null,
        problem:
          'is malformed at line 2: the value of iam.amazonaws.com/role is not quoted (the kubelet writes key="value")',
      });
    });
  });
});

describe("a token's claims", () => {
  const NOW = Date.parse("2026-11-27T21:00:00Z");

  it("reads iss, sub, a single aud and exp, and tells whether exp has passed", () => {
    const claims = { iss: "https://issuer", sub: "system:serviceaccount:shop:orders", aud: "sts.amazonaws.com" };
    const exp = NOW / 1000;
    expect(tokenClaims(jwtWith({ ...claims, exp }), NOW)).toEqual({
      issuer: "https://issuer",
      subject: "system:serviceaccount:shop:orders",
      audience: ["sts.amazonaws.com"],
      expiresAt: "2026-11-27T21:00:00.000Z",
      expired: true,
    });
    expect(tokenClaims(jwtWith({ ...claims, exp: exp + 1 }), NOW)?.expired).toBe(false);
  });

  it("keeps only the string audiences, and reports claims of the wrong type as missing", () => {
    expect(tokenClaims(jwtWith({ iss: 7, sub: null, aud: ["a", 2, "b"], exp: "tomorrow" }), NOW)).toEqual({
      issuer: null,
      subject: null,
      audience: ["a", "b"],
      expiresAt: null,
      expired: false,
    });
    expect(tokenClaims(jwtWith({ aud: { nested: true } }), NOW)?.audience).toEqual([]);
  });

  it.each([
    ["two parts", "header.payload"],
    ["four parts", "a.b.c.d"],
    ["a payload that is not base64url JSON", "a.!!!.c"],
    ["a payload that is an array", jwtWith(["sts.amazonaws.com"])],
    ["a payload that is null", jwtWith(null)],
    ["a payload that is a number", jwtWith(42)],
  ])("is undefined for text that is not a JWT: %s", (_, text) => {
    expect(tokenClaims(text, NOW)).toBeUndefined();
  });
});
