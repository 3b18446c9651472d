// Internal: small helpers to write answers the way the real servers write them.
import { createHash } from "node:crypto";
import type { StsCallerIdentity } from "./fakeCredentials.js";
import type { FakeHandler, RecordedRequest } from "./fakeServer.js";

/** `2030-01-01T00:00:00Z`: the timestamp format of IMDS, kube2iam, kiam and STS (whole seconds, UTC). */
export const awsTimestamp = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;

/** Go's `http.Error`: the message and a newline, as `text/plain` with `nosniff`, after the handler's headers. */
export const goError = (status: number, message: string, headers: Readonly<Record<string, string>> = {}): Response =>
  new Response(`${message}\n`, {
    status,
    headers: { ...headers, "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" },
  });

/** A Go handler writing `body` with no content type: Go sniffs `text/plain` for text and JSON, none if empty. */
export const goText = (body: string, headers: Readonly<Record<string, string>> = {}): Response =>
  new Response(body || null, {
    headers: body === "" ? headers : { "Content-Type": "text/plain; charset=utf-8", ...headers },
  });

/** `/<version>/meta-data/iam/security-credentials`, then `/` and the role asked for: kube2iam's and kiam's routes. */
export const CREDENTIALS_ROUTE = /^\/[^/]+\/meta-data\/iam\/security-credentials(?:\/(.*))?$/;

/** Go's `http.Redirect` for a GET: an HTML link to the new location. */
export const goRedirect = (location: string, status: number): Response =>
  new Response(`<a href="${location}">${status === 308 ? "Permanent Redirect" : "Moved Permanently"}</a>.\n\n`, {
    status,
    headers: { Location: location, "Content-Type": "text/html; charset=utf-8" },
  });

/** The role name at the end of a role ARN (`arn:aws:iam::1:role/team/orders` -> `orders`). */
export const roleNameOf = (roleArn: string): string => roleArn.slice(roleArn.lastIndexOf("/") + 1);

/** Who a session of `roleArn` is to STS; the `AROA` role id is derived from the ARN, stable as a real one is. */
export const assumedRoleIdentity = (roleArn: string, session: string, account = "123456789012"): StsCallerIdentity => {
  const [, partition = "aws", roleAccount = account] = /^arn:([^:]+):iam::(\d{12}):/.exec(roleArn) ?? [];
  const roleId = `AROA${createHash("sha256").update(roleArn).digest("hex").toUpperCase().slice(0, 17)}`;
  return {
    arn: `arn:${partition}:sts::${roleAccount}:assumed-role/${roleNameOf(roleArn)}/${session}`,
    account: roleAccount,
    userId: `${roleId}:${session}`,
  };
};

/** A role annotation as kube2iam and kiam resolve it: a full ARN as is, a name (with its path) after `baseRoleArn`. */
export const roleArnOf = (role: string, baseRoleArn = "arn:aws:iam::123456789012:role/"): string =>
  role.toLowerCase().startsWith("arn:") ? role : `${baseRoleArn}${role}`;

/**
 * Go's `httputil.ReverseProxy` in front of `upstream`, as kube2iam and kiam run it: the client's `X-Forwarded-For`
 * is dropped and, when `forwardedFor` is given, set to it; with nothing behind the proxy, 502.
 */
export const reverseProxy = async (
  upstream: FakeHandler | undefined,
  request: RecordedRequest,
  original: Request,
  forwardedFor?: string,
): Promise<Response> => {
  if (upstream === undefined) return new Response(null, { status: 502 });
  const headers = new Headers(original.headers);
  headers.delete("x-forwarded-for");
  if (forwardedFor !== undefined) headers.set("X-Forwarded-For", forwardedFor);
  return upstream(new Request(request.url, { method: request.method, headers, body: request.body || null }));
};
