// One scenario per distinct operator message: what the library says, driven through its public API against the
// faithful fakes (served by msw at the pod's real addresses, or on loopback where a refused connection is the point).
import { vi } from "vitest";
import {
  type CredentialEvent,
  fromKube2iam,
  fromNodeInstanceProfile,
  fromPodIdentityAgent,
  fromPodProviderChain,
  fromWebIdentity,
  type PodProviderChainOptions,
} from "../../src/index.js";
import {
  type FakeKiamOptions,
  type FakeKube2iamOptions,
  type FakePodIdentityAgentOptions,
  type FakeStsOptions,
  fakeImds,
  fakeKiam,
  fakeKube2iam,
  fakePodIdentityAgent,
  fakeSts,
} from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretCredentials, secretToken, serveWithMsw } from "../support/fakes.js";
import { recordOutput, registerSecrets } from "../support/leakCheck.js";
import { startTestServer } from "../support/loopback.js";
import { errorText, POD_ENDPOINTS, POD_PATHS, START, type World } from "./world.js";

/** One scenario of the golden file. */
export interface Scenario {
  /** The heading in the golden file. */
  readonly name: string;
  /**
   * Placeholder-free fragments of the outputs, each written word for word in docs/troubleshooting.md: every output
   * of the scenario contains one of them (the documentation check holds both to that).
   */
  readonly documented: readonly string[];
  /** Runs the scenario and returns its outputs, in order: errors as `name: message`, log lines as `level line`. */
  run(world: World): Promise<string[]>;
}

const IMDS = POD_ENDPOINTS.imds;
const AGENT_BASE = "http://169.254.170.23";
const AGENT_URL = POD_ENDPOINTS.agent;
const STS = "https://sts.us-east-1.amazonaws.com";
const TOKEN_PATH = "/latest/api/token";
const LISTING_PATH = "/latest/meta-data/iam/security-credentials/";
const ROLE = "orders-reader";
const MINUTE = 60_000;

type Options = PodProviderChainOptions;

const chain = (world: World, env: Record<string, string>, options: Options = {}) =>
  fromPodProviderChain({ env, logger: world.logger, region: "us-east-1", ...options });

/** The error a call ends with, as `name: message`. */
const failure = async (call: () => Promise<unknown>): Promise<string> => {
  try {
    await call();
  } catch (error) {
    recordOutput(error);
    return errorText(error);
  }
  throw new Error("expected the call to fail, but it succeeded");
};

/** The error creating a provider throws, as `name: message`. */
const creationFailure = (create: () => unknown): string => {
  try {
    create();
  } catch (error) {
    recordOutput(error);
    return errorText(error);
  }
  throw new Error("expected creating the provider to fail, but it succeeded");
};

/** Fails with the configuration in `env` (and `options`): the provider is created by the chain's entry point. */
const configurationError = (env: Record<string, string>, options: Options = {}) => ({
  run: async (world: World) => [creationFailure(() => chain(world, env, options))],
});

// ---- the fakes, at the pod's addresses --------------------------------------------------------------------------

const irsa = async (world: World, options: FakeStsOptions = {}) => {
  const token = secretToken({ expiresInSeconds: 86_400 });
  const sts = fakeSts({ credentials: secretCredentials("IRSA"), expectedToken: token, ...options });
  await serveWithMsw(STS, sts);
  const tokenFile = await world.file(POD_PATHS.irsaToken, token);
  return { sts, env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ORDERS_ROLE_ARN } };
};

const agent = async (world: World, options: FakePodIdentityAgentOptions = {}, tokenFileContent?: string) => {
  const token = secretToken({ expiresInSeconds: 86_400 });
  const fake = fakePodIdentityAgent({ expectedToken: token, credentials: secretCredentials("PODID"), ...options });
  await serveWithMsw(AGENT_BASE, fake);
  const tokenFile = await world.file(POD_PATHS.podIdentityToken, tokenFileContent ?? token);
  return {
    fake,
    env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile },
  };
};

const kube2iam = async (options: FakeKube2iamOptions = {}) => {
  const node = fakeImds({ credentials: secretCredentials("NODE"), roleName: "eks-node-role" });
  const proxy = fakeKube2iam({
    podRole: ROLE,
    credentials: secretCredentials("KUBE2IAM"),
    upstream: node.handler,
    ...options,
  });
  await serveWithMsw(IMDS, proxy);
  return { proxy, env: { POD_CREDENTIALS_ROLE: ROLE } };
};

const kiam = async (options: FakeKiamOptions = {}) => {
  const proxy = fakeKiam({ podRole: ORDERS_ROLE_ARN, credentials: secretCredentials("KIAM"), ...options });
  await serveWithMsw(IMDS, proxy);
  return { proxy, env: { POD_CREDENTIALS_ROLE: ROLE } };
};

const imds = async (options: Parameters<typeof fakeImds>[0] = {}) => {
  const node = fakeImds({ credentials: secretCredentials("NODE"), roleName: "eks-node-role", ...options });
  await serveWithMsw(IMDS, node);
  return node;
};

