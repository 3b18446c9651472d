// How the doctor shows errors and credentials: names and messages as they are, fixes apart, and no secret.
import { describe, expect, it } from "vitest";
import { CredentialSourceError } from "../../src/base/errors.js";
import { errorReport, problemOf, secretsOf, summarizeCredentials } from "../../src/doctor/doctorReport.js";

describe("errors as the report shows them", () => {
  it("keeps the class name, message, source, fix and status of this package's errors", () => {
    const error = new CredentialSourceError("The agent answered HTTP 500.", {
      source: "podIdentity",
      target: "http://169.254.170.23/v1/credentials",
      fix: "Restart the agent.",
      status: 500,
    });
    expect(errorReport(error)).toEqual({
      name: "CredentialSourceError",
      message: error.message,
      source: "podIdentity",
      fix: "Restart the agent.",
      status: 500,
    });
  });

  it("leaves out a source, fix or status that is not of the expected type or not a known source", () => {
    const error = Object.assign(new TypeError("fetch failed"), { source: "imds", fix: ["retry"], status: "500" });
    expect(errorReport(error)).toEqual({
      name: "TypeError",
      message: "fetch failed",
      source: null,
      fix: null,
      status: null,
    });
  });

  it.each([
    ["a string", "socket hang up", "socket hang up"],
    ["undefined", undefined, "undefined"],
    ["an object", { code: "EPIPE" }, "[object Object]"],
  ])("names anything thrown that is not an Error %s an Error, with its text", (_, thrown, message) => {
    expect(errorReport(thrown)).toEqual({ name: "Error", message, source: null, fix: null, status: null });
  });

  it("states the problem without the fix, and the whole message when there is no fix", () => {
    const base = { source: null, fix: null, status: null };
    expect(problemOf({ ...base, name: "E", message: "Broken. Fix: Repair it. Fix: Again." })).toBe("E: Broken.");
    expect(problemOf({ ...base, name: "E", message: "Broken, Fix:no space" })).toBe("E: Broken, Fix:no space");
  });
});

describe("credentials as the report shows them", () => {
  it("keeps the last four characters of the key id, the identity and the expiry, and no secret", () => {
    const credentials = {
      accessKeyId: "ASIAEXAMPLE123456789",
      secretAccessKey: "secret-access-key-value",
      sessionToken: "session-token-value",
      expiration: new Date("2026-11-27T22:00:00Z"),
      accountId: "210987654321",
    };
    expect(summarizeCredentials(credentials, { roleName: "orders-reader" })).toEqual({
      accessKeyId: "…6789",
      roleArn: null,
      roleName: "orders-reader",
      accountId: "210987654321",
      expiration: "2026-11-27T22:00:00.000Z",
    });
    expect(summarizeCredentials(credentials, { accountId: "123456789012" }).accountId).toBe("123456789012");
    expect(summarizeCredentials({ accessKeyId: "AKIA1234", secretAccessKey: "x" })).toEqual({
      accessKeyId: "…1234",
      roleArn: null,
      roleName: null,
      accountId: null,
      expiration: null,
    });
  });

  it("lists the secret parts to redact: the secret key, and the session token when there is one", () => {
    expect(secretsOf({ accessKeyId: "AKIA", secretAccessKey: "s3cr3t", sessionToken: "t0k3n" })).toEqual([
      "s3cr3t",
      "t0k3n",
    ]);
    expect(secretsOf({ accessKeyId: "AKIA", secretAccessKey: "s3cr3t" })).toEqual(["s3cr3t"]);
    expect(secretsOf({ accessKeyId: "AKIA", secretAccessKey: "", sessionToken: "" })).toEqual([]);
    expect(secretsOf(undefined)).toEqual([]);
  });
});
