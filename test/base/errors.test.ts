// Matching this package's errors by name, which works across two copies of the package, and nothing else.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  CredentialSourceError,
  isPodCredentialsError,
  NoPodCredentialsError,
  POD_CREDENTIALS_ERROR_NAMES,
  PodCredentialsError,
} from "../../src/base/errors.js";

describe("isPodCredentialsError", () => {
  it("recognizes this package's errors, and one class by name", () => {
    const error = new NoPodCredentialsError([]);
    expect(isPodCredentialsError(error)).toBe(true);
    expect(isPodCredentialsError(error, "NoPodCredentialsError")).toBe(true);
    expect(isPodCredentialsError(error, "PodCredentialsError")).toBe(true);
    expect(isPodCredentialsError(error, "CredentialSourceError")).toBe(false);
  });

  it("recognizes an error of another copy of the package by its name alone", () => {
    const fromOtherCopy = { name: "CredentialSourceError", message: "[kube2iam] …" };
    expect(isPodCredentialsError(fromOtherCopy, "CredentialSourceError")).toBe(true);
    expect(isPodCredentialsError(fromOtherCopy)).toBe(true);
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["a string naming a class", "NoPodCredentialsError"],
    ["a number", 42],
    ["an Error of another kind", new TypeError("fetch failed")],
    ["an object whose name is not text", { name: 7 }],
    ["an object without a name", {}],
    // Object.hasOwn would turn the list into its text, "CredentialSourceError".
    ["an object whose name is a list holding a class name", { name: ["CredentialSourceError"] }],
  ])("does not take %s for one of its errors", (_, value) => {
    expect(isPodCredentialsError(value)).toBe(false);
    expect(isPodCredentialsError(value, "PodCredentialsError")).toBe(false);
  });

  it("exports every class name as a constant equal to the class's name", () => {
    expect(Object.values(POD_CREDENTIALS_ERROR_NAMES)).toEqual(Object.keys(POD_CREDENTIALS_ERROR_NAMES));
    expect(new CredentialSourceError("x", { source: "env" }).name).toBe(
      POD_CREDENTIALS_ERROR_NAMES.CredentialSourceError,
    );
  });
});

describe("the errors' messages", () => {
  it("NoPodCredentialsError says when no source is enabled at all", () => {
    expect(new NoPodCredentialsError([]).message).toMatch(
      /^No pod-scoped AWS credentials are configured for this pod \(no sources enabled\)\. Fix: /,
    );
  });

  it("NoPodCredentialsError lists every skipped source with its reason, separated by semicolons", () => {
    const error = new NoPodCredentialsError([
      { source: "webIdentity", reason: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set" },
      { source: "podIdentity", reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not set" },
    ]);
    expect(error.message).toMatch(
      /^No pod-scoped AWS credentials are configured for this pod \(webIdentity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set; podIdentity: AWS_CONTAINER_CREDENTIALS_FULL_URI is not set\)\. Fix: /,
    );
  });

  it("an error made without a cause has no cause property, so printing it shows none", () => {
    const error = new CredentialSourceError("Broken.", { source: "env" });
    expect("cause" in error).toBe(false);
    expect(inspect(error)).not.toContain("[cause]");
  });

  it("a PodCredentialsError without a fix has no Fix part, and without a source no [source] prefix", () => {
    const error = new PodCredentialsError("Something went wrong.");
    expect(error.message).toBe("Something went wrong.");
    expect(error).toMatchObject({ source: undefined, fix: undefined, tryNextLink: false });
    expect(error.cause).toBeUndefined();
    expect(new PodCredentialsError("Broken.", { source: "env", fix: "Repair." }).message).toBe(
      "[env] Broken. Fix: Repair.",
    );
  });
});

describe("isPodCredentialsError and inherited property names", () => {
  it.each(["toString", "constructor", "hasOwnProperty"])(
    "does not take an object named %s for one of our errors",
    (name) => {
      expect(isPodCredentialsError({ name })).toBe(false);
    },
  );
});
