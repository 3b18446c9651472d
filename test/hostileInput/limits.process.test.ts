// Specifies the limits on what a pod reads, end to end (the built package in a pod process): answers over 64 KiB,
// redirects, token files over 16 KiB or of more than one line, annotations files over 256 KiB, a container-credentials
// URL with a password in it, a token with CR or LF. Each is refused with a CredentialSourceError that says which
// limit, after exactly the requests needed (none, for the refused files, URLs and tokens), and the pod exits.
import { describe } from "vitest";
import { fakeImds } from "../../src/testing/index.js";
import { expectRun, requestLines } from "../support/podAssertions.js";
import {
  AGENT_PATH,
  agentPod,
  CREDENTIALS_ENDPOINTS,
  credentialsEndpoint,
  irsaPod,
  kube2iamPod,
  LISTING_PATH,
  ORDERS_ROLE,
  type PodScenario,
  podTest,
} from "../support/podScenario.js";

const KIB = 1024;
const TIMEOUT_MS = 2000;
const QUICK = { POD_CREDENTIALS_TIMEOUT_MS: String(TIMEOUT_MS), POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "600" };

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
  podTest.for(CREDENTIALS_ENDPOINTS)("credentials of 70 KiB from %s", async (source, { expect, pod }) => {
    const endpoint = await credentialsEndpoint(pod, source);
    endpoint.fake.injectFault(
      {
        kind: "status",
        status: 200,
        body: paddedDocument(endpoint.fake.credentials, 70 * KIB),
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      },
      { path: endpoint.credentialsPath },
    );

    const run = await pod.run({ ...QUICK, ...endpoint.env });

    await expectRun(expect, pod, run, {
      refused: {
        name: "CredentialSourceError",
        says: [`answer from ${endpoint.credentialsUrl} is larger than 65536 bytes`],
      },
    });
    expect(endpoint.requests()).toEqual(endpoint.expectedRequests);
  });

  podTest(
    "an agent answer streamed without Content-Length is cut off at 64 KiB, long before the per-request deadline",
    async ({ expect, pod }) => {
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
      await expectRun(expect, pod, run, {
        refused: {
          name: "CredentialSourceError",
          says: [`answer from ${endless.url}${AGENT_PATH} is larger than 65536 bytes`],
        },
      });
      expect(endless.requests).toEqual([`GET ${AGENT_PATH}`]);
    },
  );
});

describe.concurrent("redirects are not followed", () => {
  /** Where the redirects point: a real-looking IMDS with the node's credentials, which must never be asked. */
  const elsewhere = async (pod: PodScenario) => {
    const target = fakeImds({ roleName: "eks-node-role", credentials: pod.secrets.credentials("ELSEWHERE") });
    const server = await pod.serve(target.handler);
    return { target, location: `${server.url}${LISTING_PATH}eks-node-role` };
  };

  podTest.for([
    { source: "kube2iam" as const, at: "its role listing", says: `refused the role "${ORDERS_ROLE}" with HTTP 302` },
    {
      source: "the Pod Identity agent" as const,
      at: "the credentials",
      says: /The credentials endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/credentials answered HTTP 302/,
    },
    {
      source: "EC2 IMDS (node credentials allowed)" as const,
      at: "the role's credentials",
      says: "answered HTTP 302 for the role's credentials",
    },
  ])("$source answering $at with a 302", async ({ source, at, says }, { expect, pod }) => {
    const { target, location } = await elsewhere(pod);
    const endpoint = await credentialsEndpoint(pod, source);
    const path = at === "its role listing" ? LISTING_PATH : endpoint.credentialsPath;
    endpoint.fake.injectFault(
      {
        kind: "status",
        status: 302,
        body: `<a href="${location}">Found</a>.\n`,
        headers: { Location: location, "Content-Type": "text/html" },
      },
      { path },
    );

    const run = await pod.run({ ...QUICK, ...endpoint.env });

    await expectRun(expect, pod, run, {
      refused: { name: "CredentialSourceError", says: [says] },
    });
    // The requests up to the redirect, and none after it.
    const last = endpoint.expectedRequests.indexOf(`GET ${path}`);
    expect(endpoint.requests()).toEqual(endpoint.expectedRequests.slice(0, last + 1));
    expect(target.requests).toEqual([]);
  });
});

