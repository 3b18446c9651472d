// Limits, end to end: answers over 64 KiB, redirects, token files over 16 KiB, annotations files over 256 KiB, a
// container-credentials URL with a password in it, tokens with CR or LF. Each is refused with a CredentialSourceError
// that says which limit, after exactly the requests needed (none, for the refused files and URLs), and the pod exits.
import { describe, it } from "vitest";
import { fakeImds } from "../../src/testing/index.js";
import { expectCredentials, expectRefusal, requestLines } from "../support/podAssertions.js";
import {
  AGENT_PATH,
  agentPod,
  expectNothingLeaked,
  imdsPod,
  irsaPod,
  kube2iamPod,
  LISTING_PATH,
  latestFinishAfterStartUp,
  ORDERS_ROLE,
  type PodScenario,
  podScenario,
  TOKEN_PATH,
} from "../support/podScenario.js";

const KIB = 1024;
const TIMEOUT_MS = 2000;
const QUICK = { POD_CREDENTIALS_TIMEOUT_MS: String(TIMEOUT_MS), POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "600" };

const within = latestFinishAfterStartUp();

/** A credentials document holding the given secrets, padded with spaces to `size` bytes: too large, not malformed. */
const paddedDocument = (
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
  size: number,
): string => {
  const document = JSON.stringify({
    Code: "Success",
    Type: "AWS-HMAC",
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken,
    Expiration: new Date(Date.now() + 3_600_000).toISOString(),
  });
  return `${document}${" ".repeat(size - document.length)}`;
};

