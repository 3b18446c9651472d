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
import type {
  FakeKiamOptions,
  FakeKube2iamOptions,
  FakePodIdentityAgentOptions,
  FakeStsOptions,
} from "../../src/testing/index.js";
import { fakeImds, fakeKiam, fakeKube2iam, fakePodIdentityAgent, fakeSts } from "../../src/testing/index.js";
import {
  nodeCredentialsDocument,
  ORDERS_ROLE_ARN,
  secretCredentials,
  secretToken,
  serveWithMsw,
} from "../support/fakes.js";
import { recordOutput, registerSecrets } from "../support/leakCheck.js";
import { startTestServer } from "../support/loopback.js";
import { SERVE_SCENARIOS } from "./serveScenarios.js";
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
const REPORTS = "arn:aws:iam::210987654321:role/reports-writer";
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

/** The static keys of the `env` source (the secret registered), with more variables. */
const staticKeys = (more: Env = {}): Env => {
  const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  registerSecrets(secret);
  return { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: secret, ...more };
};

// ---- the scenario builders: each scenario is a set-up (files and fakes, giving the pod's environment) and what is read

type Env = Record<string, string>;
/** Writes the pod's files, serves its fakes, and returns the pod's environment. */
type SetUp = (world: World) => Promise<Env>;

/** The chain's first call fails: with `env` as it is, or with the environment `setUp` returns. */
const chainFails =
  (setUp: Env | SetUp, options: Options = {}) =>
  async (world: World): Promise<string[]> => {
    const env = typeof setUp === "function" ? await setUp(world) : setUp;
    return [await failure(() => chain(world, env, options)())];
  };

/** As {@link chainFails}, with every "not yet" answer retried until the start-up window is past. */
const chainFailsPastStartup = (setUp: SetUp) =>
  chainFails(async (world) => {
    const env = await setUp(world);
    world.exhaustRetries();
    return env;
  });

/**
 * Scenarios named `<prefix>: <what>`, one a row, each documented by its row's fragment: the chain fails with the
 * environment `setUp` gives for the row's value.
 */
const chainFailsFor = (
  prefix: string,
  rows: readonly (readonly [what: string, value: string, documented: string])[],
  setUp: (world: World, value: string) => Promise<Env> | Env,
) =>
  rows.map(
    ([what, value, documented]): Scenario => ({
      name: `${prefix}: ${what}`,
      documented: [documented],
      run: chainFails(async (world) => setUp(world, value)),
    }),
  );

/** The node's instance-profile source fails, called with `env` once `setUp` has served (and broken) IMDS. */
const nodeFails =
  (setUp: () => Promise<unknown>, env: Env = {}) =>
  async (world: World): Promise<string[]> => {
    await setUp();
    return [await failure(() => fromNodeInstanceProfile({ env, logger: world.logger })())];
  };

/** The chain resolves with the environment `setUp` returns: its info and warn lines. */
const chainResolves =
  (setUp: SetUp, options: Options = {}) =>
  async (world: World): Promise<string[]> => {
    await chain(world, await setUp(world), options)();
    return world.lines("info", "warn");
  };

/** The lines of creating the chain with `env`, before any call. */
const creationLines = (env: Env) => async (world: World) => {
  chain(world, env);
  return world.lines();
};

/** Fails with the configuration in `env` (and `options`): the provider is created by the chain's entry point. */

/**
 * Scenarios named `configuration: <what>`, in which creating the chain (by its entry point) fails with the
 * configuration in `env` and `options`.
 */
const configurationErrors = (
  rows: readonly (readonly [what: string, documented: string, env: Env, options?: Options])[],
) =>
  rows.map(
    ([what, documented, env, options = {}]): Scenario => ({
      name: `configuration: ${what}`,
      documented: [documented],
      run: async (world) => [creationFailure(() => chain(world, env, options))],
    }),
  );

/** The debug lines that say a source is not ready yet. */
const notReadyLines = (world: World) => world.lines("debug").filter((line) => line.includes("not ready"));

/** The web-identity token file at the pod's path holds `content` (a folder when undefined), the role is `role`. */
const tokenFile =
  (content: string | Buffer | undefined, role = ORDERS_ROLE_ARN): SetUp =>
  async (world) => ({
    AWS_WEB_IDENTITY_TOKEN_FILE: await world.file(POD_PATHS.irsaToken, content),
    AWS_ROLE_ARN: role,
  });

/** A loopback "STS" answering every call with `status` and `body`, shown as the regional endpoint. */
const stsOnLoopback = async (world: World, status: number, body: string): Promise<string> => {
  const server = await startTestServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(status, { "content-type": "text/xml" });
      response.end(body);
    });
  });
  world.onClose(server.close);
  world.show(server.url, "https://sts.us-east-1.amazonaws.com");
  return server.url;
};

