// Specifies what a pod does with malformed answers, end to end (the built package in a pod process): bad JSON, missing
// or non-string fields, an Expiration that is not a date, a Code other than Success, an HTML page where credentials
// should be. From EC2 IMDS (node credentials allowed), kube2iam,
// kiam and the Pod Identity agent, each is a CredentialSourceError that names the endpoint and the field at fault,
// after exactly the requests needed, and the secret values in the answer never reach the pod's output.
import { describe } from "vitest";
import type { FakeCredentials } from "../../src/testing/index.js";
import { expectRun, requestLines } from "../support/podAssertions.js";
import {
  CREDENTIALS_ENDPOINTS,
  credentialsEndpoint,
  imdsPod,
  kube2iamPod,
  LISTING_PATH,
  ORDERS_ROLE,
  podTest,
  TOKEN_PATH,
} from "../support/podScenario.js";

const QUICK = { POD_CREDENTIALS_TIMEOUT_MS: "1000", POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "600" };

const IN_AN_HOUR = (): string => `${new Date(Date.now() + 3_600_000).toISOString().slice(0, 19)}Z`;

/** A credentials document as the metadata services write it, holding the fake's secrets, with some fields changed. */
const documentWith = (credentials: FakeCredentials, changes: Record<string, unknown>): Record<string, unknown> => {
  const document: Record<string, unknown> = {
    Code: "Success",
    Type: "AWS-HMAC",
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken,
    Expiration: IN_AN_HOUR(),
    ...changes,
  };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete document[key];
  return document;
};

/** One malformed answer: its body, and the fragments the error must hold (the URL is added to each). */
const ANSWERS: ReadonlyArray<{
  what: string;
  body: (credentials: FakeCredentials) => string;
  contentType: string;
  expected: (url: string) => string[];
}> = [
  {
    what: "JSON cut short (after the secrets)",
    body: (credentials) => {
      const text = JSON.stringify(documentWith(credentials, {}));
      return text.slice(0, text.indexOf('"Expiration"'));
    },
    contentType: "text/plain; charset=utf-8",
    expected: (url) => [`The answer of ${url} is not JSON.`],
  },
  {
    what: "an HTML error page with status 200",
    body: () =>
      "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>\n",
    contentType: "text/html",
    expected: (url) => [`The answer of ${url} is not JSON: it looks like an HTML or XML page.`],
  },
  {
    what: "no Token field",
    body: (credentials) => JSON.stringify(documentWith(credentials, { Token: undefined })),
    contentType: "text/plain; charset=utf-8",
    expected: (url) => [`The answer of ${url} is not a credentials document: Token is missing.`],
  },
  {
    what: "an AccessKeyId that is a number and an empty SecretAccessKey",
    body: (credentials) => JSON.stringify(documentWith(credentials, { AccessKeyId: 12345, SecretAccessKey: "" })),
    contentType: "text/plain; charset=utf-8",
    expected: (url) => [
      `The answer of ${url} is not a credentials document: AccessKeyId is not a string (it is a number), SecretAccessKey is empty.`,
    ],
  },
  {
    what: "an Expiration that is not a date",
    body: (credentials) => JSON.stringify(documentWith(credentials, { Expiration: "next Tuesday" })),
    contentType: "text/plain; charset=utf-8",
    expected: (url) => [
      `The answer of ${url} has an Expiration (a string of 12 characters) that is not an RFC 3339 date-time`,
    ],
  },
  {
    what: "an Expiration holding the secret key (fields shifted)",
    body: (credentials) => JSON.stringify(documentWith(credentials, { Expiration: credentials.secretAccessKey })),
    contentType: "text/plain; charset=utf-8",
    expected: (url) => [
      `The answer of ${url} has an Expiration (a string of 40 characters) that is not an RFC 3339 date-time`,
    ],
  },
  {
    what: "an Expiration as a bare date",
    body: (credentials) => JSON.stringify(documentWith(credentials, { Expiration: "2031-01-01" })),
    contentType: "text/plain; charset=utf-8",
    expected: (url) => [`The answer of ${url} has an Expiration "2031-01-01" that is not an RFC 3339 date-time`],
  },
  {
    what: 'Code "AssumeRoleUnauthorizedAccess"',
    body: (credentials) =>
      JSON.stringify(
        documentWith(credentials, {
          Code: "AssumeRoleUnauthorizedAccess",
          Message: `denied ${credentials.secretAccessKey}`,
        }),
      ),
    contentType: "text/plain; charset=utf-8",
    expected: (url) => [`${url} answered with Code "AssumeRoleUnauthorizedAccess" instead of credentials.`],
  },
];

describe.concurrent.for(CREDENTIALS_ENDPOINTS)("malformed credentials from %s", (source) => {
  podTest.for(ANSWERS)(
    "$what: CredentialSourceError naming the endpoint and the field",
    async (answer, { expect, pod }) => {
      const endpoint = await credentialsEndpoint(pod, source);
      endpoint.fake.injectFault(
        {
          kind: "malformed",
          body: answer.body(endpoint.fake.credentials),
          headers: { "Content-Type": answer.contentType },
        },
        { path: endpoint.credentialsPath },
      );

      const run = await pod.run({ ...QUICK, ...endpoint.env });

      await expectRun(expect, pod, run, {
        refused: { name: "CredentialSourceError", says: answer.expected(endpoint.credentialsUrl) },
      });
      expect(endpoint.requests()).toEqual(endpoint.expectedRequests);
    },
  );
});

describe.concurrent("error pages where credentials should be", () => {
  podTest("IMDS's own HTML 404 for the role's credentials: the status, and no secret", async ({ expect, pod }) => {
    const { imds, env } = await imdsPod(pod);
    // The listing names a role whose credentials path IMDS does not know: its HTML 404.
    imds.injectFault(
      { kind: "status", status: 200, body: "renamed-role", headers: { "Content-Type": "text/plain" } },
      { path: LISTING_PATH, times: 1 },
    );

    const run = await pod.run({ ...QUICK, ...env });

    await expectRun(expect, pod, run, {
      refused: {
        name: "CredentialSourceError",
        says: ["The instance metadata service answered HTTP 404 for the role's credentials", "404 - Not Found"],
      },
    });
    expect(requestLines(imds.requests)).toEqual([
      `PUT ${TOKEN_PATH}`,
      `GET ${LISTING_PATH}`,
      `GET ${LISTING_PATH}renamed-role`,
    ]);
  });

  podTest(
    "kube2iam behind a broken proxy: an HTML 502 page is a final refusal quoting the status",
    async ({ expect, pod }) => {
      const { proxy, server, env } = await kube2iamPod(pod);
      const credentialsPath = `${LISTING_PATH}${ORDERS_ROLE}`;
      proxy.injectFault(
        {
          kind: "status",
          status: 502,
          body: "<html><body><h1>502 Bad Gateway</h1></body></html>\n",
          headers: { "Content-Type": "text/html" },
        },
        { path: credentialsPath },
      );

      const run = await pod.run({ ...QUICK, ...env });

      await expectRun(expect, pod, run, {
        refused: {
          name: "CredentialSourceError",
          says: [`The metadata proxy at ${server.url} refused the role "${ORDERS_ROLE}" with HTTP 502`],
        },
      });
      expect(proxy.requests.map((request) => request.path)).toEqual([LISTING_PATH, credentialsPath]);
    },
  );
});
