// pod-credentials/testing: faithful fakes of IMDS, kube2iam, kiam, the EKS Pod Identity agent and STS, with two
// ways to serve them (a real loopback server, or msw). Importing this module never loads msw.

export { createFakeCredentials, leakedSecrets, type FakeCredentials } from "./fakeCredentials.js";
export { createFakeJwt, FAKE_OIDC_ISSUER, type FakeJwtOptions } from "./fakeJwt.js";
export { FakeServer, type FakeHandler, type FakeServerOptions, type RecordedRequest } from "./fakeServer.js";
export { DEFAULT_MALFORMED_BODY, faultResponse, type Fault, type FaultScope } from "./faults.js";
export type { ModeOptions } from "./modeSwitch.js";
export {
  hangResponse,
  rawBehaviourOf,
  resetResponse,
  trickleResponse,
  trickleStream,
  type RawBehaviour,
  type TrickleOptions,
} from "./rawResponses.js";

export { FakeImds, fakeImds, type FakeImdsOptions, type IssuedImdsToken } from "./fakeImds.js";
export { FakeKube2iam, fakeKube2iam, type FakeKube2iamOptions, type Kube2iamMode } from "./fakeKube2iam.js";
export { FakeKiam, fakeKiam, type FakeKiamOptions, type KiamMode } from "./fakeKiam.js";
export {
  FakePodIdentityAgent,
  fakePodIdentityAgent,
  type FakePodIdentityAgentOptions,
  type PodIdentityAgentMode,
  type PodIdentityAgentModeOptions,
} from "./fakePodIdentityAgent.js";
export {
  FakeSts,
  fakeSts,
  type FakeStsOptions,
  type IssuedStsCredentials,
  type StsCall,
  type StsCallerIdentity,
  type StsErrorCode,
  type StsMode,
  type StsModeOptions,
} from "./fakeSts.js";

export { startLoopbackServer, type LoopbackServer } from "./loopbackServer.js";
export { mswHandlers } from "./mswHandlers.js";
