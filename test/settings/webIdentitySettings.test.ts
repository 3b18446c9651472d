// The webIdentity source's settings: an option wins over its environment variable, each setting says where it came
// from (the option's name or the variable's name, never the value), and the default session name is one STS accepts.
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/base/settings.js";
import { defaultRoleSessionName } from "../../src/sources/webIdentity.js";
import { ORDERS_ROLE_ARN } from "../support/fakes.js";

/** STS's constraint on RoleSessionName. */
const STS_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

describe("defaultRoleSessionName", () => {
  it.each([
    ["a pod name", "orders-api-7d9f8b6c5-x2x4z", "pod-credentials-orders-api-7d9f8b6c5-x2x4z"],
    [
      "a node's DNS name",
      "ip-10-0-12-34.eu-west-1.compute.internal",
      "pod-credentials-ip-10-0-12-34.eu-west-1.compute.internal",
    ],
    ["every character STS allows", "Az09_+=,.@-", "pod-credentials-Az09_+=,.@-"],
    ["characters STS refuses, each replaced by a dash", "orders api/7d9f:x*é", "pod-credentials-orders-api-7d9f-x--"],
  ])("keeps %s as STS accepts it", (_what, host, expected) => {
    expect(defaultRoleSessionName(host)).toBe(expected);
    expect(expected).toMatch(STS_SESSION_NAME);
  });

  it("cuts a long host name so that the session name has STS's maximum of 64 characters", () => {
    const name = defaultRoleSessionName("a".repeat(100));
    expect(name).toBe(`pod-credentials-${"a".repeat(64 - "pod-credentials-".length)}`);
    expect(name).toHaveLength(64);
  });

  it("uses this machine's host name (in Kubernetes, the pod's name) by default", () => {
    expect(defaultRoleSessionName()).toBe(defaultRoleSessionName(hostname()));
    expect(defaultRoleSessionName()).toMatch(STS_SESSION_NAME);
  });
});

describe("the webIdentity settings", () => {
  const webIdentitySettings = (options: Parameters<typeof readSettings>[0], env: Record<string, string>) => {
    const { webIdentityTokenFile: tokenFile, roleArn, roleSessionName, region } = readSettings({ ...options, env });
    return { tokenFile, roleArn, roleSessionName, region };
  };

  const ENVIRONMENT = {
    AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
    AWS_ROLE_ARN: ORDERS_ROLE_ARN,
    AWS_ROLE_SESSION_NAME: "orders-api",
  };

  it("reads AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME, naming the variables", () => {
    expect(webIdentitySettings({}, ENVIRONMENT)).toEqual({
      tokenFile: { value: ENVIRONMENT.AWS_WEB_IDENTITY_TOKEN_FILE, from: "AWS_WEB_IDENTITY_TOKEN_FILE" },
      roleArn: { value: ORDERS_ROLE_ARN, from: "AWS_ROLE_ARN" },
      roleSessionName: "orders-api",
      region: undefined,
    });
  });

  it("prefers the options to the environment, and names the options", () => {
    const settings = webIdentitySettings(
      {
        webIdentityTokenFile: "/tokens/orders",
        roleArn: "arn:aws:iam::210987654321:role/billing",
        roleSessionName: "billing-job",
        region: "eu-west-1",
      },
      ENVIRONMENT,
    );
    expect(settings).toEqual({
      tokenFile: { value: "/tokens/orders", from: "option webIdentityTokenFile" },
      roleArn: { value: "arn:aws:iam::210987654321:role/billing", from: "option roleArn" },
      roleSessionName: "billing-job",
      region: "eu-west-1",
    });
  });

  it("treats blank values as unset, and falls back to pod-credentials-<hostname> for the session name", () => {
    const settings = webIdentitySettings(
      { roleSessionName: " " },
      { AWS_WEB_IDENTITY_TOKEN_FILE: "", AWS_ROLE_ARN: "  ", AWS_ROLE_SESSION_NAME: "" },
    );
    expect(settings.tokenFile).toBeUndefined();
    expect(settings.roleArn).toBeUndefined();
    // The webIdentity source then uses defaultRoleSessionName(), pod-credentials-<hostname>.
    expect(settings.roleSessionName).toBeUndefined();
    expect(defaultRoleSessionName()).toBe(defaultRoleSessionName(hostname()));
  });
});