/** A well-formed AssumeRoleWithWebIdentity answer for another role than the one asked for. */
const otherRoleAnswer = (): string => {
  const issued = secretCredentials("OTHER");
  return (
    "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>" +
    `<AccessKeyId>${issued.accessKeyId}</AccessKeyId><SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>` +
    `<SessionToken>${issued.sessionToken}</SessionToken><Expiration>2026-11-27T22:37:48Z</Expiration></Credentials>` +
    "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/payments-admin/pod-credentials-orders</Arn>" +
    "<AssumedRoleId>AROAEXAMPLE:pod-credentials-orders</AssumedRoleId></AssumedRoleUser>" +
    "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
  );
};

/** IRSA with STS set by `options`, and `more` variables. */
const irsaWith =
  (options: FakeStsOptions, more: Env = {}): SetUp =>
  async (world) => ({ ...(await irsa(world, options)).env, ...more });

/** The Pod Identity agent, which `arrange` then sets a mode or fault on. */
const agentThat =
  (arrange: (fake: ReturnType<typeof fakePodIdentityAgent>) => void = () => {}): SetUp =>
  async (world) => {
    const { fake, env } = await agent(world);
    arrange(fake);
    return env;
  };

/** The Pod Identity agent's credentials path answers `status` with `body`. */
const agentAnswers = (status: number, body: string) =>
  chainFails(
    agentThat((fake) =>
      fake.injectFault({ kind: "status", status, body, headers: { "Content-Type": "application/json" } }),
    ),
  );

