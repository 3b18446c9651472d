import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CredentialSourceError } from "../../src/base/errors.js";
import { type CredentialsDocumentOrigin, parseCredentialsDocument } from "../../src/wire/metadata.js";

const IMDS_URL = "http://169.254.169.254/latest/meta-data/iam/security-credentials/node-role";
const KUBE2IAM_URL = "http://169.254.169.254/latest/meta-data/iam/security-credentials/orders-reader";
const AGENT_URL = "http://169.254.170.23/v1/credentials";

// Each source brings its own fixes (the texts of src/sources/*/…Source.ts); the parser only places them.
const imds: CredentialsDocumentOrigin = {
  source: "instanceProfile",
  url: IMDS_URL,
  fix: {
    notCredentials:
      "check AWS_EC2_METADATA_SERVICE_ENDPOINT (when it is not set, the endpoint is http://169.254.169.254).",
    refused:
      "the instance metadata service could not get credentials for the node's role: check the node's instance " +
      "profile and that its role trusts ec2.amazonaws.com.",
  },
};
const kube2iam: CredentialsDocumentOrigin = {
  source: "kube2iam",
  url: KUBE2IAM_URL,
  fix: {
    notCredentials: "check that kube2iam or kiam answers.",
    refused: "check the iam.amazonaws.com/role annotation.",
  },
};
const podIdentity: CredentialsDocumentOrigin = {
  source: "podIdentity",
  url: AGENT_URL,
  fix: {
    notCredentials:
      "check AWS_CONTAINER_CREDENTIALS_FULL_URI (the EKS Pod Identity agent is http://169.254.170.23/v1/credentials) " +
      "and that the eks-pod-identity-agent DaemonSet runs on this node.",
    refused: "check the agent's logs.",
  },
};

const ACCESS_KEY_ID = "ASIAZ3EXAMPLE7Q2MNOP";
const SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const SESSION_TOKEN =
  "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexampleSessionTokenPartOne+AiBexamplePartTwo==";

// Real answers, byte for byte in layout: IMDS pretty-prints with " : ", kube2iam writes compact JSON and a newline
// (Go's json.Encoder), kiam puts LastUpdated last and writes nanoseconds, the Pod Identity agent adds AccountId.
const IMDS_BODY = `{
  "Code" : "Success",
  "LastUpdated" : "2026-11-27T14:56:51Z",
  "Type" : "AWS-HMAC",
  "AccessKeyId" : "${ACCESS_KEY_ID}",
  "SecretAccessKey" : "${SECRET_ACCESS_KEY}",
  "Token" : "${SESSION_TOKEN}",
  "Expiration" : "2026-11-27T21:12:34Z"
}`;

const KUBE2IAM_BODY = `{"Code":"Success","LastUpdated":"2026-11-27T14:56:51Z","Type":"AWS-HMAC","AccessKeyId":"${ACCESS_KEY_ID}","SecretAccessKey":"${SECRET_ACCESS_KEY}","Token":"${SESSION_TOKEN}","Expiration":"2026-11-27T15:11:51Z"}\n`;

const KIAM_BODY = `{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"${ACCESS_KEY_ID}","SecretAccessKey":"${SECRET_ACCESS_KEY}","Token":"${SESSION_TOKEN}","Expiration":"2026-11-27T15:11:51.123456789Z","LastUpdated":"2026-11-27T14:56:51.987654321Z"}\n`;

const AGENT_BODY = `{"AccessKeyId":"${ACCESS_KEY_ID}","SecretAccessKey":"${SECRET_ACCESS_KEY}","Token":"${SESSION_TOKEN}","AccountId":"123456789012","Expiration":"2026-11-27T20:56:51Z"}`;

const document = (fields: Record<string, unknown>): string =>
  JSON.stringify({
    Code: "Success",
    Type: "AWS-HMAC",
    AccessKeyId: ACCESS_KEY_ID,
    SecretAccessKey: SECRET_ACCESS_KEY,
    Token: SESSION_TOKEN,
    Expiration: "2026-11-27T21:12:34Z",
    ...fields,
  });

const failureOf = (body: string, origin: CredentialsDocumentOrigin = imds): CredentialSourceError => {
  try {
    parseCredentialsDocument(body, origin);
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialSourceError);
    return error as CredentialSourceError;
  }
  throw new Error("expected the document to be refused");
};