describe.concurrent("token files over 16 KiB or of more than one line are refused before any request", () => {
  interface TokenFilePod {
    readonly env: Record<string, string>;
    readonly tokenFile: string;
    /** The requests to the service the token would be sent to. */
    readonly requests: () => readonly unknown[];
  }
  type Content = (token: string) => string;

  /** An IRSA pod whose web-identity token file holds `content(token)`. */
  const irsaTokenFile = async (pod: PodScenario, content: Content): Promise<TokenFilePod> => {
    const { sts, tokenFile, env } = await irsaPod(pod, {}, content(pod.secrets.jwt()));
    return { env, tokenFile, requests: () => sts.requests };
  };
  /** A Pod Identity pod whose token file holds `content(token)`. */
  const agentTokenFile = async (pod: PodScenario, content: Content): Promise<TokenFilePod> => {
    const { agent, token, env } = await agentPod(pod);
    const tokenFile = await pod.file("token", content(token));
    return {
      env: { ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile },
      tokenFile,
      requests: () => agent.requests,
    };
  };

  podTest.for([
    {
      what: "an IRSA token file of 16 KiB + 1 byte",
      pod: irsaTokenFile,
      content: (token: string) => token.padEnd(16 * KIB + 1, "A"),
      says: (file: string) => `The web-identity token file ${file} is larger than 16384 bytes`,
    },
    {
      what: "a Pod Identity token file of 16 KiB + 1 byte",
      pod: agentTokenFile,
      content: (token: string) => token.padEnd(16 * KIB + 1, "A"),
      says: (file: string) => `The pod identity token file ${file} is larger than 16384 bytes`,
    },
    {
      what: "an IRSA token file with a CR inside the token",
      pod: irsaTokenFile,
      content: (token: string) => `${token.slice(0, 30)}\r${token.slice(30)}`,
      says: (file: string) => `The web-identity token file ${file} holds more than one line`,
    },
    {
      what: "a Pod Identity token file with a second line",
      pod: agentTokenFile,
      content: (token: string) => `${token}\nX-Injected: yes\n`,
      says: (file: string) => `The pod identity token file ${file} holds more than one line`,
    },
  ])("$what: refused, and the token is never sent", async ({ pod: tokenFilePod, content, says }, { expect, pod }) => {
    const { env, tokenFile, requests } = await tokenFilePod(pod, content);

    const run = await pod.run({ ...QUICK, ...env });

    await expectRun(expect, pod, run, {
      refused: { name: "CredentialSourceError", says: [says(tokenFile)] },
    });
    expect(requests()).toEqual([]);
  });

  podTest("an IRSA token file of exactly 16 KiB is still sent to STS", async ({ expect, pod }) => {
    const token = pod.secrets.jwt({ claims: { padding: "x".repeat(11 * KIB) } });
    const exact = token.padEnd(16 * KIB, "A");
    pod.secrets.add(exact);
    const { sts, env } = await irsaPod(pod, {}, exact);

    const run = await pod.run({ ...QUICK, ...env });

    await expectRun(expect, pod, run, {
      credentials: { source: "webIdentity", accessKeyId: sts.issued[0]?.accessKeyId },
    });
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]?.webIdentityToken).toBe(exact);
  });

  podTest(
    "a token file ending in a newline (as an editor writes it) is accepted: the token is sent without it",
    async ({ expect, pod }) => {
      const { agent, token, env } = await agentPod(pod);
      const tokenFile = await pod.file("token", `${token}\r\n`);

      const run = await pod.run({ ...QUICK, ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile });

      await expectRun(expect, pod, run, {
        credentials: { source: "podIdentity", accessKeyId: agent.credentials.accessKeyId },
      });
      expect(agent.requests.map((request) => request.headers.authorization)).toEqual([token]);
    },
  );
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

  podTest("an annotations file of 257 KiB: no metadata request", async ({ expect, pod }) => {
    const { proxy, server } = await kube2iamPod(pod);
    const file = await pod.file("annotations", `${annotations(256 * KIB)}\n${"#".repeat(KIB)}`);

    const run = await pod.run({
      ...QUICK,
      POD_CREDENTIALS_ANNOTATIONS_FILE: file,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url,
    });

    await expectRun(expect, pod, run, {
      refused: {
        name: "CredentialSourceError",
        says: [`The annotations file ${file} is larger than 262144 bytes`],
      },
    });
    expect(proxy.requests).toEqual([]);
  });

  podTest("an annotations file just under 256 KiB declares the role, and kube2iam answers", async ({ expect, pod }) => {
    const { proxy, server } = await kube2iamPod(pod);
    const text = annotations(256 * KIB - 100);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(256 * KIB);
    const file = await pod.file("annotations", text);

    const run = await pod.run({
      ...QUICK,
      POD_CREDENTIALS_ANNOTATIONS_FILE: file,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url,
    });

    await expectRun(expect, pod, run, {
      credentials: { source: "kube2iam", accessKeyId: proxy.credentials.accessKeyId },
    });
    expect(requestLines(proxy.requests)).toEqual([`GET ${LISTING_PATH}`, `GET ${LISTING_PATH}${ORDERS_ROLE}`]);
  });
});

describe.concurrent("container-credentials URLs and tokens that could smuggle secrets or headers are refused", () => {
  podTest(
    "a container-credentials URL with user:password: refused without a request, the password never shown",
    async ({ expect, pod }) => {
      const { agent, env, url } = await agentPod(pod);
      const password = "pAssw0rd-in-the-url-XYZZY";
      pod.secrets.add(password);
      const withPassword = url.replace("http://", `http://agent:${password}@`);

      const run = await pod.run({ ...QUICK, ...env, AWS_CONTAINER_CREDENTIALS_FULL_URI: withPassword });

      await expectRun(expect, pod, run, {
        refused: {
          name: "CredentialSourceError",
          says: [`AWS_CONTAINER_CREDENTIALS_FULL_URI (${url}) is refused: it contains a user name or password`],
        },
      });
      expect(agent.requests).toEqual([]);
    },
  );

  podTest.for([
    { what: "CR LF and a header after it", smuggle: (token: string) => `${token}\r\nX-Injected: yes` },
    { what: "a lone CR", smuggle: (token: string) => `${token.slice(0, 20)}\r${token.slice(20)}` },
  ])(
    "AWS_CONTAINER_AUTHORIZATION_TOKEN with $what: refused without a request",
    async ({ smuggle }, { expect, pod }) => {
      const { agent, token, env } = await agentPod(pod);

      const run = await pod.run({
        ...QUICK,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: smuggle(token),
      });

      await expectRun(expect, pod, run, {
        refused: {
          name: "CredentialSourceError",
          says: ["AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line break"],
        },
      });
      expect(agent.requests).toEqual([]);
    },
  );
});