describe.concurrent("answers over 64 KiB are refused", () => {
  it("kube2iam credentials of 70 KiB", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, node, server, env } = await kube2iamPod(pod);
    const credentialsPath = `${LISTING_PATH}${ORDERS_ROLE}`;
    proxy.injectFault(
      {
        kind: "status",
        status: 200,
        body: paddedDocument(proxy.credentials, 70 * KIB),
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      },
      { path: credentialsPath },
    );

    const run = await pod.run({ ...QUICK, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`answer from ${server.url}${credentialsPath} is larger than 65536 bytes`],
    });
    expect(requestLines(proxy.requests)).toEqual([`GET ${LISTING_PATH}`, `GET ${credentialsPath}`]);
    expect(node.requests).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("Pod Identity agent credentials of 70 KiB", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { agent, url, env } = await agentPod(pod);
    agent.injectFault({
      kind: "status",
      status: 200,
      body: paddedDocument(agent.credentials, 70 * KIB),
      headers: { "Content-Type": "application/json" },
    });

    const run = await pod.run({ ...QUICK, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`answer from ${url} is larger than 65536 bytes`],
    });
    expect(agent.requests).toHaveLength(1);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("IMDS credentials of 70 KiB (node credentials allowed)", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { imds, server, env } = await imdsPod(pod);
    const credentialsPath = `${LISTING_PATH}eks-node-role`;
    imds.injectFault(
      {
        kind: "status",
        status: 200,
        body: paddedDocument(imds.credentials, 70 * KIB),
        headers: { "Content-Type": "text/plain" },
      },
      { path: credentialsPath },
    );

    const run = await pod.run({ ...QUICK, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`answer from ${server.url}${credentialsPath} is larger than 65536 bytes`],
    });
    expect(requestLines(imds.requests)).toEqual([`PUT ${TOKEN_PATH}`, `GET ${LISTING_PATH}`, `GET ${credentialsPath}`]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("an agent answer streamed without Content-Length is cut off at 64 KiB, long before the per-request deadline", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const token = pod.secrets.jwt();
    // 8 KiB every 20 ms, for ever: only the size limit can end this before the 10 s per-request deadline.
    const endless = await pod.servePlain((_request, response) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.write('{"AccessKeyId":"ASIA');
      const timer = setInterval(() => response.write("A".repeat(8 * KIB)), 20);
      response.once("close", () => clearInterval(timer));
    });

    const run = await pod.run({
      ...QUICK,
      POD_CREDENTIALS_TIMEOUT_MS: "10000",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${endless.url}${AGENT_PATH}`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: await pod.file("token", token),
    });

    // Not "no complete answer ... within 10000 ms": the size limit ended it.
    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`answer from ${endless.url}${AGENT_PATH} is larger than 65536 bytes`],
    });
    expect(endless.requests).toEqual([`GET ${AGENT_PATH}`]);
    expect(run.elapsedMs).toBeLessThan(within(500));
    await expectNothingLeaked(expect, pod, run);
  });
});

describe.concurrent("redirects are not followed", () => {
  /** Where the redirects point: a real-looking IMDS with the node's credentials, which must never be asked. */
  const elsewhere = async (pod: PodScenario) => {
    const target = fakeImds({ roleName: "eks-node-role", credentials: pod.secrets.credentials("ELSEWHERE") });
    const server = await pod.serve(target.handler);
    return { target, location: `${server.url}${LISTING_PATH}eks-node-role` };
  };
  const redirectTo = (location: string) =>
    ({
      kind: "status",
      status: 302,
      body: `<a href="${location}">Found</a>.\n`,
      headers: { Location: location, "Content-Type": "text/html" },
    }) as const;

  it("kube2iam answering its listing with a 302", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { target, location } = await elsewhere(pod);
    const { proxy, env } = await kube2iamPod(pod);
    proxy.injectFault(redirectTo(location), { path: LISTING_PATH });

    const run = await pod.run({ ...QUICK, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`refused the role "${ORDERS_ROLE}" with HTTP 302`],
    });
    expect(requestLines(proxy.requests)).toEqual([`GET ${LISTING_PATH}`]);
    expect(target.requests).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("the Pod Identity agent answering with a 302", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { target, location } = await elsewhere(pod);
    const { agent, env } = await agentPod(pod);
    agent.injectFault(redirectTo(location));

    const run = await pod.run({ ...QUICK, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [/The credentials endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/credentials answered HTTP 302/],
    });
    expect(agent.requests).toHaveLength(1);
    expect(target.requests).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("IMDS answering the role's credentials with a 302 (node credentials allowed)", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { target, location } = await elsewhere(pod);
    const { imds, env } = await imdsPod(pod);
    const credentialsPath = `${LISTING_PATH}eks-node-role`;
    imds.injectFault(redirectTo(location), { path: credentialsPath });

    const run = await pod.run({ ...QUICK, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: ["answered HTTP 302 for the role's credentials"],
    });
    expect(requestLines(imds.requests)).toEqual([`PUT ${TOKEN_PATH}`, `GET ${LISTING_PATH}`, `GET ${credentialsPath}`]);
    expect(target.requests).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });
});

describe.concurrent("token files over 16 KiB are refused before any request", () => {
  it("an IRSA token file of 16 KiB + 1 byte: no STS call", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const token = pod.secrets.jwt();
    const { sts, tokenFile, env } = await irsaPod(pod, {}, token.padEnd(16 * KIB + 1, "A"));

    const run = await pod.run({ ...QUICK, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`The web-identity token file ${tokenFile} is larger than 16384 bytes`],
    });
    expect(sts.requests).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("an IRSA token file of exactly 16 KiB is still sent to STS", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const token = pod.secrets.jwt({ claims: { padding: "x".repeat(11 * KIB) } });
    const exact = token.padEnd(16 * KIB, "A");
    pod.secrets.add(exact);
    const { sts, env } = await irsaPod(pod, {}, exact);

    const run = await pod.run({ ...QUICK, ...env });

    expectCredentials(expect, run, { source: "webIdentity", accessKeyId: sts.issued[0]?.accessKeyId });
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]?.webIdentityToken).toBe(exact);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("a Pod Identity token file of 16 KiB + 1 byte: no agent request", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { agent, token, env } = await agentPod(pod);
    const tokenFile = await pod.file("big-token", token.padEnd(16 * KIB + 1, "A"));

    const run = await pod.run({ ...QUICK, ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`The pod identity token file ${tokenFile} is larger than 16384 bytes`],
    });
    expect(agent.requests).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });
});

describe.concurrent("annotations files over 256 KiB are refused before any request", () => {
  /** A downward-API annotations file of about `size` bytes: many annotations, the role among them. */
  const annotations = (size: number): string => {
    const lines = [`iam.amazonaws.com/role="${ORDERS_ROLE}"`];
    for (let index = 0; lines.join("\n").length < size; index += 1)
      lines.push(`example.com/filler-${index}="${"v".repeat(200)}"`);
    return lines
      .join("\n")
      .slice(0, size)
      .replace(/\n[^\n]*$/, "");
  };

  it("an annotations file of 257 KiB: no metadata request", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, server } = await kube2iamPod(pod);
    const file = await pod.file("annotations", `${annotations(256 * KIB)}\n${"#".repeat(KIB)}`);

    const run = await pod.run({
      ...QUICK,
      POD_CREDENTIALS_ANNOTATIONS_FILE: file,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url,
    });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`The annotations file ${file} is larger than 262144 bytes`],
    });
    expect(proxy.requests).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("an annotations file just under 256 KiB declares the role, and kube2iam answers", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { proxy, server } = await kube2iamPod(pod);
    const text = annotations(256 * KIB - 100);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(256 * KIB);
    const file = await pod.file("annotations", text);

    const run = await pod.run({
      ...QUICK,
      POD_CREDENTIALS_ANNOTATIONS_FILE: file,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url,
    });

    expectCredentials(expect, run, { source: "kube2iam", accessKeyId: proxy.credentials.accessKeyId });
    expect(requestLines(proxy.requests)).toEqual([`GET ${LISTING_PATH}`, `GET ${LISTING_PATH}${ORDERS_ROLE}`]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });
});

describe.concurrent("container-credentials URLs and tokens that could smuggle secrets or headers are refused", () => {
  it("a container-credentials URL with user:password: refused without a request, the password never shown", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { agent, env, url } = await agentPod(pod);
    const password = "pAssw0rd-in-the-url-XYZZY";
    pod.secrets.add(password);
    const withPassword = url.replace("http://", `http://agent:${password}@`);

    const run = await pod.run({ ...QUICK, ...env, AWS_CONTAINER_CREDENTIALS_FULL_URI: withPassword });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`AWS_CONTAINER_CREDENTIALS_FULL_URI (${url}) is refused: it contains a user name or password`],
    });
    expect(agent.requests).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("AWS_CONTAINER_AUTHORIZATION_TOKEN with CR LF and a header after it: refused without a request", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { agent, token, env, url } = await agentPod(pod);

    const run = await pod.run({
      ...QUICK,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: `${token}\r\nX-Injected: yes`,
    });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: ["AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line break"],
    });
    expect(agent.requests).toEqual([]);
    expect(url).toContain("127.0.0.1");
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("AWS_CONTAINER_AUTHORIZATION_TOKEN with a lone CR: refused without a request", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { agent, token, env } = await agentPod(pod);

    const run = await pod.run({
      ...QUICK,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: `${token.slice(0, 20)}\r${token.slice(20)}`,
    });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: ["AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line break"],
    });
    expect(agent.requests).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("a Pod Identity token file with a second line: refused without a request", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { agent, token, env } = await agentPod(pod);
    const tokenFile = await pod.file("token", `${token}\nX-Injected: yes\n`);

    const run = await pod.run({ ...QUICK, ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`The pod identity token file ${tokenFile} holds more than one line`],
    });
    expect(agent.requests).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("an IRSA token file with a CR inside the token: refused without an STS call", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const token = pod.secrets.jwt();
    const { sts, tokenFile, env } = await irsaPod(pod, {}, `${token.slice(0, 30)}\r${token.slice(30)}`);

    const run = await pod.run({ ...QUICK, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [`The web-identity token file ${tokenFile} holds more than one line`],
    });
    expect(sts.requests).toEqual([]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("a token file ending in a newline (as an editor writes it) is accepted: the token is sent without it", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { agent, token, env } = await agentPod(pod);
    const tokenFile = await pod.file("token", `${token}\r\n`);

    const run = await pod.run({ ...QUICK, ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile });

    expectCredentials(expect, run, { source: "podIdentity", accessKeyId: agent.credentials.accessKeyId });
    expect(agent.requests.map((request) => request.headers.authorization)).toEqual([token]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });
});
