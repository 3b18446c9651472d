import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRoleReference, roleNameOf, sameRole } from "../../src/kube/roleReference.js";

const ARN = "arn:aws:iam::123456789012:role/team/orders-reader";

describe("parseRoleReference", () => {
  it("reads a bare name, without a path", () => {
    expect(parseRoleReference("orders-reader")).toEqual({ form: "name", name: "orders-reader" });
  });

  it.each([
    ["team/orders-reader", "/team/"],
    ["/team/orders-reader", "/team/"],
    ["team/eu/orders-reader", "/team/eu/"],
    ["/orders-reader", "/"],
  ])("reads %j as a name under the IAM path %j", (text, path) => {
    expect(parseRoleReference(text)).toEqual({ form: "path", name: "orders-reader", path });
  });

  it("reads a role ARN with its path, account and partition", () => {
    expect(parseRoleReference(ARN)).toEqual({
      form: "roleArn",
      name: "orders-reader",
      path: "/team/",
      accountId: "123456789012",
      partition: "aws",
      arn: ARN,
    });
  });

  it("gives the root path / for a role ARN without a path", () => {
    expect(parseRoleReference("arn:aws:iam::123456789012:role/orders-reader")).toMatchObject({ path: "/" });
  });

  it.each(["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-eusc"])(
    "reads ARNs in the %s partition",
    (partition) => {
      expect(parseRoleReference(`arn:${partition}:iam::123456789012:role/orders-reader`)).toMatchObject({
        form: "roleArn",
        partition,
        name: "orders-reader",
      });
    },
  );

  it("reads an assumed-role ARN as its role, without a path (STS drops it)", () => {
    const arn = "arn:aws:sts::123456789012:assumed-role/orders-reader/botocore-session-1764277200";
    expect(parseRoleReference(arn)).toEqual({
      form: "assumedRoleArn",
      name: "orders-reader",
      accountId: "123456789012",
      partition: "aws",
      arn,
    });
  });

  it("ignores surrounding whitespace", () => {
    expect(parseRoleReference("  orders-reader\n")).toEqual({ form: "name", name: "orders-reader" });
  });

  it("accepts every character IAM allows in a role name: letters, digits and +=,.@_-", () => {
    expect(parseRoleReference("Svc+Role=1,a.b@c_d-e")).toEqual({ form: "name", name: "Svc+Role=1,a.b@c_d-e" });
  });

  it.each([
    ["empty text", ""],
    ["whitespace", "   "],
    ["a user ARN", "arn:aws:iam::123456789012:user/alice"],
    ["an instance-profile ARN", "arn:aws:iam::123456789012:instance-profile/nodes"],
    ["an S3 ARN", "arn:aws:s3:::bucket/key"],
    ["an ARN with a region", "arn:aws:iam:us-east-1:123456789012:role/orders-reader"],
    ["an ARN with a short account id", "arn:aws:iam::1:role/orders-reader"],
    ["an ARN in an unknown partition", "arn:azure:iam::123456789012:role/orders-reader"],
    ["an ARN without a role name", "arn:aws:iam::123456789012:role/"],
    ["an assumed-role ARN without a session", "arn:aws:sts::123456789012:assumed-role/orders-reader"],
    ["an assumed-role ARN with a one-character session", "arn:aws:sts::123456789012:assumed-role/orders-reader/s"],
    ["a trailing slash", "team/orders-reader/"],
    ["an empty path segment", "team//orders-reader"],
    ["a space in the name", "orders reader"],
    ["a name of 65 characters", "r".repeat(65)],
    ["a quoted name", '"orders-reader"'],
  ])("refuses %s", (_, text) => {
    expect(parseRoleReference(text)).toBeUndefined();
  });

  it("accepts a name of 64 characters", () => {
    expect(parseRoleReference("r".repeat(64))).toMatchObject({ name: "r".repeat(64) });
  });

  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom("arn:", "aws", ":", "/", "iam", "role", "1", "a") })),
        (text) => {
          parseRoleReference(text);
        },
      ),
    );
  });
});

describe("sameRole", () => {
  it.each([
    ["the same bare name", "orders-reader", "orders-reader"],
    ["names that differ only in case", "Orders-Reader", "orders-reader"],
    ["a bare name and an ARN under any path", "orders-reader", ARN],
    ["a path and the ARN with that path", "team/orders-reader", ARN],
    ["a path with a leading slash and the ARN with that path", "/team/orders-reader", ARN],
    [
      "an ARN and the assumed-role ARN of a session of it",
      ARN,
      "arn:aws:sts::123456789012:assumed-role/orders-reader/s1",
    ],
    ["a bare name and an assumed-role ARN", "orders-reader", "arn:aws:sts::123456789012:assumed-role/orders-reader/s1"],
  ])("matches %s", (_, a, b) => {
    expect(sameRole(a, b)).toBe(true);
    expect(sameRole(b, a)).toBe(true);
  });

  it.each([
    ["different names", "orders-reader", "orders-writer"],
    ["different paths when both give one", "other/orders-reader", ARN],
    ["the root path and another path", "/orders-reader", ARN],
    ["different accounts", ARN, "arn:aws:iam::210987654321:role/team/orders-reader"],
    ["different partitions", ARN, "arn:aws-cn:iam::123456789012:role/team/orders-reader"],
    ["an assumed-role ARN in another account", ARN, "arn:aws:sts::210987654321:assumed-role/orders-reader/s1"],
    ["a side that is not a role reference", "orders-reader", "arn:aws:iam::123456789012:user/orders-reader"],
    ["two empty strings", "", ""],
  ])("does not match %s", (_, a, b) => {
    expect(sameRole(a, b)).toBe(false);
    expect(sameRole(b, a)).toBe(false);
  });

  it("is symmetric and reflexive for every role reference", () => {
    const reference = fc.oneof(
      fc.constantFrom("orders-reader", "Orders-Reader", "team/orders-reader", "/orders-reader", ARN, "orders-writer"),
      fc.constantFrom(
        "arn:aws:iam::210987654321:role/orders-reader",
        "arn:aws:sts::123456789012:assumed-role/orders-reader/s1",
      ),
    );
    fc.assert(
      fc.property(reference, reference, (a, b) => {
        expect(sameRole(a, a)).toBe(true);
        expect(sameRole(a, b)).toBe(sameRole(b, a));
      }),
    );
  });
});

describe("roleNameOf", () => {
  it.each([
    ["orders-reader", "orders-reader"],
    ["team/orders-reader", "orders-reader"],
    [ARN, "orders-reader"],
    ["arn:aws:sts::123456789012:assumed-role/orders-reader/s1", "orders-reader"],
  ])("gives the bare name of %j", (text, name) => {
    expect(roleNameOf(text)).toBe(name);
  });

  it("gives undefined for text that is not a role reference", () => {
    expect(roleNameOf("arn:aws:iam::123456789012:user/alice")).toBeUndefined();
  });
});
