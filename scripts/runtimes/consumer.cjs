// Run by scripts/runtimes/run.mjs with each runtime: the packed package required from CommonJS, both entry points.
const { fromPodProviderChain, noopLogger } = require("pod-credentials");
const { fakeKiam } = require("pod-credentials/testing");

fromPodProviderChain({ env: {}, logger: noopLogger })().then(
  () => console.log(JSON.stringify({ ok: false, detail: "resolved with nothing configured" })),
  (error) =>
    console.log(
      JSON.stringify({
        ok: typeof fakeKiam === "function" && error.name === "NoPodCredentialsError",
        detail: `${typeof fromPodProviderChain} ${typeof fakeKiam} ${error.name}`,
      }),
    ),
);
