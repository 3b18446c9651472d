// quoteRemoteText on what endpoints really answer: the credential values of an STS XML answer and of a JSON credentials
// document (IMDS, the Pod Identity agent) are redacted and their shape kept; a URL loses its user information only.
import { describe, expect, it } from "vitest";
import { quoteRemoteText } from "../../src/base/logging.js";

describe("quoteRemoteText on a credentials answer", () => {
  it.each([
    {
      answer:
        "an STS-style XML answer: the text of AccessKeyId, SecretAccessKey and SessionToken elements, keeping the tags",
      text:
        "<Credentials><AccessKeyId>ASIAEXAMPLEKEY12345</AccessKeyId><SecretAccessKey>S3cr3t-V4lue</SecretAccessKey>" +
        "<SessionToken>IQoJb3JpZ2luX2VjEXAMPLE</SessionToken><Expiration>2026-11-27T13:00:00Z</Expiration></Credentials>",
      quoted:
        "<Credentials><AccessKeyId>[redacted]</AccessKeyId><SecretAccessKey>[redacted]</SecretAccessKey>" +
        "<SessionToken>[redacted]</SessionToken><Expiration>2026-11-27T13:00:00Z</Expiration></Credentials>",
    },
    {
      answer:
        "a JSON credentials document: the values of AccessKeyId, SecretAccessKey, Token and SessionToken, keeping the names",
      text:
        '{"Code":"Success","AccessKeyId":"ASIAEXAMPLEKEY12345","SecretAccessKey":"S3cr3t-V4lue",' +
        '"Token":"IQoJb3JpZ2luX2VjEXAMPLE", "SessionToken" : "IQoJb3JpZ2luX2VjOTHER","Expiration":"2026-11-27T13:00:00Z"}',
      quoted:
        '{"Code":"Success","AccessKeyId":"[redacted]","SecretAccessKey":"[redacted]",' +
        '"Token":"[redacted]", "SessionToken" : "[redacted]","Expiration":"2026-11-27T13:00:00Z"}',
    },
  ])("redacts $answer", ({ text, quoted }) => {
    expect(quoteRemoteText(text)).toBe(quoted);
  });
});

describe("quoteRemoteText on a URL with user information", () => {
  it("removes the user and password, keeping the scheme, host and port", () => {
    expect(quoteRemoteText("proxy error: http://admin:hunter2@proxy.internal:3128/ refused the CONNECT")).toBe(
      "proxy error: http://proxy.internal:3128/ refused the CONNECT",
    );
  });
});
