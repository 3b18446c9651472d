// Which container-credentials URLs (AWS_CONTAINER_CREDENTIALS_FULL_URI, or a relative URI joined to 169.254.170.2)
// the podIdentity source calls: the SDK's rule (https anywhere; plain http only to the ECS and EKS Pod Identity
// agents and loopback), and never a URL with a user name or password in it.
import { describe, expect, it } from "vitest";
import { containerCredentialsUrlProblem } from "../../src/sources/podIdentity.js";

const PLAIN_HTTP_ONLY_TO = "plain http is only allowed to 169.254.170.2, 169.254.170.23, [fd00:ec2::23] or loopback";

describe("which container-credentials URLs are accepted", () => {
  it.each([
    ["https://creds.example.com/v1/credentials", "https, to any host"],
    ["https://10.0.0.5:8443/credentials", "https, to a private address"],
    ["http://169.254.170.2/v2/credentials/abc", "the ECS agent"],
    ["http://169.254.170.23/v1/credentials", "the EKS Pod Identity agent over IPv4"],
    ["http://[fd00:ec2::23]/v1/credentials", "the EKS Pod Identity agent over IPv6"],
    ["http://[fd00:ec2:0::23]/v1/credentials", "the EKS Pod Identity agent over IPv6, written longer"],
    ["http://localhost:8080/credentials", "localhost"],
    ["http://LOCALHOST:8080/credentials", "localhost in capitals"],
    ["http://[::1]:8080/credentials", "IPv6 loopback"],
    ["http://127.0.0.1:9911/credentials", "127.0.0.1"],
    ["http://127.1.2.3/credentials", "another address in 127/8"],
    ["http://127.10.0.1/credentials", "127/8 with a two-digit second part"],
    ["http://127.0.100.1/credentials", "127/8 with a three-digit third part"],
    ["http://127.0.0.10/credentials", "127/8 with a two-digit last part"],
    ["http://127.255.255.255/credentials", "the top of 127/8"],
    ["http://127.00.0.01/credentials", "127.0.0.1 written with leading zeros"],
  ])("accepts %s (%s)", (url) => {
    expect(containerCredentialsUrlProblem(new URL(url))).toBeUndefined();
  });

  it.each([
    ["http://10.0.0.5/v1/credentials", `${PLAIN_HTTP_ONLY_TO}, not 10.0.0.5`],
    ["http://creds.example.com/v1/credentials", `${PLAIN_HTTP_ONLY_TO}, not creds.example.com`],
    ["http://169.254.170.230/v1/credentials", `${PLAIN_HTTP_ONLY_TO}, not 169.254.170.230`],
    ["http://[fd00:ec2::24]/v1/credentials", `${PLAIN_HTTP_ONLY_TO}, not [fd00:ec2::24]`],
    ["http://localhost.example.com/credentials", `${PLAIN_HTTP_ONLY_TO}, not localhost.example.com`],
    ["http://127.0.0.1.example.com/credentials", `${PLAIN_HTTP_ONLY_TO}, not 127.0.0.1.example.com`],
    ["http://0127.0.0.1/credentials", `${PLAIN_HTTP_ONLY_TO}, not 87.0.0.1`],
    ["http://user@169.254.170.23/v1/credentials", "it contains a user name or password"],
    ["http://:secret@169.254.170.23/v1/credentials", "it contains a user name or password"],
    ["http://user:secret@127.0.0.1/credentials", "it contains a user name or password"],
    ["https://user:secret@creds.example.com/v1/credentials", "it contains a user name or password"],
    ["ftp://169.254.170.23/credentials", "its scheme ftp: is neither http nor https"],
    ["file:///var/run/credentials", "its scheme file: is neither http nor https"],
  ])("refuses %s: %s", (url, problem) => {
    expect(containerCredentialsUrlProblem(new URL(url))).toBe(problem);
  });
});
