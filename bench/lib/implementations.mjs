// For children: the implementations under test, each loaded only when asked for, so that a child running the SDK
// never loads our package and a child running ours loads only what our package itself imports.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** What each implementation is called in the report. */
export const IMPLEMENTATION_LABELS = Object.freeze({
  ours: "ours: fromPodProviderChain()",
  sdkChain: "SDK: fromNodeProviderChain()",
  sdkInstanceMetadata: "SDK: fromInstanceMetadata() (bare)",
  sdkTokenFile: "SDK: fromTokenFile() (bare)",
});

/** The child's input: `argv[2]` for a script, `argv[1]` for `node -e`. */
export const childInput = () => JSON.parse(process.argv.at(-1) ?? "{}");

/**
 * Resolves to a factory of providers of `impl`. Ours is given a silent logger (the SDK logs nothing by default) and
 * otherwise its defaults; every SDK provider gets its defaults. `dist` is the built `dist/esm` folder.
 */
export const loadImplementation = async ({ impl, dist }) => {
  switch (impl) {
    case "ours": {
      const { fromPodProviderChain, noopLogger } = await import(pathToFileURL(join(dist, "index.js")).href);
      return (options = {}) => fromPodProviderChain({ logger: noopLogger, ...options });
    }
    case "sdkChain": {
      const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
      return (options = {}) => fromNodeProviderChain(options);
    }
    case "sdkInstanceMetadata": {
      const { fromInstanceMetadata } = await import("@aws-sdk/credential-providers");
      return (options = {}) => fromInstanceMetadata(options);
    }
    case "sdkTokenFile": {
      const { fromTokenFile } = await import("@aws-sdk/credential-providers");
      return (options = {}) => fromTokenFile(options);
    }
    default:
      throw new Error(`unknown implementation ${impl}`);
  }
};

/** The first characters of an access key id: enough to tell which fake issued it (ASIAPODID…, ASIASTS…), no secret. */
export const keyPrefix = (credentials) => credentials?.accessKeyId?.slice(0, 12);

/** An error, reduced to what the report shows: its name and the start of its message. */
export const describeError = (error) => ({
  name: error?.name ?? typeof error,
  message: String(error?.message ?? error)
    .split("\n")[0]
    .slice(0, 320),
});
