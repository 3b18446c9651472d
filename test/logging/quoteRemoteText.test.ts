// quoteRemoteText on what endpoints really answer: a JSON credentials document (IMDS, the Pod Identity agent) has the
// values of its credential fields redacted and keeps its shape; a URL with user information keeps its scheme and host.
import { describe, expect, it } from "vitest";
import { quoteRemoteText } from "../../src/base/logging.js";

describe("quoteRemoteText on a JSON credentials document", () => {
  it("redacts the values of AccessKeyId, SecretAccessKey, Token and SessionToken, keeping the names and the rest", () => {
    const body =
      '{"Code":"Success","AccessKeyId":"ASIAEXAMPLEKEY12345","SecretAccessKey":"S3cr3t-V4lue",' +
      '"Token":"IQoJb3JpZ2luX2VjEXAMPLE", "SessionToken" : "IQoJb3JpZ2luX2VjOTHER","Expiration":"2026-11-27T13:00:00Z"}';

    expect(quoteRemoteText(body)).toBe(
      '{"Code":"Success","AccessKeyId":"[redacted]","SecretAccessKey":"[redacted]",' +
        '"Token":"[redacted]", "SessionToken" : "[redacted]","Expiration":"2026-11-27T13:00:00Z"}',
    );
  });
});

describe("quoteRemoteText on a URL with user information", () => {
  it("removes the user and password, keeping the scheme, host and port", () => {
    expect(quoteRemoteText("proxy error: http://admin:hunter2@proxy.internal:3128/ refused the CONNECT")).toBe(
      "proxy error: http://proxy.internal:3128/ refused the CONNECT",
    );
  });
});
