// pod-credentials/testing: faithful fakes of IMDS, kube2iam, kiam, the EKS Pod Identity agent and STS (which checks
// SigV4 signatures against the credentials the fakes handed out), with two
// ways to serve them (a real loopback server, or msw). Importing this module never loads msw.

export {
  createFakeCredentials,
  type FakeCredentials,
  type KnownFakeCredentials,
  leakedSecrets,
  registerFakeCredentials,
  type StsCallerIdentity,
} from "./fakeCredentials.js";
export { FakeImds, type FakeImdsOptions, fakeImds, type IssuedImdsToken } from "./fakeImds.js";
export { createFakeJwt, FAKE_OIDC_ISSUER, type FakeJwtOptions } from "./fakeJwt.js";
export { FakeKiam, type FakeKiamOptions, fakeKiam, type KiamMode } from "./fakeKiam.js";
export { FakeKube2iam, type FakeKube2iamOptions, fakeKube2iam, type Kube2iamMode } from "./fakeKube2iam.js";
export {
  FakePodIdentityAgent,
  type FakePodIdentityAgentOptions,
  fakePodIdentityAgent,
  type PodIdentityAgentMode,
  type PodIdentityAgentModeOptions,
} from "./fakePodIdentityAgent.js";
export {
  type ExpirationOptions,
  type FakeHandler,
  FakeServer,
  type FakeServerOptions,
  type RecordedRequest,
} from "./fakeServer.js";
export {
  FakeSts,
  type FakeStsOptions,
  fakeSts,
  type IssuedStsCredentials,
  type StsCall,
  type StsErrorCode,
  type StsMode,
  type StsModeOptions,
  type StsTrustPolicy,
} from "./fakeSts.js";
export {
  DEFAULT_MALFORMED_BODY,
  type Fault,
  type FaultScope,
  faultOf,
  faultResponse,
  hangResponse,
  trickleStream,
} from "./faults.js";
export { type LoopbackServer, startLoopbackServer } from "./loopbackServer.js";
export { ModalFake, type ModalFakeOptions, type ModeOptions } from "./modalFake.js";
export { mswHandlers } from "./mswHandlers.js";