/** An annotations file at the pod's path, named by POD_CREDENTIALS_ANNOTATIONS_FILE. */
const annotations = async (world: World, content: string) => ({
  POD_CREDENTIALS_ANNOTATIONS_FILE: await world.file(POD_PATHS.annotations, content),
});

/** A web-identity token file problem: the file at the pod's path holds `content` (a folder when undefined). */
const tokenFileProblem = (content: string | Buffer | undefined) => async (world: World) => {
  const file = await world.file(POD_PATHS.irsaToken, content);
  return [await failure(() => chain(world, { AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: ORDERS_ROLE_ARN })())];
};

/** A Pod Identity answer: the agent's credentials path answers `status` with `body`. */
const agentAnswers = (status: number, body: string) => async (world: World) => {
  const { fake, env } = await agent(world);
  fake.injectFault({ kind: "status", status, body, headers: { "Content-Type": "application/json" } });
  return [await failure(() => chain(world, env)())];
};

// ---- the scenarios ----------------------------------------------------------------------------------------------

export const SCENARIOS: readonly Scenario[] = [
  // NoPodCredentialsError
  {
    name: "nothing configured",
    documented: ["No pod-scoped AWS credentials are configured for this pod"],
    run: async (world) => [await failure(() => chain(world, {})())],
  },
  {
    name: "nothing configured: the annotations file has no role annotation",
    documented: ["No pod-scoped AWS credentials are configured for this pod"],
    run: async (world) => {
      const env = await annotations(world, 'kubernetes.io/config.source="api"\n');
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "nothing configured: node credentials allowed, but the instance metadata service is disabled",
    documented: [
      "No pod-scoped AWS credentials are configured for this pod",
      "AWS_EC2_METADATA_DISABLED disables the instance metadata service",
    ],
    run: async (world) => {
      const env = { POD_CREDENTIALS_ALLOW_NODE: "true", AWS_EC2_METADATA_DISABLED: "true" };
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "nothing configured: only the development sources",
    documented: ["No pod-scoped AWS credentials are configured for this pod"],
    run: async (world) => {
      const env = { POD_CREDENTIALS_SOURCES: "env,sharedConfig", HOME: POD_PATHS.home };
      return [await failure(() => chain(world, env)())];
    },
  },

  // webIdentity (IRSA)
  {
    name: "webIdentity: the token file without the role",
    documented: ["AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: IRSA needs both."],
    run: async (world) => {
      const file = await world.file(POD_PATHS.irsaToken, "token");
      return [await failure(() => chain(world, { AWS_WEB_IDENTITY_TOKEN_FILE: file })())];
    },
  },
  {
    name: "webIdentity: the role without the token file",
    documented: ["AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not: IRSA needs both."],
    run: async (world) => [await failure(() => chain(world, { AWS_ROLE_ARN: ORDERS_ROLE_ARN })())],
  },
  {
    name: "webIdentity: the role is not an ARN",
    documented: ['[webIdentity] AWS_ROLE_ARN is not a role ARN ("orders-reader").'],
    run: async (world) => {
      const file = await world.file(POD_PATHS.irsaToken, "token");
      return [await failure(() => chain(world, { AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: ROLE })())];
    },
  },
  {
    name: "webIdentity: the token file does not exist",
    documented: [
      "[webIdentity] The web-identity token file /var/run/secrets/eks.amazonaws.com/serviceaccount/token does not exist.",
    ],
    run: async (world) => {
      const folder = await world.folder("/var/run/secrets/eks.amazonaws.com/serviceaccount");
      const env = { AWS_WEB_IDENTITY_TOKEN_FILE: `${folder}/token`, AWS_ROLE_ARN: ORDERS_ROLE_ARN };
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "webIdentity: the token file is a directory",
    documented: ["is a directory, not a file."],
    run: tokenFileProblem(undefined),
  },
  {
    name: "webIdentity: the token file is empty",
    documented: ["is empty or holds only whitespace."],
    run: tokenFileProblem("  \n"),
  },
  {
    name: "webIdentity: the token file holds two lines",
    documented: ["holds more than one line; a token is a single line."],
    run: tokenFileProblem("first-line\nsecond-line\n"),
  },
  {
    name: "webIdentity: the token file is too large",
    documented: ["is larger than 16384 bytes, more than such a file ever holds; it was not read."],
    run: tokenFileProblem("x".repeat(16_385)),
  },
  {
    name: "webIdentity: the token file is not a regular file",
    documented: ["is not a regular file (a pipe, socket or device)."],
    run: async (world) => {
      const env = { AWS_WEB_IDENTITY_TOKEN_FILE: "/dev/null", AWS_ROLE_ARN: ORDERS_ROLE_ARN };
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "webIdentity: the token file cannot be read (another I/O error)",
    documented: ["Could not read the web-identity token file"],
    run: async (world) => {
      // A path through a regular file: ENOTDIR. Shown as the file a pod might mistake for a folder.
      const file = await world.file("/var/run/secrets/eks.amazonaws.com/serviceaccount", "not a folder");
      const env = { AWS_WEB_IDENTITY_TOKEN_FILE: `${file}/token`, AWS_ROLE_ARN: ORDERS_ROLE_ARN };
      return [await failure(() => chain(world, env)())];
    },
  },
  ...(
    [
      ["InvalidIdentityToken", "failed with InvalidIdentityToken (HTTP 400)"],
      ["AccessDenied", "failed with AccessDenied (HTTP 403)"],
      ["IDPRejectedClaim", "IDPRejectedClaim"],
      ["ExpiredTokenException", "failed with ExpiredTokenException (HTTP 400)"],
      ["IDPCommunicationError", "IDPCommunicationError"],
      ["InternalFailure", "InternalFailure"],
      ["Throttling", "failed with Throttling (HTTP 400): Rate exceeded"],
    ] as const
  ).map(
    ([code, documented]): Scenario => ({
      name: `webIdentity: STS answers ${code}`,
      documented: [documented],
      run: async (world) => {
        const { env } = await irsa(world, { mode: code });
        // Throttling, IDPCommunicationError and InternalFailure are retried until the deadline: the clock jumps there.
        world.exhaustRetries();
        return [await failure(() => chain(world, env)())];
      },
    }),
  ),
  {
    name: "webIdentity: STS answers ValidationError (a session name STS refuses)",
    documented: ["failed with ValidationError (HTTP 400)"],
    run: async (world) => {
      const { env } = await irsa(world);
      return [await failure(() => chain(world, { ...env, AWS_ROLE_SESSION_NAME: "orders reader" })())];
    },
  },
  {
    name: "webIdentity: STS cannot be reached",
    documented: ["Could not call STS AssumeRoleWithWebIdentity for"],
    run: async (world) => {
      const { env } = await irsa(world);
      const refusing = await world.refusingUrl("https://sts.us-east-1.amazonaws.com");
      return [await failure(() => chain(world, { ...env, AWS_ENDPOINT_URL_STS: refusing })())];
    },
  },

  // podIdentity (EKS Pod Identity)
  {
    name: "podIdentity: the agent URL is not a URL",
    documented: ["[podIdentity] AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL."],
    run: async (world) => [
      await failure(() => chain(world, { AWS_CONTAINER_CREDENTIALS_FULL_URI: "169.254.170.23/v1/credentials" })()),
    ],
  },
  ...(
    [
      ["plain http to another host", "http://10.0.0.5/v1/credentials", "plain http is only allowed to"],
      [
        "a user name and password",
        "http://agent:hunter22@169.254.170.23/v1/credentials",
        "it contains a user name or password",
      ],
      ["another scheme", "ftp://169.254.170.23/v1/credentials", "is neither http nor https"],
    ] as const
  ).map(
    ([what, url, documented]): Scenario => ({
      name: `podIdentity: the agent URL is refused: ${what}`,
      documented: [documented],
      run: async (world) => {
        registerSecrets("hunter22");
        return [await failure(() => chain(world, { AWS_CONTAINER_CREDENTIALS_FULL_URI: url })())];
      },
    }),
  ),
  {
    name: "podIdentity: the token variable holds a line break",
    documented: ["[podIdentity] AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line break."],
    run: async (world) => {
      // Not trimmed away: the line break is inside the value.
      const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL, AWS_CONTAINER_AUTHORIZATION_TOKEN: "part\nother" };
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "podIdentity: the token file does not exist",
    documented: ["[podIdentity] The pod identity token file"],
    run: async (world) => {
      const folder = await world.folder("/var/run/secrets/pods.eks.amazonaws.com/serviceaccount");
      const env = {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: `${folder}/eks-pod-identity-token`,
      };
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "podIdentity: the agent rejects the token (another pod's, or expired)",
    documented: ["Service account token failed basic claim validations"],
    run: async (world) => {
      const { env } = await agent(world, {}, secretToken());
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "podIdentity: no token at all",
    documented: ["Service account token cannot be empty"],
    run: async (world) => {
      await agent(world);
      return [await failure(() => chain(world, { AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL })())];
    },
  },
  {
    name: "podIdentity: the token is not a JWT",
    documented: ["cannot be parsed"],
    run: async (world) => {
      const { env } = await agent(world, {}, "not-a-jwt");
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "podIdentity: EKS Auth refuses (403)",
    documented: ["answered HTTP 403"],
    run: async (world) => {
      const { fake, env } = await agent(world);
      fake.setMode("upstreamError", { status: 403, message: "AccessDeniedException: no pod identity association" });
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "podIdentity: EKS Auth fails (500), past the start-up window",
    documented: ["The credentials endpoint http://169.254.170.23/v1/credentials answered HTTP 500"],
    run: async (world) => {
      const { fake, env } = await agent(world);
      fake.setMode("upstreamError", { status: 500, message: "AccessDeniedException: no pod identity association" });
      world.exhaustRetries();
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "podIdentity: the agent rate-limits (429), past the start-up window",
    documented: ["The credentials endpoint http://169.254.170.23/v1/credentials answered HTTP 429: Rate exceeded"],
    run: async (world) => {
      const { fake, env } = await agent(world);
      fake.setMode("throttled");
      world.exhaustRetries();
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "podIdentity: nothing listens at the agent's address",
    documented: ["[podIdentity] The credentials endpoint gave no usable answer: connection to"],
    run: async (world) => {
      const { env } = await agent(world);
      const url = await world.refusingUrl(AGENT_BASE);
      return [
        await failure(() => chain(world, { ...env, AWS_CONTAINER_CREDENTIALS_FULL_URI: `${url}/v1/credentials` })()),
      ];
    },
  },
  {
    name: "podIdentity: the agent does not answer in time",
    documented: ["no complete answer from"],
    run: async (world) => {
      const { fake, env } = await agent(world);
      fake.injectFault({ kind: "hang" });
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "podIdentity: the connection breaks before the answer is complete",
    documented: ["failed before the answer was complete: ECONNRESET"],
    run: async (world) => {
      const { env } = await agent(world);
      // A loopback server that sends the headers and part of the body, then drops the connection.
      const server = await startTestServer((_request, response) => {
        response.writeHead(200, { "Content-Type": "application/json", "Content-Length": "400" });
        response.write('{"AccessKeyId":', () => response.socket?.destroy());
      });
      world.onClose(server.close);
      world.show(server.url, AGENT_BASE);
      const url = `${server.url}/v1/credentials`;
      return [await failure(() => chain(world, { ...env, AWS_CONTAINER_CREDENTIALS_FULL_URI: url })())];
    },
  },
  {
    name: "podIdentity: the answer is too large",
    documented: ["is larger than 65536 bytes"],
    run: agentAnswers(200, "x".repeat(70_000)),
  },
  {
    name: "podIdentity: the answer is an HTML page",
    documented: ["is not JSON: it looks like an HTML or XML page"],
    run: agentAnswers(200, "<html><body>Welcome to nginx!</body></html>"),
  },
  { name: "podIdentity: the answer is not JSON", documented: ["is not JSON."], run: agentAnswers(200, "ok") },
  { name: "podIdentity: the answer is empty", documented: ["is empty."], run: agentAnswers(200, "") },
  {
    name: "podIdentity: the answer is JSON but not an object",
    documented: ["is JSON but not an object"],
    run: agentAnswers(200, "[]"),
  },
  {
    name: "podIdentity: the answer is not a credentials document",
    documented: ["is not a credentials document:"],
    run: agentAnswers(200, JSON.stringify({ AccessKeyId: "", Token: 42, Expiration: "2026-11-28T03:37:48Z" })),
  },
  {
    name: "podIdentity: the answer's Expiration is not a date-time",
    documented: ["that is not an RFC 3339 date-time like"],
    run: agentAnswers(
      200,
      JSON.stringify({ AccessKeyId: "ASIAEXAMPLE", SecretAccessKey: "s", Token: "t", Expiration: "2026-11-28" }),
    ),
  },
  {
    name: "podIdentity: the answer carries an error Code",
    documented: ["instead of credentials."],
    run: agentAnswers(200, JSON.stringify({ Code: "AssumeRoleUnauthorizedAccess", Message: "denied" })),
  },
  {
    name: "podIdentity: the credentials arrive already expired",
    documented: ["The credentials arrived already expired"],
    run: async (world) => {
      const { env } = await agent(world, { expiration: new Date(START.getTime() - 55_000) });
      return [await failure(() => chain(world, env)())];
    },
  },

  // kube2iam (kube2iam and kiam)
  {
    name: "kube2iam: the declared role is not a role (a control character)",
    documented: ["is not a role name, path or ARN"],
    run: async (world) => [await failure(() => chain(world, { POD_CREDENTIALS_ROLE: "orders\u001b[31m" })())],
  },
  {
    name: "kube2iam: the real EC2 IMDS answers (no proxy), past the start-up window",
    documented: ["is the real EC2 instance metadata service (it rejected an invalid IMDSv2 token with 401)"],
    run: async (world) => {
      await imds();
      world.exhaustRetries();
      return [await failure(() => chain(world, { POD_CREDENTIALS_ROLE: ROLE })())];
    },
  },
  {
    name: "kube2iam: the proxy offers another role (its default role), past the start-up window",
    documented: ["this pod declares (POD_CREDENTIALS_ROLE): these are probably the node's credentials"],
    run: async (world) => {
      const { env } = await kube2iam({ mode: "defaultRole" });
      world.exhaustRetries();
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "kube2iam: kube2iam holds no role for the pod",
    documented: ["holds no role for this pod (kube2iam: unable to find role for IP"],
    run: async (world) => {
      const { env } = await kube2iam({ mode: "noRole" });
      world.exhaustRetries();
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "kube2iam: kube2iam lists an empty role",
    documented: ["(kube2iam: the role listing is empty)"],
    run: async (world) => {
      const { env } = await kube2iam({ mode: "emptyRole" });
      world.exhaustRetries();
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "kube2iam: kiam holds no role for the pod",
    documented: ["(kiam: empty role)"],
    run: async (world) => {
      const { env } = await kiam({ mode: "noRole" });
      world.exhaustRetries();
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "kube2iam: kube2iam does not know the pod yet, past the start-up window",
    documented: ["does not know this pod yet (start-up window 10000 ms): kube2iam: pod with specificed IP"],
    run: async (world) => {
      const { env } = await kube2iam({ mode: "podNotFound" });
      world.exhaustRetries();
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "kube2iam: kiam does not know the pod yet, past the start-up window",
    documented: ["rpc error: code = Unknown desc = no pod found"],
    run: async (world) => {
      const { env } = await kiam({ mode: "podNotFound" });
      world.exhaustRetries();
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "kube2iam: kube2iam refuses the role for the namespace",
    documented: ["not valid for namespace of pod at"],
    run: async (world) => {
      const { env } = await kube2iam({ mode: "namespaceRestricted" });
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "kube2iam: kube2iam cannot assume the role",
    documented: ["is not authorized to perform: sts:AssumeRole on resource"],
    run: async (world) => {
      const { env } = await kube2iam({ mode: "stsError" });
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "kube2iam: kiam's policy forbids the role",
    documented: ["error fetching credentials: forbidden by policy"],
    run: async (world) => {
      const { env } = await kiam({ mode: "forbidden" });
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "kube2iam: kiam's server cannot assume the role",
    documented: ["error fetching credentials: AccessDenied"],
    run: async (world) => {
      const { env } = await kiam({ mode: "error" });
      return [await failure(() => chain(world, env)())];
    },
  },
  {
    name: "kube2iam: nothing listens at the metadata endpoint",
    documented: ["[kube2iam] The metadata endpoint gave no usable answer: connection to"],
    run: async (world) => {
      const url = await world.refusingUrl(IMDS);
      return [
        await failure(() => chain(world, { POD_CREDENTIALS_ROLE: ROLE, AWS_EC2_METADATA_SERVICE_ENDPOINT: url })()),
      ];
    },
  },
  {
    name: "kube2iam: the proxy's answer is not a credentials document",
    documented: [
      "[kube2iam] The answer of http://169.254.169.254/latest/meta-data/iam/security-credentials/orders-reader is not JSON",
    ],
    run: async (world) => {
      const { proxy, env } = await kube2iam();
      proxy.injectFault({ kind: "malformed" }, { path: `${LISTING_PATH}${ROLE}` });
      return [await failure(() => chain(world, env)())];
    },
  },
  ...(
    [
      ["a value not quoted", "iam.amazonaws.com/role=orders-reader\n", "is not quoted (the kubelet writes key="],
      ["a line without =", 'iam.amazonaws.com/role="orders-reader"\nnot an annotation\n', 'it has no "="'],
      ["an empty key", '="orders-reader"\nb="c"\n', "the key is empty"],
      ["a key with a space", 'iam.amazonaws.com/ role="orders-reader"\nb="c"\n', "the key holds a space or a quote"],
      ["a value that is not a Go string", 'iam.amazonaws.com/role="orders\\q"\n', "is not a valid Go string"],
      ["a key twice", 'iam.amazonaws.com/role="a"\niam.amazonaws.com/role="b"\n', "appears twice"],
    ] as const
  ).map(
    ([what, content, documented]): Scenario => ({
      name: `kube2iam: the annotations file is malformed: ${what}`,
      documented: [documented],
      run: async (world) => [await failure(async () => chain(world, await annotations(world, content))())],
    }),
  ),
  {
    name: "kube2iam: the named annotations file does not exist",
    documented: ["[kube2iam] The annotations file"],
    run: async (world) => {
      const folder = await world.folder("/etc/podinfo");
      return [await failure(() => chain(world, { POD_CREDENTIALS_ANNOTATIONS_FILE: `${folder}/annotations` })())];
    },
  },

  // instanceProfile (the node's role)
  {
    name: "instanceProfile: the node has no instance profile",
    documented: ["lists no instance-profile role (HTTP 404)."],
    run: async (world) => {
      await imds({ noRole: true });
      return [await failure(() => fromNodeInstanceProfile({ env: {}, logger: world.logger })())];
    },
  },
  {
    name: "instanceProfile: hop limit 1 and IMDSv1 disabled",
    documented: ["IMDSv2 is out of reach: the IMDSv2 token request to"],
    run: async (world) => {
      await imds({ hopLimitExceeded: true });
      const env = { AWS_EC2_METADATA_V1_DISABLED: "true" };
      return [await failure(() => fromNodeInstanceProfile({ env, logger: world.logger })())];
    },
  },
  {
    name: "instanceProfile: hop limit 1 and the instance requires IMDSv2",
    documented: [
      "using IMDSv1 for the rest of this process",
      "and the instance requires IMDSv2: its IMDSv1 answer was HTTP 401.",
    ],
    run: async (world) => {
      await imds({ hopLimitExceeded: true, v1Allowed: false });
      const error = await failure(() => fromNodeInstanceProfile({ env: {}, logger: world.logger })());
      return [...world.lines("warn"), error];
    },
  },
  {
    name: "instanceProfile: the token request fails",
    documented: ["The IMDSv2 token request to http://169.254.169.254/latest/api/token failed with HTTP 500."],
    run: async (world) => {
      const node = await imds();
      node.injectFault({ kind: "status", status: 500, body: "internal error" }, { path: TOKEN_PATH });
      return [await failure(() => fromNodeInstanceProfile({ env: {}, logger: world.logger })())];
    },
  },
  {
    name: "instanceProfile: IMDS cannot give the role's credentials",
    documented: ["for the role's credentials"],
    run: async (world) => {
      const node = await imds();
      node.injectFault(
        { kind: "status", status: 503, body: "Service Unavailable" },
        { path: `${LISTING_PATH}eks-node-role` },
      );
      return [await failure(() => fromNodeInstanceProfile({ env: {}, logger: world.logger })())];
    },
  },
  {
    name: "instanceProfile: IMDS answers a Code other than Success",
    documented: ['answered with Code "AssumeRoleUnauthorizedAccess" instead of credentials.'],
    run: async (world) => {
      const node = await imds();
      const body = JSON.stringify({ Code: "AssumeRoleUnauthorizedAccess", Message: "EC2 cannot assume the role" });
      node.injectFault({ kind: "status", status: 200, body }, { path: `${LISTING_PATH}eks-node-role` });
      return [await failure(() => fromNodeInstanceProfile({ env: {}, logger: world.logger })())];
    },
  },
  {
    name: "instanceProfile: nothing listens at the metadata endpoint",
    documented: ["[instanceProfile] The instance metadata service gave no usable answer: connection to"],
    run: async (world) => {
      const url = await world.refusingUrl(IMDS);
      const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: url };
      return [await failure(() => fromNodeInstanceProfile({ env, logger: world.logger })())];
    },
  },

  // env, sharedConfig
  {
    name: "env: AWS_CREDENTIAL_EXPIRATION is not a date",
    documented: ["[env] AWS_CREDENTIAL_EXPIRATION is not a date."],
    run: async (world) => {
      const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
      registerSecrets(secret);
      const env = {
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: secret,
        AWS_CREDENTIAL_EXPIRATION: "tomorrow",
      };
      return [await failure(() => chain(world, env, { sources: ["env"] })())];
    },
  },
  {
    name: "sharedConfig: the profile does not exist",
    documented: ["[sharedConfig] Profile dev gave no credentials"],
    run: async (world) => {
      const credentials = await world.file(
        `${POD_PATHS.home}/.aws/credentials`,
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
      );
      const home = credentials.slice(0, -"/.aws/credentials".length);
      world.show(home, POD_PATHS.home);
      const env = { HOME: home, AWS_PROFILE: "dev" };
      return [await failure(() => chain(world, env, { sources: ["sharedConfig"] })())];
    },
  },

  // any source: the resolution deadline
  {
    name: "any source: the resolution deadline passes while STS keeps throttling",
    documented: ["resolution deadline. The last answer, retried until then:"],
    run: async (world) => {
      const { env } = await irsa(world, { mode: "Throttling" });
      return [await failure(() => chain(world, env, { resolutionTimeoutMs: 1000 })())];
    },
  },

  // InvalidConfigurationError
  {
    name: "configuration: an unknown source",
    documented: ["unknown source"],
    ...configurationError({ POD_CREDENTIALS_SOURCES: "webIdentity,imds" }),
  },
  {
    name: "configuration: a source named twice",
    documented: ["is named twice."],
    ...configurationError({ POD_CREDENTIALS_SOURCES: "webIdentity, webIdentity" }),
  },
  {
    name: "configuration: no source named",
    documented: ["no source is named."],
    ...configurationError({ POD_CREDENTIALS_SOURCES: " , " }),
  },
  {
    name: "configuration: sources option that is not a list",
    documented: ["no source is named."],
    ...configurationError({}, { sources: "webIdentity" as never }),
  },
  {
    name: "configuration: POD_CREDENTIALS_ALLOW_NODE=yes",
    documented: ["expected true or false."],
    ...configurationError({ POD_CREDENTIALS_ALLOW_NODE: "yes" }),
  },
  {
    name: "configuration: allowNodeCredentials option that is not a boolean",
    documented: ["expected true or false."],
    ...configurationError({}, { allowNodeCredentials: "true" as never }),
  },
  {
    name: "configuration: POD_CREDENTIALS_TIMEOUT_MS is not a number",
    documented: ["POD_CREDENTIALS_TIMEOUT_MS: expected a whole number of milliseconds from 1 to 60000."],
    ...configurationError({ POD_CREDENTIALS_TIMEOUT_MS: "1s" }),
  },
  {
    name: "configuration: POD_CREDENTIALS_STARTUP_TIMEOUT_MS out of range",
    documented: ["POD_CREDENTIALS_STARTUP_TIMEOUT_MS: expected a whole number of milliseconds from 0 to 900000."],
    ...configurationError({ POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "1000000" }),
  },
  {
    name: "configuration: POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS shorter than the request timeout",
    documented: ["POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: expected a whole number of milliseconds from 1000 to 905000."],
    ...configurationError({ POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: "500" }),
  },
  {
    name: "configuration: an option out of range",
    documented: ["expected a whole number of milliseconds from"],
    ...configurationError({}, { timeoutMs: 0 }),
  },
  {
    name: "configuration: POD_CREDENTIALS_LOG_LEVEL unknown",
    documented: ['POD_CREDENTIALS_LOG_LEVEL: unknown log level "verbose".'],
    ...configurationError({ POD_CREDENTIALS_LOG_LEVEL: "verbose" }, { logger: undefined }),
  },
  {
    name: "configuration: AWS_EC2_METADATA_SERVICE_ENDPOINT is not a URL",
    documented: ["AWS_EC2_METADATA_SERVICE_ENDPOINT: is not an http(s) URL."],
    ...configurationError({ AWS_EC2_METADATA_SERVICE_ENDPOINT: "169.254.169.254" }),
  },
  {
    name: "configuration: AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE unknown",
    documented: ['AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: unknown mode "IPv5".'],
    ...configurationError({ AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv5" }),
  },
  {
    name: "configuration: an option that is not a string",
    documented: ["expected a string."],
    ...configurationError({}, { roleArn: 42 as never }),
  },
  {
    name: "configuration: a string where only the boolean true opts in",
    documented: ["option allowNodeCredentials: expected true or false."],
    ...configurationError({}, { allowNodeCredentials: "false" as never }),
  },
  {
    name: "configuration: a logger without the four methods",
    documented: ["option logger: expected an object with debug, info, warn and error functions."],
    ...configurationError({}, { logger: { info: () => {} } as never }),
  },
  {
    name: "configuration: an onEvent that is not a function",
    documented: ["option onEvent: expected a function."],
    ...configurationError({}, { onEvent: "metrics" as never }),
  },
  {
    name: "configuration: an env that is not an object",
    documented: ["option env: expected an object of variable names to strings."],
    run: async (world) => [
      creationFailure(() => fromPodProviderChain({ env: "PATH=/bin" as never, logger: world.logger })),
    ],
  },
  {
    name: "configuration: refreshJitter out of range",
    documented: ["option refreshJitter: expected a number from 0.2 to 1."],
    ...configurationError({}, { refreshJitter: 0.1 }),
  },
  {
    name: "configuration: expiryMarginMs not less than refreshBeforeMs",
    documented: ["option expiryMarginMs: must be less than refreshBeforeMs"],
    ...configurationError({}, { refreshBeforeMs: 60_000, expiryMarginMs: 60_000 }),
  },
  {
    name: "configuration: maxFailureBackoffMs below failureBackoffMs",
    documented: ["expected a whole number of milliseconds from"],
    ...configurationError({}, { failureBackoffMs: 2000, maxFailureBackoffMs: 1000 }),
  },

  // Log lines: info
  {
    name: "log: resolved from webIdentity",
    documented: ["using webIdentity credentials for role"],
    run: async (world) => {
      const { env } = await irsa(world);
      await chain(world, env)();
      return world.lines("info", "warn");
    },
  },
  {
    name: "log: resolved from podIdentity, webIdentity skipped",
    documented: ["using podIdentity credentials in account"],
    run: async (world) => {
      const { env } = await agent(world);
      await chain(world, env)();
      return world.lines("info", "warn");
    },
  },
  {
    name: "log: resolved from kube2iam, declared by the annotation",
    documented: ["using kube2iam credentials for role orders-reader"],
    run: async (world) => {
      await kube2iam();
      await chain(world, await annotations(world, `iam.amazonaws.com/role="${ROLE}"\n`))();
      return world.lines("info", "warn");
    },
  },
  {
    name: "log: resolved from kiam, declared by POD_CREDENTIALS_ROLE",
    documented: ["using kube2iam credentials for role orders-reader"],
    run: async (world) => {
      const { env } = await kiam();
      await fromKube2iam({ env, logger: world.logger })();
      return world.lines("info", "warn");
    },
  },
  {
    name: "log: resolved from env",
    documented: ["using env credentials, with no expiration"],
    run: async (world) => {
      const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
      registerSecrets(secret);
      await chain(
        world,
        { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: secret },
        { sources: ["env"] },
      )();
      return world.lines("info", "warn");
    },
  },

  // Log lines: warn
  {
    name: "log: the node's instance profile, allowed",
    documented: [
      "using instanceProfile credentials for role eks-node-role",
      "using the node's instance-profile role eks-node-role",
    ],
    run: async (world) => {
      await imds();
      await chain(world, { POD_CREDENTIALS_ALLOW_NODE: "true" })();
      return world.lines("info", "warn");
    },
  },
  {
    name: "log: static keys in the environment are ignored",
    documented: ["AWS_ACCESS_KEY_ID is set but ignored: static keys are only used when"],
    run: async (world) => {
      chain(world, { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE" });
      return world.lines();
    },
  },
  {
    name: "log: an unknown POD_CREDENTIALS_ variable",
    documented: ["unknown variable POD_CREDENTIALS_ROLLE is ignored (a typo?)"],
    run: async (world) => {
      chain(world, { POD_CREDENTIALS_ROLLE: ROLE });
      return world.lines();
    },
  },
  {
    name: "log: hop limit 1, IMDSv1 fallback",
    documented: [
      "got no answer within 1000 ms (a metadata hop limit of 1 blocks IMDSv2 from pods); using IMDSv1 for the rest of this process",
      "using instanceProfile credentials for role eks-node-role",
      "using the node's instance-profile role eks-node-role",
    ],
    run: async (world) => {
      await imds({ hopLimitExceeded: true });
      await fromNodeInstanceProfile({ env: {}, logger: world.logger })();
      return world.lines("info", "warn");
    },
  },
  {
    name: "log: the token request refused (403), IMDSv1 fallback",
    documented: ["was answered with HTTP 403"],
    run: async (world) => {
      const node = await imds();
      node.injectFault({ kind: "status", status: 403 }, { path: TOKEN_PATH });
      await fromNodeInstanceProfile({ env: {}, logger: world.logger })();
      return world.lines("warn").slice(0, 1);
    },
  },
  {
    name: "log: a refresh fails while the cached credentials are good, then they expire",
    documented: [
      "; serving the cached credentials for another",
      "can no longer be served and no refresh has succeeded; calls now wait for a refresh",
      "The credentials endpoint http://169.254.170.23/v1/credentials answered HTTP 500",
    ],
    run: async (world) => {
      const { fake, env } = await agent(world, { lifetimeMs: 60 * MINUTE });
      const provider = chain(world, env);
      await provider();
      fake.setMode("upstreamError", { status: 500, message: "EKS Auth unavailable" });
      world.advanceTo(58 * MINUTE);
      await provider();
      await vi.waitFor(() => {
        if (world.lines("warn").length === 0) throw new Error("no warning yet");
      });
      world.advanceTo(59.5 * MINUTE);
      await failure(() => provider());
      return world.lines("warn", "error", "debug").filter((line) => !/skipped|trying|resolved from/.test(line));
    },
  },
  {
    name: "log: the onEvent handler throws",
    documented: ["the onEvent handler threw on a"],
    run: async (world) => {
      const { env } = await agent(world);
      const onEvent = (_event: CredentialEvent) => {
        throw new Error("handler bug");
      };
      await chain(world, env, { onEvent })();
      return world.lines("warn");
    },
  },

  // Log lines: error and debug
  {
    name: "log: a failure, then the same failure again",
    documented: ["[env] AWS_CREDENTIAL_EXPIRATION is not a date."],
    run: async (world) => {
      const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
      registerSecrets(secret);
      const env = {
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: secret,
        AWS_CREDENTIAL_EXPIRATION: "soon",
      };
      const provider = chain(world, env, { sources: ["env"] });
      await failure(() => provider());
      world.advance(2000);
      await failure(() => provider());
      return world.lines("error", "debug");
    },
  },
  {
    name: "log: debug lines of a resolution and a refresh",
    documented: [
      "pod-credentials: skipped webIdentity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_CREDENTIALS_RELATIVE_URI are not set",
      "pod-credentials: trying kube2iam, configured by POD_CREDENTIALS_ROLE",
      "pod-credentials: resolved from kube2iam",
      "refreshed from kube2iam",
      "pod-credentials: refreshed kube2iam credentials, now expiring",
    ],
    run: async (world) => {
      const { env } = await kube2iam();
      const provider = chain(world, env);
      await provider();
      world.advanceTo(28 * MINUTE);
      await provider();
      await vi.waitFor(() => {
        if (provider.describe()?.refreshCount !== 1) throw new Error("not refreshed yet");
      });
      return world.lines("debug");
    },
  },
  {
    name: "log: debug, the metadata proxy does not know the pod yet",
    documented: ["pod-credentials: the metadata proxy at http://169.254.169.254: not ready ("],
    run: async (world) => {
      const { proxy, env } = await kube2iam();
      proxy.setMode("podNotFound", { times: 1 });
      await chain(world, env)();
      return world.lines("debug").filter((line) => line.includes("not ready"));
    },
  },
  {
    name: "log: debug, the Pod Identity agent rate-limits",
    documented: ["pod-credentials: the Pod Identity agent at http://169.254.170.23/v1/credentials: not ready ("],
    run: async (world) => {
      const { fake, env } = await agent(world);
      fake.setMode("throttled", { times: 1 });
      await fromPodIdentityAgent({ env, logger: world.logger })();
      return world.lines("debug").filter((line) => line.includes("not ready"));
    },
  },
  {
    name: "log: debug, STS throttles",
    documented: [
      "pod-credentials: STS AssumeRoleWithWebIdentity for arn:aws:iam::123456789012:role/orders-reader: not ready (",
    ],
    run: async (world) => {
      const { sts, env } = await irsa(world);
      sts.setMode("Throttling", { times: 1 });
      await fromWebIdentity({ env, logger: world.logger, region: "us-east-1" })();
      return world.lines("debug").filter((line) => line.includes("not ready"));
    },
  },
];
