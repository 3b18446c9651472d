import type { SkippedSource } from "./options.js";
import type { SourceName } from "./settings.js";

/** Options shared by every {@link PodCredentialsError}. */
export interface PodCredentialsErrorOptions {
  /** The source the error is about, when there is one. */
  source?: SourceName | undefined;
  /** What to change to make the error go away, in one or two sentences. */
  fix?: string | undefined;
  /** The underlying error. Never holds a secret: sources wrap errors before they get here. */
  cause?: unknown;
}

/**
 * The base class of every error this package throws. The message names the source and the file, URL or role
 * involved, then the fix after `Fix:`; it never contains a secret.
 *
 * Match errors by `name` ({@link isPodCredentialsError}) rather than `instanceof`, so that two copies of the package
 * in one `node_modules` still agree. `tryNextLink` is always `false`, so that an SDK chain built around one of our
 * providers (`createCredentialChain`, say) stops here instead of falling through to a broader identity.
 */
export class PodCredentialsError extends Error {
  /** Always `"PodCredentialsError"`: match errors by name, which works across two copies of the package. */
  override name = "PodCredentialsError";
  /** The source the error is about, when there is one. */
  readonly source: SourceName | undefined;
  /** What to change to make the error go away. */
  readonly fix: string | undefined;
  /** Always `false`: an SDK credential chain must not fall through to another provider after this error. */
  readonly tryNextLink = false;

  constructor(problem: string, options: PodCredentialsErrorOptions = {}) {
    const message = `${options.source ? `[${options.source}] ` : ""}${problem}${options.fix ? ` Fix: ${options.fix}` : ""}`;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.source = options.source;
    this.fix = options.fix;
  }
}

/** Options of a {@link CredentialSourceError}. */
export interface CredentialSourceErrorOptions extends PodCredentialsErrorOptions {
  /** The source that is configured but failed. */
  source: SourceName;
  /** The file, URL or role the error is about. */
  target?: string | undefined;
  /** The HTTP status the endpoint answered with, when the error came from an answer. */
  status?: number | undefined;
  /**
   * Whether the failure may clear up by itself (the proxy has not seen the pod yet, STS throttled the call).
   * @default false
   */
  retryable?: boolean | undefined;
}

/**
 * A source is configured but broken: the token file is missing, unreadable or empty; STS rejected the token; the
 * agent or the metadata proxy answered an error; the answer was malformed or too slow. The chain never moves on to a
 * later, broader source after this error. `cause` holds the underlying error.
 */
export class CredentialSourceError extends PodCredentialsError {
  /** Always `"CredentialSourceError"`: match errors by name, which works across two copies of the package. */
  override name = "CredentialSourceError";
  declare readonly source: SourceName;
  /** The file, URL or role the error is about. */
  readonly target: string | undefined;
  /** The HTTP status of the answer that caused the error, when there was one. */
  readonly status: number | undefined;
  /** Whether the failure may clear up by itself (a start-up race, throttling); retried within the deadlines. */
  readonly retryable: boolean;

  constructor(problem: string, options: CredentialSourceErrorOptions) {
    super(problem, { source: options.source, fix: options.fix, cause: options.cause });
    this.target = options.target;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}

const HOW_TO_CONFIGURE =
  "configure a pod-scoped identity: IRSA (annotate the ServiceAccount with eks.amazonaws.com/role-arn), " +
  "EKS Pod Identity (create a pod identity association), or kube2iam/kiam (annotate the pod with " +
  "iam.amazonaws.com/role and expose it through a downward-API volume at /etc/podinfo, or set POD_CREDENTIALS_ROLE). " +
  "To accept the node's shared instance-profile role instead, set POD_CREDENTIALS_ALLOW_NODE=true.";

/**
 * No pod-scoped source is configured, and node credentials are not allowed. Thrown by the first call, before any
 * network request. The message lists every source with the reason it was skipped, and says how to configure one.
 */
export class NoPodCredentialsError extends PodCredentialsError {
  /** Always `"NoPodCredentialsError"`: match errors by name, which works across two copies of the package. */
  override name = "NoPodCredentialsError";
  /** Every source the chain considered, with the reason it was skipped. */
  readonly skipped: readonly SkippedSource[];