/** The chain reaches the agent at a loopback `url` (shown as the agent's address) instead. */
const agentAt =
  (url: (world: World) => Promise<string>): SetUp =>
  async (world) => ({
    ...(await agent(world)).env,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${await url(world)}/v1/credentials`,
  });

/** kube2iam, or kiam, in a mode: the pod's environment. */
const kube2iamIn = (options: FakeKube2iamOptions) => async () => (await kube2iam(options)).env;
const kiamIn = (options: FakeKiamOptions) => async () => (await kiam(options)).env;

/** IMDS, which `arrange` then breaks. */
const imdsThat = (arrange: (node: Awaited<ReturnType<typeof imds>>) => void) => async () => arrange(await imds());

// ---- the scenarios ----------------------------------------------------------------------------------------------

export const SCENARIOS: readonly Scenario[] = [
  // NoPodCredentialsError
  {
    name: "nothing configured",
    documented: ["No pod-scoped AWS credentials are configured for this pod"],
    run: chainFails({}),
  },
  {
    name: "nothing configured: the annotations file has no role annotation",
    documented: ["No pod-scoped AWS credentials are configured for this pod"],
    run: chainFails((world) => annotations(world, 'kubernetes.io/config.source="api"\n')),
  },
  {
    name: "nothing configured: node credentials allowed, but the instance metadata service is disabled",
    documented: [
      "No pod-scoped AWS credentials are configured for this pod",
      "AWS_EC2_METADATA_DISABLED disables the instance metadata service",
    ],
    run: chainFails({ POD_CREDENTIALS_ALLOW_NODE: "true", AWS_EC2_METADATA_DISABLED: "true" }),
  },
  {
    name: "nothing configured: only the development sources",
    documented: ["No pod-scoped AWS credentials are configured for this pod"],
    run: chainFails({ POD_CREDENTIALS_SOURCES: "env,sharedConfig", HOME: POD_PATHS.home }),
  },

  // webIdentity (IRSA)
  {
    name: "webIdentity: the token file without the role",
    documented: ["AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: IRSA needs both."],
    run: chainFails(async (world) => ({ AWS_WEB_IDENTITY_TOKEN_FILE: await world.file(POD_PATHS.irsaToken, "token") })),
  },
  {
    name: "webIdentity: the role without the token file",
    documented: ["AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not: IRSA needs both."],
    run: chainFails({ AWS_ROLE_ARN: ORDERS_ROLE_ARN }),
  },
  {
    name: "webIdentity: the role is not an ARN",
    documented: ['[webIdentity] AWS_ROLE_ARN is not a role ARN ("orders-reader").'],
    run: chainFails(tokenFile("token", ROLE)),
  },
  {
    name: "webIdentity: the token file does not exist",
    documented: [
      "[webIdentity] The web-identity token file /var/run/secrets/eks.amazonaws.com/serviceaccount/token does not exist.",
    ],
    run: chainFails(async (world) => {
      const folder = await world.folder("/var/run/secrets/eks.amazonaws.com/serviceaccount");
      return { AWS_WEB_IDENTITY_TOKEN_FILE: `${folder}/token`, AWS_ROLE_ARN: ORDERS_ROLE_ARN };
    }),
  },
  {
    name: "webIdentity: the token file is a directory",
    documented: ["is a directory, not a file."],
    run: chainFails(tokenFile(undefined)),
  },
  {
    name: "webIdentity: the token file is empty",
    documented: ["is empty or holds only whitespace."],
    run: chainFails(tokenFile("  \n")),
  },
  {
    name: "webIdentity: the token file holds two lines",
    documented: ["holds more than one line; a token is a single line."],
    run: chainFails(tokenFile("first-line\nsecond-line\n")),
  },
  {
    name: "webIdentity: the token file is too large",
    documented: ["is larger than 16384 bytes, more than such a file ever holds; it was not read."],
    run: chainFails(tokenFile("x".repeat(16_385))),
  },
  {
    name: "webIdentity: the token file is not a regular file",
    documented: ["is not a regular file (a pipe, socket or device)."],
    run: chainFails({ AWS_WEB_IDENTITY_TOKEN_FILE: "/dev/null", AWS_ROLE_ARN: ORDERS_ROLE_ARN }),
  },
  {
    name: "webIdentity: the token file cannot be read (another I/O error)",
    documented: ["Could not read the web-identity token file"],
    run: chainFails(async (world) => {
      // A path through a regular file: ENOTDIR. Shown as the file a pod might mistake for a folder.
      const file = await world.file("/var/run/secrets/eks.amazonaws.com/serviceaccount", "not a folder");
      return { AWS_WEB_IDENTITY_TOKEN_FILE: `${file}/token`, AWS_ROLE_ARN: ORDERS_ROLE_ARN };
    }),
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
      // Throttling, IDPCommunicationError and InternalFailure are retried until the deadline: the clock jumps there.
      run: chainFailsPastStartup(irsaWith({ mode: code })),
    }),
  ),
  {
    name: "webIdentity: STS answers ValidationError (a session name STS refuses)",
    documented: ["failed with ValidationError (HTTP 400)"],
    run: chainFails(irsaWith({}, { AWS_ROLE_SESSION_NAME: "orders reader" })),
  },
  {
    name: "webIdentity: STS cannot be reached",
    documented: ["Could not call STS AssumeRoleWithWebIdentity for"],
    run: chainFails(async (world) => ({
      ...(await irsa(world)).env,
      AWS_ENDPOINT_URL_STS: await world.refusingUrl("https://sts.us-east-1.amazonaws.com"),
    })),
  },

  {
    name: "webIdentity: STS names another role than AWS_ROLE_ARN",
    documented: ["answered with credentials for"],
    run: chainFails(async (world) => ({
      ...(await tokenFile("token.a.b")(world)),
      AWS_ENDPOINT_URL_STS: await stsOnLoopback(world, 200, otherRoleAnswer()),
    })),
  },
  {
    name: "webIdentity: something else answers for STS (a proxy's page)",
    documented: ["without an STS error document"],
    run: chainFails(async (world) => ({
      ...(await tokenFile("token.a.b")(world)),
      AWS_ENDPOINT_URL_STS: await stsOnLoopback(world, 403, "Forbidden by proxy policy"),
    })),
  },
  {
    name: "webIdentity: FIPS with a custom STS endpoint",
    documented: ["Invalid Configuration: FIPS and custom endpoint are not supported"],
    run: chainFails(async (world) => ({
      ...(await tokenFile("token.a.b")(world)),
      AWS_ENDPOINT_URL_STS: "https://sts.internal.example.com",
      AWS_USE_FIPS_ENDPOINT: "true",
    })),
  },

  // podIdentity (EKS Pod Identity)
  {
    name: "podIdentity: the agent URL is not a URL",
    documented: ["[podIdentity] AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL."],
    run: chainFails({ AWS_CONTAINER_CREDENTIALS_FULL_URI: "169.254.170.23/v1/credentials" }),
  },
  ...chainFailsFor(
    "podIdentity: the agent URL is refused",
    [
      ["plain http to another host", "http://10.0.0.5/v1/credentials", "plain http is only allowed to"],
      [
        "a user name and password",
        "http://agent:hunter22@169.254.170.23/v1/credentials",
        "it contains a user name or password",
      ],
      ["another scheme", "ftp://169.254.170.23/v1/credentials", "is neither http nor https"],
    ],
    (_, url) => {
      registerSecrets("hunter22");
      return { AWS_CONTAINER_CREDENTIALS_FULL_URI: url };
    },
  ),
  {
    name: "podIdentity: the token variable holds a line break",
    documented: ["[podIdentity] AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line break."],
    // Not trimmed away: the line break is inside the value.
    run: chainFails({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "part\nother",
    }),
  },
  {
    name: "podIdentity: the token file does not exist",
    documented: ["[podIdentity] The pod identity token file"],
    run: chainFails(async (world) => {
      const folder = await world.folder("/var/run/secrets/pods.eks.amazonaws.com/serviceaccount");
      return {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: `${folder}/eks-pod-identity-token`,
      };
    }),
  },
  {
    name: "podIdentity: the agent rejects the token (another pod's, or expired)",
    documented: ["Service account token failed basic claim validations"],
    run: chainFails(async (world) => (await agent(world, {}, secretToken())).env),
  },
  {
    name: "podIdentity: no token at all",
    documented: ["Service account token cannot be empty"],
    run: chainFails(async (world) => {
      await agent(world);
      return { AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL };
    }),
  },
  {
    name: "podIdentity: the token is not a JWT",
    documented: ["cannot be parsed"],
    run: chainFails(async (world) => (await agent(world, {}, "not-a-jwt")).env),
  },
  {
    name: "podIdentity: EKS Auth refuses (403)",
    documented: ["answered HTTP 403"],
    run: chainFails(
      agentThat((fake) =>
        fake.setMode("upstreamError", { status: 403, message: "AccessDeniedException: no pod identity association" }),
      ),
    ),
  },
  {
    name: "podIdentity: EKS Auth fails (500), past the start-up window",
    documented: ["The credentials endpoint http://169.254.170.23/v1/credentials answered HTTP 500"],
    run: chainFailsPastStartup(
      agentThat((fake) =>
        fake.setMode("upstreamError", { status: 500, message: "AccessDeniedException: no pod identity association" }),
      ),
    ),
  },
  {
    name: "podIdentity: the agent rate-limits (429), past the start-up window",
    documented: ["The credentials endpoint http://169.254.170.23/v1/credentials answered HTTP 429: Rate exceeded"],
    run: chainFailsPastStartup(agentThat((fake) => fake.setMode("throttled"))),
  },
  {
    name: "podIdentity: nothing listens at the agent's address",
    documented: ["[podIdentity] The credentials endpoint gave no usable answer: connection to"],
    run: chainFails(agentAt((world) => world.refusingUrl(AGENT_BASE))),
  },
  {
    name: "podIdentity: the agent does not answer in time",
    documented: ["no complete answer from"],
    run: chainFails(agentThat((fake) => fake.injectFault({ kind: "hang" }))),
  },
  {
    name: "podIdentity: the connection breaks before the answer is complete",
    documented: ["failed before the answer was complete: ECONNRESET"],
    run: chainFails(
      agentAt(async (world) => {
        // A loopback server that sends the headers and part of the body, then drops the connection.
        const server = await startTestServer((_request, response) => {
          response.writeHead(200, { "Content-Type": "application/json", "Content-Length": "400" });
          response.write('{"AccessKeyId":', () => response.socket?.destroy());
        });
        world.onClose(server.close);
        world.show(server.url, AGENT_BASE);
        return server.url;
      }),
    ),
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
    run: chainFails(async (world) => (await agent(world, { expiration: new Date(START.getTime() - 55_000) })).env),
  },

  // kube2iam (kube2iam and kiam)
  {
    name: "kube2iam: the declared role is not a role (a control character)",
    documented: ["is not a role name, path or ARN"],
    run: chainFails({ POD_CREDENTIALS_ROLE: "orders\u001b[31m" }),
  },
  {
    name: "kube2iam: the real EC2 IMDS answers (no proxy), past the start-up window",
    documented: ["is the real EC2 instance metadata service (it rejected an invalid IMDSv2 token with 401)"],
    run: chainFailsPastStartup(async () => {
      await imds();
      return { POD_CREDENTIALS_ROLE: ROLE };
    }),
  },
  {
    name: "kube2iam: the proxy offers another role (its default role), past the start-up window",
    documented: ["this pod declares (POD_CREDENTIALS_ROLE): these are probably the node's credentials"],
    run: chainFailsPastStartup(kube2iamIn({ mode: "defaultRole" })),
  },
  {
    name: "kube2iam: kube2iam holds no role for the pod",
    documented: ["holds no role for this pod (kube2iam: unable to find role for IP"],
    run: chainFailsPastStartup(kube2iamIn({ mode: "noRole" })),
  },
  {
    name: "kube2iam: kube2iam lists an empty role",
    documented: ["(kube2iam: the role listing is empty)"],
    run: chainFailsPastStartup(kube2iamIn({ mode: "emptyRole" })),
  },
  {
    name: "kube2iam: kiam holds no role for the pod",
    documented: ["(kiam: empty role)"],
    run: chainFailsPastStartup(kiamIn({ mode: "noRole" })),
  },
  {
    name: "kube2iam: kube2iam does not know the pod yet, past the start-up window",
    documented: ["does not know this pod yet (start-up window 10000 ms): kube2iam: pod with specificed IP"],
    run: chainFailsPastStartup(kube2iamIn({ mode: "podNotFound" })),
  },
  {
    name: "kube2iam: kiam does not know the pod yet, past the start-up window",
    documented: ["rpc error: code = Unknown desc = no pod found"],
    run: chainFailsPastStartup(kiamIn({ mode: "podNotFound" })),
  },
  {
    name: "kube2iam: kube2iam refuses the role for the namespace",
    documented: ["not valid for namespace of pod at"],
    run: chainFails(kube2iamIn({ mode: "namespaceRestricted" })),
  },
  {
    name: "kube2iam: kube2iam cannot assume the role",
    documented: ["is not authorized to perform: sts:AssumeRole on resource"],
    run: chainFails(kube2iamIn({ mode: "stsError" })),
  },
  {
    name: "kube2iam: kiam's policy forbids the role",
    documented: ["error fetching credentials: forbidden by policy"],
    run: chainFails(kiamIn({ mode: "forbidden" })),
  },
  {
    name: "kube2iam: kiam's server cannot assume the role",
    documented: ["error fetching credentials: AccessDenied"],
    run: chainFails(kiamIn({ mode: "error" })),
  },
  {
    name: "kube2iam: nothing listens at the metadata endpoint",
    documented: ["[kube2iam] The metadata endpoint gave no usable answer: connection to"],
    run: chainFails(async (world) => ({
      POD_CREDENTIALS_ROLE: ROLE,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: await world.refusingUrl(IMDS),
    })),
  },
  {
    name: "kube2iam: the proxy's answer is not a credentials document",
    documented: [
      "[kube2iam] The answer of http://169.254.169.254/latest/meta-data/iam/security-credentials/orders-reader is not JSON",
    ],
    run: chainFails(async () => {
      const { proxy, env } = await kube2iam();
      proxy.injectFault({ kind: "malformed" }, { path: `${LISTING_PATH}${ROLE}` });
      return env;
    }),
  },
  ...chainFailsFor(
    "kube2iam: the annotations file is malformed",
    [
      ["a value not quoted", "iam.amazonaws.com/role=orders-reader\n", "is not quoted (the kubelet writes key="],
      ["a line without =", 'iam.amazonaws.com/role="orders-reader"\nnot an annotation\n', 'it has no "="'],
      ["an empty key", '="orders-reader"\nb="c"\n', "the key is empty"],
      ["a key with a space", 'iam.amazonaws.com/ role="orders-reader"\nb="c"\n', "the key holds a space or a quote"],
      ["a value that is not a Go string", 'iam.amazonaws.com/role="orders\\q"\n', "is not a valid Go string"],
      ["a key twice", 'iam.amazonaws.com/role="a"\niam.amazonaws.com/role="b"\n', "appears twice"],
    ],
    annotations,
  ),
  {
    name: "kube2iam: the named annotations file does not exist",
    documented: ["[kube2iam] The annotations file"],
    run: chainFails(async (world) => ({
      POD_CREDENTIALS_ANNOTATIONS_FILE: `${await world.folder("/etc/podinfo")}/annotations`,
    })),
  },

  // instanceProfile (the node's role)
  {
    name: "instanceProfile: the node has no instance profile",
    documented: ["lists no instance-profile role (HTTP 404)."],
    run: nodeFails(() => imds({ noRole: true })),
  },
  {
    name: "instanceProfile: hop limit 1 and IMDSv1 disabled",
    documented: ["IMDSv2 is out of reach: the IMDSv2 token request to"],
    run: nodeFails(() => imds({ hopLimitExceeded: true }), { AWS_EC2_METADATA_V1_DISABLED: "true" }),
  },
  {
    name: "instanceProfile: hop limit 1 and the instance requires IMDSv2",
    documented: [
      "using IMDSv1 for the rest of this process",
      "and the instance requires IMDSv2: its IMDSv1 answer was HTTP 401.",
    ],
    run: async (world) => {
      const errors = await nodeFails(() => imds({ hopLimitExceeded: true, v1Allowed: false }))(world);
      return [...world.lines("warn"), ...errors];
    },
  },
  {
    name: "instanceProfile: the token request fails",
    documented: ["The IMDSv2 token request to http://169.254.169.254/latest/api/token failed with HTTP 500."],
    run: nodeFails(
      imdsThat((node) =>
        node.injectFault({ kind: "status", status: 500, body: "internal error" }, { path: TOKEN_PATH }),
      ),
    ),
  },
  {
    name: "instanceProfile: IMDS cannot give the role's credentials",
    documented: ["for the role's credentials"],
    run: nodeFails(
      imdsThat((node) =>
        node.injectFault(
          { kind: "status", status: 503, body: "Service Unavailable" },
          { path: `${LISTING_PATH}eks-node-role` },
        ),
      ),
    ),
  },
  {
    name: "instanceProfile: IMDS answers a Code other than Success",
    documented: ['answered with Code "AssumeRoleUnauthorizedAccess" instead of credentials.'],
    run: nodeFails(
      imdsThat((node) => {
        const body = JSON.stringify({ Code: "AssumeRoleUnauthorizedAccess", Message: "EC2 cannot assume the role" });
        node.injectFault({ kind: "status", status: 200, body }, { path: `${LISTING_PATH}eks-node-role` });
      }),
    ),
  },
  {
    name: "instanceProfile: nothing listens at the metadata endpoint",
    documented: ["[instanceProfile] The instance metadata service gave no usable answer: connection to"],
    run: async (world) => {
      const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: await world.refusingUrl(IMDS) };
      return [await failure(() => fromNodeInstanceProfile({ env, logger: world.logger })())];
    },
  },

  // env, sharedConfig
  {
    name: "env: AWS_CREDENTIAL_EXPIRATION is not a date",
    documented: ["[env] AWS_CREDENTIAL_EXPIRATION is not a date."],
    run: chainFails(async () => staticKeys({ AWS_CREDENTIAL_EXPIRATION: "tomorrow" }), { sources: ["env"] }),
  },
  {
    name: "sharedConfig: the profile does not exist",
    documented: ["[sharedConfig] Profile dev gave no credentials"],
    run: chainFails(
      async (world) => {
        const credentials = await world.file(
          `${POD_PATHS.home}/.aws/credentials`,
          "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
        );
        const home = credentials.slice(0, -"/.aws/credentials".length);
        world.show(home, POD_PATHS.home);
        return { HOME: home, AWS_PROFILE: "dev" };
      },
      { sources: ["sharedConfig"] },
    ),
  },

  // any source: the resolution deadline
  {
    name: "any source: the resolution deadline passes while STS keeps throttling",
    documented: ["resolution deadline. The last answer, retried until then:"],
    run: chainFails(irsaWith({ mode: "Throttling" }), { resolutionTimeoutMs: 1000 }),
  },

  // InvalidConfigurationError
  ...configurationErrors([
    ["an unknown source", "unknown source", { POD_CREDENTIALS_SOURCES: "webIdentity,imds" }],
    ["a source named twice", "is named twice.", { POD_CREDENTIALS_SOURCES: "webIdentity, webIdentity" }],
    ["no source named", "no source is named.", { POD_CREDENTIALS_SOURCES: " , " }],
    ["sources option that is not a list", "no source is named.", {}, { sources: "webIdentity" as never }],
    ["POD_CREDENTIALS_ALLOW_NODE=yes", "expected true or false.", { POD_CREDENTIALS_ALLOW_NODE: "yes" }],
    [
      "allowNodeCredentials option that is not a boolean",
      "expected true or false.",
      {},
      { allowNodeCredentials: "true" as never },
    ],
    [
      "POD_CREDENTIALS_DURATION_SECONDS out of range",
      "POD_CREDENTIALS_DURATION_SECONDS: expected a whole number of seconds from 900 to 43200.",
      { POD_CREDENTIALS_DURATION_SECONDS: "600" },
    ],
    [
      "POD_CREDENTIALS_TIMEOUT_MS is not a number",
      "POD_CREDENTIALS_TIMEOUT_MS: expected a whole number of milliseconds from 1 to 60000.",
      { POD_CREDENTIALS_TIMEOUT_MS: "1s" },
    ],
    [
      "POD_CREDENTIALS_STARTUP_TIMEOUT_MS out of range",
      "POD_CREDENTIALS_STARTUP_TIMEOUT_MS: expected a whole number of milliseconds from 0 to 900000.",
      { POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "1000000" },
    ],
    [
      "POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS shorter than the request timeout",
      "POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: expected a whole number of milliseconds from 1000 to 905000.",
      { POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: "500" },
    ],
    ["an option out of range", "expected a whole number of milliseconds from", {}, { timeoutMs: 0 }],
    [
      "POD_CREDENTIALS_LOG_LEVEL unknown",
      'POD_CREDENTIALS_LOG_LEVEL: unknown log level "verbose".',
      { POD_CREDENTIALS_LOG_LEVEL: "verbose" },
      { logger: undefined },
    ],
    [
      "AWS_EC2_METADATA_SERVICE_ENDPOINT is not a URL",
      "AWS_EC2_METADATA_SERVICE_ENDPOINT: is not an http(s) URL.",
      { AWS_EC2_METADATA_SERVICE_ENDPOINT: "169.254.169.254" },
    ],
    [
      "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE unknown",
      'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: unknown mode "IPv5".',
      { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv5" },
    ],
    ["an option that is not a string", "expected a string.", {}, { roleArn: 42 as never }],
    [
      "a string where only the boolean true opts in",
      "option allowNodeCredentials: expected true or false.",
      {},
      { allowNodeCredentials: "false" as never },
    ],
    [
      "a logger without the four methods",
      "option logger: expected an object with debug, info, warn and error functions.",
      {},
      { logger: { info: () => {} } as never },
    ],
    ["an onEvent that is not a function", "option onEvent: expected a function.", {}, { onEvent: "metrics" as never }],
  ]),
  {
    name: "configuration: an env that is not an object",
    documented: ["option env: expected an object of variable names to strings."],
    run: async (world) => [
      creationFailure(() => fromPodProviderChain({ env: "PATH=/bin" as never, logger: world.logger })),
    ],
  },
  ...configurationErrors([
    [
      "refreshJitter out of range",
      "option refreshJitter: expected a number from 0.2 to 1.",
      {},
      { refreshJitter: 0.1 },
    ],
    [
      "expiryMarginMs not less than refreshBeforeMs",
      "option expiryMarginMs: must be less than refreshBeforeMs",
      {},
      { refreshBeforeMs: 60_000, expiryMarginMs: 60_000 },
    ],
    [
      "maxFailureBackoffMs below failureBackoffMs",
      "expected a whole number of milliseconds from",
      {},
      { failureBackoffMs: 2000, maxFailureBackoffMs: 1000 },
    ],
  ]),

  // Log lines: info
  {
    name: "log: resolved from webIdentity",
    documented: ["using webIdentity credentials for role"],
    run: chainResolves(irsaWith({})),
  },
  {
    name: "log: resolved from podIdentity, webIdentity skipped",
    documented: ["using podIdentity credentials in account"],
    run: chainResolves(agentThat()),
  },
  {
    name: "log: resolved from kube2iam, declared by the annotation",
    documented: ["using kube2iam credentials for role orders-reader"],
    run: chainResolves(async (world) => {
      await kube2iam();
      return annotations(world, `iam.amazonaws.com/role="${ROLE}"\n`);
    }),
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
    run: chainResolves(async () => staticKeys(), { sources: ["env"] }),
  },

  // Log lines: warn
  {
    name: "log: the node's instance profile, allowed",
    documented: [
      "using instanceProfile credentials for role eks-node-role",
      "using the node's instance-profile role eks-node-role",
    ],
    run: chainResolves(async () => {
      await imds();
      return { POD_CREDENTIALS_ALLOW_NODE: "true" };
    }),
  },
  {
    name: "log: static keys in the environment are ignored",
    documented: ["AWS_ACCESS_KEY_ID is set but ignored: static keys are only used when"],
    run: creationLines({ AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE" }),
  },
  {
    name: "log: an unknown POD_CREDENTIALS_ variable",
    documented: ["unknown variable POD_CREDENTIALS_ROLLE is ignored (a typo?)"],
    run: creationLines({ POD_CREDENTIALS_ROLLE: ROLE }),
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
      const provider = chain(world, staticKeys({ AWS_CREDENTIAL_EXPIRATION: "soon" }), { sources: ["env"] });
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
      return notReadyLines(world);
    },
  },
  {
    name: "log: debug, the Pod Identity agent rate-limits",
    documented: ["pod-credentials: the Pod Identity agent at http://169.254.170.23/v1/credentials: not ready ("],
    run: async (world) => {
      const { fake, env } = await agent(world);
      fake.setMode("throttled", { times: 1 });
      await fromPodIdentityAgent({ env, logger: world.logger })();
      return notReadyLines(world);
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
      return notReadyLines(world);
    },
  },

  // Identity verification (verifyIdentity) and role chaining (assumeRole)
  {
    name: "verification: log, verified",
    documented: ["using podIdentity credentials for role orders-reader in account 123456789012 (verified)"],
    run: chainResolves(async (world) => {
      await serveWithMsw(STS, fakeSts());
      return { ...(await agent(world)).env, POD_CREDENTIALS_VERIFY_IDENTITY: "true" };
    }),
  },
  {
    name: "verification: the credentials are another role's",
    documented: ["STS GetCallerIdentity says these credentials belong to"],
    run: chainFails(async () => {
      await serveWithMsw(STS, fakeSts());
      await kube2iam({ baseRoleArn: "arn:aws:iam::999999999999:role/" });
      return { POD_CREDENTIALS_ROLE: ORDERS_ROLE_ARN, POD_CREDENTIALS_VERIFY_IDENTITY: "true" };
    }),
  },
  {
    name: "verification: the node's role, from an endpoint posing as the Pod Identity agent",
    documented: ["the node's own role, not this pod's; they were not used."],
    run: chainFails(async () => {
      await serveWithMsw(STS, fakeSts());
      const document = nodeCredentialsDocument(new Date(START.getTime() + 60 * MINUTE));
      await serveWithMsw(AGENT_BASE, { handler: async () => new Response(document, { status: 200 }) });
      return { AWS_CONTAINER_CREDENTIALS_FULL_URI: AGENT_URL, POD_CREDENTIALS_VERIFY_IDENTITY: "true" };
    }),
  },
  {
    name: "verification: STS cannot be reached",
    documented: ["Verifying the credentials failed: Could not call STS GetCallerIdentity at"],
    run: chainFails(async (world) => ({
      ...(await agent(world)).env,
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
      AWS_ENDPOINT_URL_STS: await world.refusingUrl("https://sts.us-east-1.amazonaws.com"),
    })),
  },
  {
    name: "verification: no region for STS",
    documented: [
      "no region for STS (no region option, none from the calling client, AWS_REGION not set",
      "using podIdentity credentials for role orders-reader in account 123456789012 (verified)",
    ],
    run: chainResolves(
      async (world) => {
        await serveWithMsw(STS, fakeSts());
        return { ...(await agent(world)).env, POD_CREDENTIALS_VERIFY_IDENTITY: "true" };
      },
      { region: undefined },
    ),
  },
  {
    name: "role chaining: log, both hops",
    documented: ["using the role arn:aws:iam::210987654321:role/reports-writer in account 210987654321, assumed with"],
    run: chainResolves(irsaWith({}, { AWS_ROLE_SESSION_NAME: "orders-api", POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS })),
  },
  {
    name: "role chaining: hop 1 fails",
    documented: ["hop 1: "],
    run: chainFails(
      irsaWith(
        { mode: "AccessDenied" },
        { AWS_ROLE_SESSION_NAME: "orders-api", POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS },
      ),
    ),
  },
  {
    name: "role chaining: hop 2 denied by the target role's trust policy",
    documented: [
      "hop 2 (AssumeRole arn:aws:iam::210987654321:role/reports-writer): STS AssumeRole failed with AccessDenied",
    ],
    run: chainFails(
      irsaWith({ trust: {} }, { AWS_ROLE_SESSION_NAME: "orders-api", POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS }),
    ),
  },
  {
    name: "role chaining: hop 2 finds hop 1's credentials expired",
    documented: ["STS AssumeRole failed with ExpiredToken (HTTP 403)"],
    run: chainFails(async (world) => {
      // STS's clock is 20 minutes ahead of this node's: the agent's credentials, good here for 10 minutes, are not there.
      await serveWithMsw(STS, fakeSts({ now: () => new Date(Date.now() + 20 * MINUTE) }));
      const { env } = await agent(world, { expiration: new Date(START.getTime() + 10 * MINUTE) });
      return { ...env, POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS };
    }),
  },
  {
    name: "role chaining: STS answers with another role's session",
    documented: ["STS answered with credentials for"],
    run: chainFails(async (world) => {
      const { env } = await agent(world);
      const other = secretCredentials("OTHER");
      const answer =
        "<AssumeRoleResponse><AssumeRoleResult><Credentials>" +
        `<AccessKeyId>${other.accessKeyId}</AccessKeyId><SecretAccessKey>${other.secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${other.sessionToken}</SessionToken><Expiration>2026-11-27T23:00:00Z</Expiration></Credentials>` +
        "<AssumedRoleUser><Arn>arn:aws:sts::210987654321:assumed-role/payments-admin/s</Arn>" +
        "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>";
      await serveWithMsw(STS, { handler: async () => new Response(answer, { status: 200 }) });
      return { ...env, POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS };
    }),
  },
  ...configurationErrors([
    ["POD_CREDENTIALS_VERIFY_IDENTITY=yes", "expected true or false.", { POD_CREDENTIALS_VERIFY_IDENTITY: "yes" }],
    [
      "POD_CREDENTIALS_EXPECTED_ROLE is not a role",
      "is not a role name, path or ARN",
      { POD_CREDENTIALS_VERIFY_IDENTITY: "true", POD_CREDENTIALS_EXPECTED_ROLE: "orders reader" },
    ],
    [
      "POD_CREDENTIALS_ASSUME_ROLE_ARN is not a role ARN",
      "POD_CREDENTIALS_ASSUME_ROLE_ARN: is not a role ARN",
      { POD_CREDENTIALS_ASSUME_ROLE_ARN: "reports-writer" },
    ],
    [
      "a chained session longer than an hour",
      "STS limits a role assumed with role-session credentials (role chaining",
      { POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS, POD_CREDENTIALS_ASSUME_ROLE_DURATION_SECONDS: "7200" },
    ],
    [
      "a chained session shorter than 15 minutes",
      "expected a whole number of seconds from 900 to 3600.",
      {},
      { assumeRole: { roleArn: REPORTS, durationSeconds: 60 } },
    ],
    [
      "a chaining variable without the role",
      "is set, but no role to assume is.",
      { POD_CREDENTIALS_ASSUME_ROLE_SESSION_NAME: "orders-api" },
    ],
    ["assumeRole is not an object", "option assumeRole: expected an object", {}, { assumeRole: REPORTS as never }],
    [
      "an unknown field of assumeRole",
      "is not a field of assumeRole.",
      {},
      { assumeRole: { roleArn: REPORTS, roleARN: REPORTS } as never },
    ],
    [
      "a chained session name STS refuses",
      "expected 2 to 64 of letters, digits and +=,.@_- (STS's rule).",
      { POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS, POD_CREDENTIALS_ASSUME_ROLE_SESSION_NAME: "orders api" },
    ],
    [
      "an external ID STS refuses",
      "expected 2 to 1224 of letters, digits and +=,.@:/_- (STS's rule).",
      { POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS, POD_CREDENTIALS_ASSUME_ROLE_EXTERNAL_ID: "x" },
    ],
    [
      "a session policy that is not JSON",
      "is not a JSON policy document.",
      {},
      { assumeRole: { roleArn: REPORTS, policy: "s3:GetObject" } },
    ],
    [
      "a session policy longer than STS takes",
      "characters; STS takes at most 2048.",
      {},
      { assumeRole: { roleArn: REPORTS, policy: JSON.stringify({ Version: "2012-10-17", Sid: "x".repeat(2100) }) } },
    ],
    [
      "session tags that are not an object",
      "expected an object of tag keys to values.",
      {},
      { assumeRole: { roleArn: REPORTS, tags: ["team"] as never } },
    ],
    [
      "more session tags than STS takes",
      "tags; STS takes at most 50.",
      {},
      {
        assumeRole: {
          roleArn: REPORTS,
          tags: Object.fromEntries(Array.from({ length: 51 }, (_, n) => [`k${n}`, "v"])),
        },
      },
    ],
    [
      "a session tag STS refuses",
      "expected a key of 1 to 128 characters and a string value of at most 256.",
      {},
      { assumeRole: { roleArn: REPORTS, tags: { team: "x".repeat(257) } } },
    ],
    [
      "transitive tag keys that are not tags",
      "expected a list of keys of assumeRole.tags.",
      {},
      { assumeRole: { roleArn: REPORTS, tags: { team: "orders" }, transitiveTagKeys: ["env"] } },
    ],
  ]),
  ...SERVE_SCENARIOS,
];