const expectNoSecretIn = (error: CredentialSourceError): void => {
  for (const secret of [ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN]) {
    expect(error.message).not.toContain(secret);
  }
};

describe("parseCredentialsDocument", () => {
  describe("real answers", () => {
    it.each([
      [
        "reads the pretty-printed document of EC2 instance metadata",
        IMDS_BODY,
        imds,
        { expiration: new Date("2026-11-27T21:12:34Z") },
      ],
      [
        "reads kube2iam's compact document with its trailing newline",
        KUBE2IAM_BODY,
        kube2iam,
        { expiration: new Date("2026-11-27T15:11:51Z") },
      ],
      [
        "reads the Pod Identity agent's document with its AccountId",
        AGENT_BODY,
        podIdentity,
        { expiration: new Date("2026-11-27T20:56:51Z"), accountId: "123456789012" },
      ],
    ])("%s", (_, body, origin, expected) => {
      expect(parseCredentialsDocument(body, origin)).toEqual({
        accessKeyId: ACCESS_KEY_ID,
        secretAccessKey: SECRET_ACCESS_KEY,
        sessionToken: SESSION_TOKEN,
        ...expected,
      });
    });

    it("reads kiam's document, whatever the key order, keeping milliseconds of a nanosecond Expiration", () => {
      expect(parseCredentialsDocument(KIAM_BODY, kube2iam).expiration).toEqual(new Date("2026-11-27T15:11:51.123Z"));
    });

    it("accepts a leading byte-order mark", () => {
      expect(parseCredentialsDocument(`\uFEFF${AGENT_BODY}`, podIdentity).accessKeyId).toBe(ACCESS_KEY_ID);
    });

    it("accepts credentials that have already expired: deciding about expiry is the caller's job", () => {
      const parsed = parseCredentialsDocument(document({ Expiration: "2001-01-01T00:00:00Z" }), imds);

      expect(parsed.expiration).toEqual(new Date("2001-01-01T00:00:00Z"));
    });
  });

  describe("answers that are not credentials documents", () => {
    it("says an HTML page is not JSON and tells the operator which setting to check", () => {
      const error = failureOf("<!DOCTYPE html><html><body>Welcome to nginx!</body></html>", podIdentity);

      expect(error.message).toBe(
        `[podIdentity] The answer of ${AGENT_URL} is not JSON: it looks like an HTML or XML page. ` +
          `Fix: the endpoint at ${AGENT_URL} is not a credentials endpoint: check AWS_CONTAINER_CREDENTIALS_FULL_URI ` +
          "(the EKS Pod Identity agent is http://169.254.170.23/v1/credentials) and that the eks-pod-identity-agent " +
          "DaemonSet runs on this node.",
      );
      expect(error).toMatchObject({ name: "CredentialSourceError", source: "podIdentity", target: AGENT_URL });
      expect(error.message).not.toContain("nginx");
    });

    it("says plain text is not JSON, without quoting it", () => {
      const error = failureOf("404 page not found\n");

      expect(error.message).toContain(`The answer of ${IMDS_URL} is not JSON.`);
      expect(error.message).toContain("check AWS_EC2_METADATA_SERVICE_ENDPOINT");
      expect(error.message).not.toContain("page not found");
    });

    it("says an empty answer is empty", () => {
      expect(failureOf("  \n", kube2iam).message).toContain(`The answer of ${KUBE2IAM_URL} is empty.`);
    });

    it("builds the fix from the source's notCredentials text, after naming the URL", () => {
      expect(failureOf("[]", kube2iam).fix).toBe(
        `the endpoint at ${KUBE2IAM_URL} is not a credentials endpoint: check that kube2iam or kiam answers.`,
      );
    });

    it.each([
      ["[]", "an array"],
      ["null", "null"],
      ["42", "a number"],
      ['"ASIA-not-a-document"', "a string"],
      ["true", "a boolean"],
    ])("refuses JSON that is not an object: %s", (body, type) => {
      const error = failureOf(body);

      expect(error.message).toContain(`The answer of ${IMDS_URL} is JSON but not an object (it is ${type}).`);
      expect(error.message).not.toContain("ASIA-not-a-document");
    });
  });

  describe("required fields", () => {
    it.each(["AccessKeyId", "SecretAccessKey", "Token", "Expiration"])("refuses a document without %s", (name) => {
      const error = failureOf(document({ [name]: undefined }));

      expect(error.message).toContain(`is not a credentials document: ${name} is missing.`);
      expectNoSecretIn(error);
    });

    it.each(["AccessKeyId", "SecretAccessKey", "Token", "Expiration"])("refuses a %s that is not a string", (name) => {
      const error = failureOf(document({ [name]: 12345678901234 }));

      expect(error.message).toContain(`${name} is not a string (it is a number)`);
      expectNoSecretIn(error);
    });

    it.each(["AccessKeyId", "SecretAccessKey", "Token", "Expiration"])("refuses an empty %s", (name) => {
      expect(failureOf(document({ [name]: " " })).message).toContain(`${name} is empty`);
    });

    it("lists every faulty field in one message", () => {
      const error = failureOf(JSON.stringify({ AccessKeyId: ACCESS_KEY_ID, Token: null, Expiration: "" }));

      expect(error.message).toContain(
        "is not a credentials document: SecretAccessKey is missing, Token is not a string (it is null), Expiration is empty.",
      );
      expectNoSecretIn(error);
    });

    it("does not take a field from the prototype chain", () => {
      const error = failureOf(`{"__proto__":{"AccessKeyId":"${ACCESS_KEY_ID}"},"SecretAccessKey":"x","Token":"y"}`);

      expect(error.message).toContain("AccessKeyId is missing");
    });
  });

  describe("Code", () => {
    it("quotes a Code other than Success, but never the Message next to it", () => {
      const body = document({
        Code: "AssumeRoleUnauthorizedAccess",
        Message: "EC2 cannot assume the role node-role. Please see documentation",
        AccessKeyId: undefined,
        SecretAccessKey: undefined,
        Token: undefined,
      });

      const error = failureOf(body);

      expect(error.message).toBe(
        `[instanceProfile] ${IMDS_URL} answered with Code "AssumeRoleUnauthorizedAccess" instead of credentials. ` +
          "Fix: the instance metadata service could not get credentials for the node's role: check the node's " +
          "instance profile and that its role trusts ec2.amazonaws.com.",
      );
      expect(error.message).not.toContain("Please see documentation");
    });

    it("refuses a failed Code even when the credentials fields are there", () => {
      const error = failureOf(document({ Code: "Failure" }), kube2iam);

      expect(error.message).toContain('answered with Code "Failure" instead of credentials');
      expect(error.fix).toBe("check the iam.amazonaws.com/role annotation.");
      expectNoSecretIn(error);
    });

    it("does not quote a Code that is not one short word", () => {
      const error = failureOf(document({ Code: "see https://example.test/help?session=abc" }));

      expect(error.message).toContain('answered with a Code that is not "Success" (a string) instead of credentials');
      expect(error.message).not.toContain("example.test");
    });

    it("refuses a Code that is not a string", () => {
      expect(failureOf(document({ Code: 0 })).message).toContain('a Code that is not "Success" (a number)');
    });

    it("never quotes a Code that holds a secret of the same document", () => {
      const secret = "AKIDLEAKEDINTOCODE1234";
      const error = failureOf(document({ Code: secret, AccessKeyId: secret }));

      expect(error.message).not.toContain(secret);
      expect(error.message).toContain('Code "[redacted]"');
    });
  });

  describe("Expiration", () => {
    it.each([
      ["2026-11-27T21:00:00Z", "2026-11-27T21:00:00.000Z"],
      ["2026-11-27t21:00:00z", "2026-11-27T21:00:00.000Z"],
      ["2026-11-27T21:00:00.5Z", "2026-11-27T21:00:00.500Z"],
      ["2026-11-27T21:00:00.123456789Z", "2026-11-27T21:00:00.123Z"],
      ["2026-11-27T23:30:00+02:30", "2026-11-27T21:00:00.000Z"],
      ["2026-11-27T16:00:00-05:00", "2026-11-27T21:00:00.000Z"],
      ["2028-02-29T00:00:00Z", "2028-02-29T00:00:00.000Z"],
      ["2016-12-31T23:59:60Z", "2017-01-01T00:00:00.000Z"],
    ])("accepts the RFC 3339 date-time %s", (raw, iso) => {
      expect(parseCredentialsDocument(document({ Expiration: raw }), imds).expiration.toISOString()).toBe(iso);
    });

    it.each([
      "2026-11-27",
      "2026-11-27 21:00:00Z",
      "2026-11-27T21:00:00",
      "2026-11-27T21:00Z",
      "1764277200",
      "2026-02-30T00:00:00Z",
      "2100-02-29T00:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-11-27T24:00:00Z",
      "2026-11-27T21:60:00Z",
      "2026-11-27T21:00:00+24:00",
      "2026-11-27T21:00:00.Z",
      "+02026-11-27T21:00:00Z",
    ])("refuses %s and quotes it, since an Expiration is not secret", (raw) => {
      const error = failureOf(document({ Expiration: raw }));

      expect(error.message).toContain(
        `has an Expiration "${raw}" that is not an RFC 3339 date-time like 2026-11-27T21:00:00Z.`,
      );
      expect(error.message).toContain("check AWS_EC2_METADATA_SERVICE_ENDPOINT");
    });

    it.each(["tomorrow", "Fri, 27 Nov 2026 21:00:00 GMT", "Invalid Date"])(
      "refuses %s without quoting text that does not look like a date",
      (raw) => {
        const error = failureOf(document({ Expiration: raw }));

        expect(error.message).toContain(
          `has an Expiration (a string of ${raw.length} characters) that is not an RFC 3339 date-time`,
        );
        expect(error.message).not.toContain(raw);
      },
    );

    it("refuses a number of seconds", () => {
      expect(failureOf(document({ Expiration: 1764277200 })).message).toContain(
        "Expiration is not a string (it is a number)",
      );
    });
  });

  describe("AccountId", () => {
    it.each([
      ["a number", 123456789012],
      ["too short", "12345"],
      ["not digits", "12345678901a"],
      ["null", null],
      ["empty", ""],
    ])("ignores an AccountId that is %s, without an error", (_what, value) => {
      const parsed = parseCredentialsDocument(document({ AccountId: value }), podIdentity);

      expect(parsed).not.toHaveProperty("accountId");
      expect(parsed.accessKeyId).toBe(ACCESS_KEY_ID);
    });
  });

  describe("properties", () => {
    const origins = fc.constantFrom(imds, kube2iam, podIdentity);

    /** Returns normally or throws a CredentialSourceError; anything else fails the property. */
    const parsesOrRefuses = (body: string, origin: CredentialsDocumentOrigin): void => {
      try {
        parseCredentialsDocument(body, origin);
      } catch (error) {
        if (!(error instanceof CredentialSourceError)) throw error;
      }
    };

    it("returns credentials or throws a CredentialSourceError for any string", () => {
      fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), origins, parsesOrRefuses), {
        numRuns: 500,
      });
    });

    it("returns credentials or throws a CredentialSourceError for any JSON text", () => {
      fc.assert(fc.property(fc.json(), origins, parsesOrRefuses), { numRuns: 500 });
    });

    it("returns credentials or throws a CredentialSourceError for any value serialised as JSON", () => {
      fc.assert(
        fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), origins, (value, origin) => {
          const body = JSON.stringify(value) as string | undefined;
          parsesOrRefuses(body ?? "", origin);
        }),
        { numRuns: 500 },
      );
    });

    // Distinctive secrets: 16 to 60 characters from the alphabets of real keys (access key ids are upper-case
    // letters and digits, like a word), so an accidental match with the fixed text of a message is impossible.
    const secret = fc.stringMatching(/^[A-Za-z0-9/+]{16,60}$/);
    const accessKeyIdText = fc.stringMatching(/^(AKIA|ASIA)[A-Z0-9]{12,20}$/);
    const dateText = fc
      .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
      .map((date) => date.toISOString());

    it("never puts AccessKeyId, SecretAccessKey or Token in a message, whatever the other fields hold", () => {
      fc.assert(
        fc.property(
          fc.tuple(accessKeyIdText, secret, secret).chain(([accessKeyId, secretAccessKey, token]) => {
            // Any field may hold any JSON value, or one of the secrets (a proxy that shifted its fields).
            const value = fc.oneof(
              { arbitrary: fc.constantFrom<unknown>(accessKeyId, secretAccessKey, token), weight: 3 },
              { arbitrary: fc.constantFrom<unknown>("Success", "", " "), weight: 1 },
              { arbitrary: dateText, weight: 1 },
              { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 2 },
            );
            return fc.record(
              {
                secrets: fc.constant([accessKeyId, secretAccessKey, token] as const),
                AccessKeyId: fc.oneof(fc.constant(accessKeyId), value),
                SecretAccessKey: fc.oneof(fc.constant(secretAccessKey), value),
                Token: fc.oneof(fc.constant(token), value),
                Expiration: fc.oneof(dateText, value),
                Code: value,
                Message: value,
                AccountId: value,
              },
              { requiredKeys: ["secrets"] },
            );
          }),
          origins,
          ({ secrets, ...fields }, origin) => {
            try {
              parseCredentialsDocument(JSON.stringify(fields), origin);
            } catch (error) {
              if (!(error instanceof CredentialSourceError)) throw error;
              // The secrets of this document: the generated ones that ended up in a secret field.
              const inSecretFields = [fields.AccessKeyId, fields.SecretAccessKey, fields.Token];
              for (const value of secrets.filter((candidate) => inSecretFields.includes(candidate))) {
                if (error.message.includes(value)) {
                  throw new Error(`a secret appeared in: ${error.message}`);
                }
              }
            }
          },
        ),
        { numRuns: 1000 },
      );
    });

    it("reads back any valid document, whatever its key order, spacing and extra fields", () => {
      const entries = fc.record({
        accessKeyId: secret,
        secretAccessKey: secret,
        sessionToken: secret,
        expiration: dateText,
        extra: fc.dictionary(fc.stringMatching(/^x[A-Za-z]{1,8}$/), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        indent: fc.constantFrom(undefined, 2, "\t"),
      });
      fc.assert(
        fc.property(entries, fc.infiniteStream(fc.nat()), origins, (input, randomness, origin) => {
          const pairs: [string, unknown][] = [
            ["AccessKeyId", input.accessKeyId],
            ["SecretAccessKey", input.secretAccessKey],
            ["Token", input.sessionToken],
            ["Expiration", input.expiration],
            ["Code", "Success"],
            ...Object.entries(input.extra),
          ];
          const random = randomness[Symbol.iterator]();
          const shuffled = pairs
            .map((pair) => ({ pair, key: random.next().value as number }))
            .sort((a, b) => a.key - b.key)
            .map(({ pair }) => pair);
          const body = JSON.stringify(Object.fromEntries(shuffled), null, input.indent);

          expect(parseCredentialsDocument(body, origin)).toEqual({
            accessKeyId: input.accessKeyId,
            secretAccessKey: input.secretAccessKey,
            sessionToken: input.sessionToken,
            expiration: new Date(input.expiration),
          });
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe("parseCredentialsDocument: the edges of what it reads and says", () => {
  it("redacts a secret field of exactly 8 characters that the refusal would otherwise quote", () => {
    const error = failureOf(document({ Code: "abcdefgh", SecretAccessKey: "abcdefgh" }));

    expect(error.message).toContain('answered with Code "[redacted]" instead of credentials.');
    expect(error.message).not.toContain("abcdefgh");
  });

  it("names a page that starts with whitespace before its '<' as HTML or XML", () => {
    expect(failureOf("\n  <html><body>Service Unavailable</body></html>").message).toContain(
      `The answer of ${IMDS_URL} is not JSON: it looks like an HTML or XML page.`,
    );
  });

  it("drops a byte-order mark only at the start: one inside the document makes it not JSON", () => {
    expect(failureOf(`{\uFEFF${document({}).slice(1)}`).message).toContain(`The answer of ${IMDS_URL} is not JSON.`);
  });

  it.each(["12345678901", "1234567890123", "x123456789012"])("drops an AccountId that is not 12 digits (%s)", (id) => {
    const body = AGENT_BODY.replace('"123456789012"', `"${id}"`);

    expect(parseCredentialsDocument(body, podIdentity)).not.toHaveProperty("accountId");
  });

  it.each([
    [{}, "an object"],
    [7, "a number"],
    [true, "a boolean"],
  ])("names the type of a Code that is not a string (%j), never its value", (code, named) => {
    expect(failureOf(document({ Code: code })).message).toContain(`a Code that is not "Success" (${named})`);
  });

  it("names the type of a field that is not a string", () => {
    expect(failureOf(document({ AccessKeyId: { id: "x" }, Token: 5 })).message).toContain(
      "AccessKeyId is not a string (it is an object), Token is not a string (it is a number)",
    );
  });
});
