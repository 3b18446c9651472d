// What verification concludes from STS's answer, source by source: where each source's role is declared (named in the
// fix of a refusal and in describe()), which ARNs are sessions of an EC2 instance (the pattern is anchored: only
// `i-` and 8 or 17 hex digits, nothing before `arn:`), that a set is new when its session token is (not only its key
// id), and what a retry and a refusal of the credentials say.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetImdsTokenStates } from "../../src/sources/instanceProfile.js";
import { fakeImds, fakeSts, registerFakeCredentials } from "../../src/testing/index.js";
import {
  ACCOUNT_ID,
  ORDERS_ROLE_ARN,
  secretCredentials,
  secretToken,
  serveWithMsw,
  temporaryFile,
} from "../support/fakes.js";
import { startTestServer } from "../support/loopback.js";
import { observedProvider } from "../support/observedProvider.js";
import { expectSourceError } from "../support/sourceErrors.js";

const STS = "https://sts.us-east-1.amazonaws.com";
const IMDS = "http://169.254.169.254";
const PAYMENTS_ARN = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/payments-admin/ci-deploy`;

beforeEach(() => resetImdsTokenStates());

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** The fake STS at the pod's regional endpoint, and its GetCallerIdentity calls. */
const stsAtPod = async () => {
  const sts = fakeSts();
  await serveWithMsw(STS, sts);
  return { sts, callerIdentityCalls: () => sts.calls.filter((call) => call.action === "GetCallerIdentity") };
};

/** Static keys that STS says belong to `arn`. */
const keysOf = (arn: string) => {
  const keys = secretCredentials("STATIC");
  registerFakeCredentials(keys, { identity: { arn, account: ACCOUNT_ID, userId: "AROAFAKESTATIC000000:session" } });
  return keys;
};

const envKeys = (keys: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) => ({
  AWS_ACCESS_KEY_ID: keys.accessKeyId,
  AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
  AWS_SESSION_TOKEN: keys.sessionToken,
});

const verifying = (env: Record<string, string>, sources: ("env" | "sharedConfig" | "instanceProfile")[]) =>
  observedProvider({ ...env, POD_CREDENTIALS_VERIFY_IDENTITY: "true" }, { sources });

describe("a refusal's fix names where the source's role is declared", () => {
  it("env: whose keys the two variables hold", async () => {
    await stsAtPod();
    const { credentials } = verifying(
      { ...envKeys(keysOf(PAYMENTS_ARN)), POD_CREDENTIALS_EXPECTED_ROLE: "orders-reader" },
      ["env"],
    );

    await expectSourceError(expect, credentials(), {
      source: "env",
      target: "orders-reader",
      fix: "check whose keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY hold, or correct POD_CREDENTIALS_EXPECTED_ROLE.",
    });
  });

  it("sharedConfig: the profile in ~/.aws", async () => {
    await stsAtPod();
    const keys = keysOf(PAYMENTS_ARN);
    const home = await mkdtemp(join(tmpdir(), "pod-credentials-home-"));
    await mkdir(join(home, ".aws"));
    await writeFile(
      join(home, ".aws", "credentials"),
      `[default]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n` +
        `aws_session_token = ${keys.sessionToken}\n`,
    );
    const { credentials } = verifying({ HOME: home, POD_CREDENTIALS_EXPECTED_ROLE: "orders-reader" }, ["sharedConfig"]);

    await expectSourceError(expect, credentials(), {
      source: "sharedConfig",
      target: "orders-reader",
      fix: "check the profile in ~/.aws, or correct POD_CREDENTIALS_EXPECTED_ROLE.",
    });
  });

  it("instanceProfile: the node's instance profile", async () => {
    await stsAtPod();
    await serveWithMsw(IMDS, fakeImds({ credentials: secretCredentials("NODE"), roleName: "eks-node-role" }));
    const { credentials } = verifying(
      { POD_CREDENTIALS_ALLOW_NODE: "true", POD_CREDENTIALS_EXPECTED_ROLE: "orders-reader" },
      ["instanceProfile"],
    );

    await expectSourceError(expect, credentials(), {
      source: "instanceProfile",
      target: "orders-reader",
      fix: "check the node's instance profile, or correct POD_CREDENTIALS_EXPECTED_ROLE.",
    });
  });

  it("webIdentity: the ServiceAccount's role annotation", async () => {
    await stsAtPod();
    const { credentials } = observedProvider({
      AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", secretToken({ expiresInSeconds: 86_400 })),
      AWS_ROLE_ARN: ORDERS_ROLE_ARN,
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
      POD_CREDENTIALS_EXPECTED_ROLE: "payments-admin",
    });

    await expectSourceError(expect, credentials(), {
      source: "webIdentity",
      target: "payments-admin",
      fix:
        "check the role in the ServiceAccount's eks.amazonaws.com/role-arn annotation (AWS_ROLE_ARN), " +
        "or correct POD_CREDENTIALS_EXPECTED_ROLE.",
    });
  });
});

describe("the declared roles describe() reports", () => {
  it("instanceProfile's own role is declared by the instance metadata service's role listing", async () => {
    await stsAtPod();
    await serveWithMsw(IMDS, fakeImds({ credentials: secretCredentials("NODE"), roleName: "eks-node-role" }));
    const { credentials } = verifying({ POD_CREDENTIALS_ALLOW_NODE: "true" }, ["instanceProfile"]);

    await credentials();

    expect(credentials.describe()?.verification?.declaredRoles).toEqual([
      { role: "eks-node-role", from: "the instance metadata service's role listing" },
    ]);
  });

  it("a role declared twice (AWS_ROLE_ARN and POD_CREDENTIALS_EXPECTED_ROLE alike) is listed once, the source's own", async () => {
    await stsAtPod();
    const { credentials } = observedProvider({
      AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", secretToken({ expiresInSeconds: 86_400 })),
      AWS_ROLE_ARN: ORDERS_ROLE_ARN,
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
      POD_CREDENTIALS_EXPECTED_ROLE: ORDERS_ROLE_ARN,
    });

    await credentials();

    expect(credentials.describe()?.verification?.declaredRoles).toEqual([
      { role: ORDERS_ROLE_ARN, from: "AWS_ROLE_ARN" },
    ]);
  });
});

describe("which ARNs are sessions of an EC2 instance", () => {
  it("an 8-digit instance id (older instances) is the node's session: refused", async () => {
    await stsAtPod();
    const { credentials } = verifying(
      envKeys(keysOf(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/eks-node-role/i-0123abcd`)),
      ["env"],
    );

    const error = await expectSourceError(expect, credentials(), {
      name: "NodeCredentialsRefusedError",
      source: "env",
      says: ["a session of the EC2 instance i-0123abcd: the node's own role"],
    });
    expect(error.offeredRole).toBe("eks-node-role");
  });

  it.each([
    ["a longer session name", `arn:aws:sts::${ACCOUNT_ID}:assumed-role/eks-node-role/i-0123456789abcdef0-batch`],
    ["text before arn:", `xarn:aws:sts::${ACCOUNT_ID}:assumed-role/eks-node-role/i-0123456789abcdef0`],
  ])("an ARN with %s is not: the credentials are verified and used", async (_, arn) => {
    const { callerIdentityCalls } = await stsAtPod();
    const keys = keysOf(arn);
    const { credentials } = verifying(envKeys(keys), ["env"]);

    expect((await credentials()).accessKeyId).toBe(keys.accessKeyId);
    expect(callerIdentityCalls()).toHaveLength(1);
    expect(credentials.describe()?.verification?.callerArn).toBe(arn);
  });
});

