import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { fromPodProviderChain } from "../../src/index.js";
import { fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { testLogger } from "../support/leakCheck.js";
import { mswServer } from "../support/mswServer.js";

const LIST_RESULT = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>orders</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>2026/11/report.csv</Key><LastModified>2026-11-27T20:00:00.000Z</LastModified><ETag>"abc"</ETag><Size>42</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>`;

describe("as the credentials of a real S3Client", () => {
  it("signs the S3 request with the pod's access key, after an STS call in the client's region", async () => {
    const token = secretToken();
    const issued = secretCredentials("DROPIN");
    const sts = fakeSts({ credentials: issued, expectedToken: token });
    await serveWithMsw("https://sts.eu-central-1.amazonaws.com", sts);
    const s3Requests: Request[] = [];
    mswServer.use(
      http.get("https://orders.s3.eu-central-1.amazonaws.com/", ({ request }) => {
        s3Requests.push(request);
        return new HttpResponse(LIST_RESULT, { headers: { "Content-Type": "application/xml" } });
      }),
    );
    const tokenFile = await temporaryFile("token", token);

    const s3 = new S3Client({
      region: "eu-central-1",
      credentials: fromPodProviderChain({
        env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN },
        logger: testLogger(),
      }),
    });
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: "orders" }));

    expect(listing.Contents?.[0]?.Key).toBe("2026/11/report.csv");
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]?.host).toBe("sts.eu-central-1.amazonaws.com");
    const authorization = s3Requests[0]?.headers.get("authorization") ?? "";
    expect(authorization).toContain(`Credential=${issued.accessKeyId}/`);
    expect(authorization).toContain("/eu-central-1/s3/aws4_request");
    expect(s3Requests[0]?.headers.get("x-amz-security-token")).toBe(issued.sessionToken);
  });
});