  constructor(skipped: readonly SkippedSource[]) {
    const list = skipped.map(({ source, reason }) => `${source}: ${reason}`).join("; ");
    super(`No pod-scoped AWS credentials are configured for this pod (${list || "no sources enabled"}).`, {
      fix: HOW_TO_CONFIGURE,
    });
    this.skipped = Object.freeze([...skipped]);
  }
}

/** Options of a {@link NodeCredentialsRefusedError}. */
export interface NodeCredentialsRefusedErrorOptions {
  /** The source that found node credentials (`kube2iam` or `instanceProfile`). */
  source: SourceName;
  /** What to change to make the error go away. */
  fix: string;
  /** The metadata endpoint that offered them. */
  endpoint?: string | undefined;
  /** The role the pod declares, when it declares one. */
  expectedRole?: string | undefined;
  /** The role the endpoint offered, when it named one. */
  offeredRole?: string | undefined;
}

/**
 * What is on offer is the node's identity, and node credentials are not allowed: the metadata endpoint is the real
 * EC2 instance metadata service (no kube2iam or kiam intercepts this pod's traffic), or it answers with a role other
 * than the one the pod declares.
 */
export class NodeCredentialsRefusedError extends PodCredentialsError {
  /** Always `"NodeCredentialsRefusedError"`: match errors by name, which works across two copies of the package. */
  override name = "NodeCredentialsRefusedError";
  declare readonly source: SourceName;
  /** The metadata endpoint that offered node credentials. */
  readonly endpoint: string | undefined;
  /** The role the pod declares, when it declares one. */
  readonly expectedRole: string | undefined;
  /** The role the endpoint offered, when it named one. */
  readonly offeredRole: string | undefined;

  constructor(problem: string, options: NodeCredentialsRefusedErrorOptions) {
    super(problem, { source: options.source, fix: options.fix });
    this.endpoint = options.endpoint;
    this.expectedRole = options.expectedRole;
    this.offeredRole = options.offeredRole;
  }
}

/**
 * An option or a `POD_CREDENTIALS_*` environment variable has a value the library cannot use (an unknown source
 * name, a timeout that is not a number). Thrown when the provider is created, not at the first call.
 */
export class InvalidConfigurationError extends PodCredentialsError {
  /** Always `"InvalidConfigurationError"`: match errors by name, which works across two copies of the package. */
  override name = "InvalidConfigurationError";
  /** The option or environment variable at fault. */
  readonly setting: string;

  constructor(setting: string, problem: string, fix: string) {
    super(`${setting}: ${problem}`, { fix });
    this.setting = setting;
  }
}

/**
 * The `name` of every error class this package throws. Compare `error.name` with these rather than using
 * `instanceof`, which fails when two copies of the package are installed.
 */
export const POD_CREDENTIALS_ERROR_NAMES = Object.freeze({
  /** The base class of every error of this package. */
  PodCredentialsError: "PodCredentialsError",
  /** A configured source is broken. */
  CredentialSourceError: "CredentialSourceError",
  /** No pod-scoped source is configured. */
  NoPodCredentialsError: "NoPodCredentialsError",
  /** Only the node's identity is on offer, and it is refused. */
  NodeCredentialsRefusedError: "NodeCredentialsRefusedError",
  /** A bad option or environment variable. */
  InvalidConfigurationError: "InvalidConfigurationError",
} as const);

/** The name of one of this package's error classes. */
export type PodCredentialsErrorName = keyof typeof POD_CREDENTIALS_ERROR_NAMES;

/** The error class of each name, for {@link isPodCredentialsError}'s narrowing. */
export interface ErrorsByName {
  /** {@link PodCredentialsError} */
  PodCredentialsError: PodCredentialsError;
  /** {@link CredentialSourceError} */
  CredentialSourceError: CredentialSourceError;
  /** {@link NoPodCredentialsError} */
  NoPodCredentialsError: NoPodCredentialsError;
  /** {@link NodeCredentialsRefusedError} */
  NodeCredentialsRefusedError: NodeCredentialsRefusedError;
  /** {@link InvalidConfigurationError} */
  InvalidConfigurationError: InvalidConfigurationError;
}

/**
 * Whether a value is an error from this package, optionally of one class, matched by `name` so that it works across
 * two copies of the package.
 */
export function isPodCredentialsError(error: unknown): error is PodCredentialsError;
/** Whether a value is an error of this package of the class named `name` (or a subclass, for `PodCredentialsError`). */
export function isPodCredentialsError<N extends PodCredentialsErrorName>(
  error: unknown,
  name: N,
): error is ErrorsByName[N];
export function isPodCredentialsError(error: unknown, name?: PodCredentialsErrorName): boolean {
  if (typeof error !== "object" || error === null) return false;
  const actual = (error as { name?: unknown }).name;
  if (typeof actual !== "string" || !Object.hasOwn(POD_CREDENTIALS_ERROR_NAMES, actual)) return false;
  return name === undefined || name === "PodCredentialsError" || actual === name;
}
