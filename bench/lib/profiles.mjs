// The environment each credential source needs, for both implementations (the SDK chain and ours read the same
// variables; POD_CREDENTIALS_* only matter to ours).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { POD_ROLE, ROLE_ARN } from "./parentFakes.mjs";

/** Writes the service-account token file and returns the environment of each source, pointing at the parent's fakes. */
export const sourceProfiles = (sandbox, parent) => {
  const tokenFile = join(sandbox.root, "token");
  writeFileSync(tokenFile, parent.token);
  return {
    tokenFile,
    irsa: {
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_ARN: ROLE_ARN,
      AWS_ENDPOINT_URL_STS: parent.urls.sts,
    },
    podIdentity: {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${parent.urls.agent}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
    },
    kube2iam: {
      POD_CREDENTIALS_ROLE: POD_ROLE,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: parent.urls.kube2iam,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    },
    nodeInstanceProfile: {
      POD_CREDENTIALS_ALLOW_NODE: "true",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: parent.urls.imds,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    },
  };
};