describe("a new set of credentials is asked about again", () => {
  it("the same key id with another session token is verified again", async () => {
    const { callerIdentityCalls } = await stsAtPod();
    const keys = keysOf(PAYMENTS_ARN);
    let token = keys.sessionToken;
    const expiration = new Date(Date.now() + 60 * 60_000).toISOString();
    const agent = await startTestServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          AccessKeyId: keys.accessKeyId,
          SecretAccessKey: keys.secretAccessKey,
          Token: token,
          Expiration: expiration,
        }),
      );
    });
    closers.push(agent.close);
    const { credentials } = observedProvider({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/v1/credentials`,
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
    });
    await credentials();

    token = secretCredentials("RENEWED").sessionToken;
    registerFakeCredentials({ ...keys, sessionToken: token });
    const renewed = await credentials({ forceRefresh: true });

    expect(renewed.sessionToken).toBe(token);
    expect(callerIdentityCalls()).toHaveLength(2);
  });
});

describe("when STS answers GetCallerIdentity with an error", () => {
  it("a retry is logged at debug, naming the call and the source", async () => {
    const { sts, callerIdentityCalls } = await stsAtPod();
    sts.setMode("InternalFailure", { times: 1 });
    const { credentials, logger } = verifying(envKeys(keysOf(PAYMENTS_ARN)), ["env"]);

    await credentials();

    expect(callerIdentityCalls()).toHaveLength(2);
    const retries = logger.at("debug").filter((line) => line.includes("retrying in"));
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(
      /^pod-credentials: STS GetCallerIdentity for the env credentials: not ready \(.+\); retrying in \d+ ms$/,
    );
  });

  it("credentials STS does not accept: refused, the fix points at their issuer and the clock", async () => {
    await stsAtPod();
    const { credentials } = verifying(envKeys(secretCredentials("UNKNOWN")), ["env"]);

    await expectSourceError(expect, credentials(), {
      source: "env",
      status: 403,
      says: ["[env] Verifying the credentials failed: "],
      fix:
        "STS does not accept the credentials env handed out: whatever issued them is not AWS (check its address), " +
        "or this node's clock is off (NTP).",
    });
  });
});
