// pod-credentials/testing: faithful fakes of IMDS, kube2iam, kiam, the EKS Pod Identity agent and STS, served by a real
// loopback server or through msw. Importing this module never loads msw.

export type { FakeCredentials, KnownFakeCredentials, StsCallerIdentity } from "./fakeCredentials.js";
export { createFakeCredentials, leakedSecrets, registerFakeCredentials } from "./fakeCredentials.js";
export { FakeImds, type FakeImdsOptions, fakeImds, type IssuedImdsToken } from "./fakeImds.js";
export { createFakeJwt, FAKE_OIDC_ISSUER, type FakeJwtOptions } from "./fakeJwt.js";
export { FakeKiam, type FakeKiamOptions, fakeKiam, type KiamMode } from "./fakeKiam.js";
export { FakeKube2iam, type FakeKube2iamOptions, fakeKube2iam, type Kube2iamMode } from "./fakeKube2iam.js";
export type {
  FakePodIdentityAgentOptions,
  PodIdentityAgentMode,
  PodIdentityAgentModeOptions,
} from "./fakePodIdentityAgent.js";
export { FakePodIdentityAgent, fakePodIdentityAgent } from "./fakePodIdentityAgent.js";
export type { ExpirationOptions, FakeHandler, FakeServerOptions, RecordedRequest } from "./fakeServer.js";
export { FakeServer } from "./fakeServer.js";
export type {
  FakeStsOptions,
  IssuedStsCredentials,
  StsCall,
  StsErrorCode,
  StsMode,
  StsModeOptions,
  StsTrustPolicy,
} from "./fakeSts.js";
export { FakeSts, fakeSts } from "./fakeSts.js";
export type { Fault, FaultScope } from "./faults.js";
export { DEFAULT_MALFORMED_BODY, faultOf, faultResponse, hangResponse, trickleStream } from "./faults.js";
export { type LoopbackServer, startLoopbackServer } from "./loopbackServer.js";
export { ModalFake, type ModalFakeOptions, type ModeOptions } from "./modalFake.js";
export { mswHandlers } from "./mswHandlers.js";
