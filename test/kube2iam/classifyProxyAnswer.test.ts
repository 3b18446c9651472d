import { describe, expect, it } from "vitest";
import { attributeToProxy, classifyErrorAnswer, classifyListingAnswer } from "../../src/wire/metadata.js";

const LISTING_URL = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
const answer = (status: number, body: string) => ({ status, body, headers: {}, url: LISTING_URL });

describe("classifyErrorAnswer (what kube2iam's, kiam's and IMDS's error answers mean)", () => {
  it.each([
    // kube2iam: the pod-start race, in the spellings kube2iam has shipped (the typo is kube2iam's own).
    [404, "pod with specificed IP not found\n", "podNotYetKnown", "kube2iam: pod with specificed IP not found"],
    [404, "Pod with specificed IP not found\n", "podNotYetKnown", "kube2iam: Pod with specificed IP not found"],
    [404, "Pod with specified IP not found\n", "podNotYetKnown", "kube2iam: Pod with specified IP not found"],
    [
      404,
      'pod with specificed IP "10.1.2.3" not found\n',
      "podNotYetKnown",
      'kube2iam: pod with specificed IP "10.1.2.3" not found',
    ],
    // kiam: the pod-start race, from the listing (gRPC) and from the credentials path.
    [
      500,
      "rpc error: code = Unknown desc = no pod found\n",
      "podNotYetKnown",
      "rpc error: code = Unknown desc = no pod found",
    ],
    [
      500,
      "error fetching credentials: no pod found\n",
      "podNotYetKnown",
      "kiam: error fetching credentials: no pod found",
    ],
    [
      500,
      "error fetching credentials: pod not found\n",
      "podNotYetKnown",
      "kiam: error fetching credentials: pod not found",
    ],
    // No role for the pod.
    [404, "unable to find role for IP 10.1.2.3\n", "noRole", "kube2iam: unable to find role for IP 10.1.2.3"],
    [404, "Unable to find role for IP 10.1.2.3\n", "noRole", "kube2iam: Unable to find role for IP 10.1.2.3"],
    [404, "empty role\n", "noRole", "kiam: empty role"],
    [404, "  empty role \r\n", "noRole", "kiam: empty role"],
  ])("HTTP %i %j is %s, quoted as %j", (status, body, kind, message) => {
    expect(classifyErrorAnswer(answer(status, body))).toEqual({ kind, message });
  });

  it.each([
    [403, "Invalid role orders-reader\n", "kube2iam: Invalid role orders-reader"],
    [
      404,
      "role requested arn:aws:iam::123456789012:role/orders-reader not valid for namespace of pod at 10.1.2.3 with namespace payments\n",
      "kube2iam: role requested arn:aws:iam::123456789012:role/orders-reader not valid for namespace of pod at 10.1.2.3 with namespace payments",
    ],
    [500, "error fetching credentials: forbidden by policy\n", "kiam: error fetching credentials: forbidden by policy"],
    [
      404,
      'request blocked by allow-route-regexp "^$": /latest/api/token\n',
      'kiam: request blocked by allow-route-regexp "^$": /latest/api/token',
    ],
    [
      404,
      'request blocked by whitelist-route-regexp "^$": /latest/api/token\n',
      'kiam: request blocked by whitelist-route-regexp "^$": /latest/api/token',
    ],
    [502, "", "(no message)"],
    [500, " \r\n", "(no message)"],
  ])("HTTP %i %j is a final refusal, quoted as %j", (status, body, message) => {
    expect(classifyErrorAnswer(answer(status, body))).toEqual({ kind: "refused", status, message });
  });

  it.each([
    ["kube2iam's 403 text after other text", 403, "upstream said: Invalid role orders-reader\n"],
    ["kube2iam's 403 text on a second line", 403, "proxy error\nInvalid role orders-reader\n"],
    ["kiam's 'empty role' at the end of a longer line", 404, "the annotation holds an empty role\n"],
    ["kiam's 'empty role' at the start of a longer line", 404, "empty role for pod orders-6f7d\n"],
  ])("does not take %s for the proxy's own answer: a refusal, not attributed", (_, status, body) => {
    const text = body.replace(/\s+/g, " ").trim();
    expect(classifyErrorAnswer(answer(status, body))).toEqual({ kind: "refused", status, message: text });
  });

  it("takes any 401 for the real EC2 IMDS refusing the probe's invalid token, whatever the body", () => {
    expect(classifyErrorAnswer(answer(401, "<html><title>401 - Unauthorized</title></html>"))).toEqual({
      kind: "realImds",
    });
    expect(classifyErrorAnswer(answer(401, "empty role\n"))).toEqual({ kind: "realImds" });
  });
});

describe("classifyListingAnswer (the role listing)", () => {
  it.each([
    ["a role name", "orders-reader", "orders-reader"],
    ["a role with a trailing newline", "orders-reader\n", "orders-reader"],
    ["several roles on LF lines", "orders-reader\nsecond-role", "orders-reader"],
    ["several roles on CRLF lines", "orders-reader\r\nsecond-role\r\n", "orders-reader"],
    ["a first line with spaces around the role", "  orders-reader  \r\nsecond-role", "orders-reader"],
    ["blank lines before the role", "\r\n\r\n  orders-reader\r\n", "orders-reader"],
    ["kiam's full ARN", "arn:aws:iam::123456789012:role/orders-reader", "arn:aws:iam::123456789012:role/orders-reader"],
  ])("takes the first role of %s", (_, body, role) => {
    expect(classifyListingAnswer(answer(200, body))).toEqual({ kind: "role", role });
  });

  it.each([
    ["empty", ""],
    ["only whitespace and line ends", " \r\n \n"],
  ])("says kube2iam holds no role when the listing is %s", (_, body) => {
    expect(classifyListingAnswer(answer(200, body))).toEqual({
      kind: "noRole",
      message: "kube2iam: the role listing is empty",
    });
  });

  it("classifies a listing that is not 200 as an error answer", () => {
    expect(classifyListingAnswer(answer(404, "empty role\n"))).toEqual({ kind: "noRole", message: "kiam: empty role" });
    expect(classifyListingAnswer(answer(401, ""))).toEqual({ kind: "realImds" });
  });
});

describe("attributeToProxy", () => {
  it.each([
    ["pod with specificed IP not found", "kube2iam: pod with specificed IP not found"],
    ["Pod with specified IP not found", "kube2iam: Pod with specified IP not found"],
    ["Invalid role orders-reader", "kube2iam: Invalid role orders-reader"],
    ["empty role", "kiam: empty role"],
    ["error fetching credentials: AccessDenied", "kiam: error fetching credentials: AccessDenied"],
    ["upstream said: Invalid role orders-reader", "upstream said: Invalid role orders-reader"],
    ["no empty role here", "no empty role here"],
    ["empty role, really", "empty role, really"],
    ["502 Bad Gateway", "502 Bad Gateway"],
  ])("names the proxy that writes %j", (message, attributed) => {
    expect(attributeToProxy(message)).toBe(attributed);
  });
});
