// The SDK's configuration rules at their edges: the region's sources with blank or padded values, the exact
// User-Agent sections and recursion-detection header a role profile's STS client gets, and the shared config file's
// headers, stray lines and `[profile default]`, and the variables naming the files and the profile, padded.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMainThread } from "node:worker_threads";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isolatedSdkConfig, parseConfigFile, stsRegion, stsSettingsFromConfigFile } from "../../src/wire/sdkConfig.js";
import { temporaryFile } from "../support/fakes.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("stsRegion", () => {
  it.each([
    ["an empty calling-client region", ""],
    ["a calling-client region that is not a string", 42],
  ])("skips %s for AWS_REGION", async (_, callerRegion) => {
    expect(await stsRegion(undefined, callerRegion, { AWS_REGION: "eu-west-1" })).toBe("eu-west-1");
  });

  it("takes AWS_REGION without the spaces around it", async () => {
    expect(await stsRegion(undefined, undefined, { AWS_REGION: " eu-west-1 " })).toBe("eu-west-1");
  });
});

describe("isolatedSdkConfig", () => {
  const configOf = async (env: Record<string, string>) => {
    const warnings: string[] = [];
    const config = await isolatedSdkConfig(env, { caller: undefined, warnRegion: (text) => warnings.push(text) });
    return { ...config, warnings };
  };

  it("warns that the given environment has no region, then uses us-east-1", async () => {
    const { clientConfig, warnings } = await configOf({});

    expect(await clientConfig.region()).toBe("us-east-1");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("AWS_REGION not set in the given environment");
  });

  it("gives the SDK's User-Agent sections in the SDK's order", async () => {
    const { clientConfig } = await configOf({ AWS_EXECUTION_ENV: "AWS_ECS_FARGATE" });
    const sections = await clientConfig.defaultUserAgentProvider();

    expect(sections.map((section) => section[0])).toEqual([
      "aws-sdk-js",
      "ua",
      `os/${process.platform}`,
      "lang/js",
      "md/nodejs",
      "api/sts",
      "exec-env/AWS_ECS_FARGATE",
    ]);
    expect(sections[1]).toEqual(["ua", "2.1"]);
    expect(sections[4]).toEqual(["md/nodejs", process.versions.node]);
    expect((await (await configOf({})).clientConfig.defaultUserAgentProvider()).at(-1)).toEqual(["api/sts"]);
  });

  describe("the recursion-detection middleware", () => {
    type Middleware = (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>;
    const installed = (env: Record<string, string>) => {
      const added: { middleware: Middleware; options: Record<string, unknown> }[] = [];
      return configOf(env).then(({ clientPlugins }) => {
        const stack = {
          add: (middleware: Middleware, options: Record<string, unknown>) => added.push({ middleware, options }),
        };
        for (const plugin of clientPlugins) plugin.applyToStack(stack as never);
        return added;
      });
    };
    const headersAfter = async (env: Record<string, string>, headers: Record<string, string>) => {
      const [entry] = await installed(env);
      const request = { headers: { ...headers } };
      await entry?.middleware(async () => ({}))({ request });
      return request.headers;
    };
    const LAMBDA = { AWS_LAMBDA_FUNCTION_NAME: "orders", _X_AMZN_TRACE_ID: "Root=1-abc" };

    it("replaces the SDK's own middleware of that name, at the build step", async () => {
      const [entry] = await installed(LAMBDA);
      expect(entry?.options).toEqual({
        step: "build",
        name: "recursionDetectionMiddleware",
        override: true,
        priority: "low",
      });
    });

    it("adds the trace header in Lambda", async () => {
      expect(await headersAfter(LAMBDA, { host: "sts" })).toEqual({ host: "sts", "X-Amzn-Trace-Id": "Root=1-abc" });
    });

    it("adds the trace header to a request with no headers yet", async () => {
      expect(await headersAfter(LAMBDA, {})).toEqual({ "X-Amzn-Trace-Id": "Root=1-abc" });
    });

    it.each([
      ["outside Lambda", { _X_AMZN_TRACE_ID: "Root=1-abc" }],
      ["without a trace id", { AWS_LAMBDA_FUNCTION_NAME: "orders" }],
    ])("adds nothing %s", async (_, env) => {
      expect(await headersAfter(env, { host: "sts" })).toEqual({ host: "sts" });
    });

    it("keeps a trace header the request already has, whatever its case", async () => {
      expect(await headersAfter(LAMBDA, { "x-amzn-trace-id": "Root=mine" })).toEqual({
        "x-amzn-trace-id": "Root=mine",
      });
    });

    it("passes a request without headers on untouched", async () => {
      const [entry] = await installed(LAMBDA);
      const args = { request: undefined };
      let seen: unknown;
      await entry?.middleware(async (passed) => {
        seen = passed;
        return {};
      })(args);
      expect(seen).toBe(args);
      expect(args).toEqual({ request: undefined });
    });
  });
});

describe("parseConfigFile at its edges", () => {
  it("reads an indented header as a header", () => {
    expect(parseConfigFile("  [default]\nregion = eu-west-1\n")).toEqual({ default: { region: "eu-west-1" } });
  });

  it("a header is the whole line: a value in brackets is a value, and text after ']' makes no header", () => {
    expect(parseConfigFile("[default]\nnote = [kept]\nregion = eu-west-1\n")).toEqual({
      default: { note: "[kept]", region: "eu-west-1" },
    });
    expect(parseConfigFile("[default]x\nregion = eu-west-1\n")).toEqual({});
  });

  it("a stray line that is no setting does not make the next indented line nested", () => {
    expect(parseConfigFile("[default]\nstray words\n  region = eu-west-1\n")).toEqual({
      default: { region: "eu-west-1" },
    });
  });

  it("[profile default] leaves the services sections alone", () => {
    expect(
      parseConfigFile("[profile default]\nservices = s\n[services s]\nsts =\n  endpoint_url = https://x\n"),
    ).toEqual({
      default: { services: "s" },
      "services s": { "sts.endpoint_url": "https://x" },
    });
  });

  it("[profile default] replaces [default] whichever comes first", () => {
    const expected = { default: { region: "from-profile-default" } };
    expect(parseConfigFile("[default]\nregion = plain\n[profile default]\nregion = from-profile-default\n")).toEqual(
      expected,
    );
    expect(parseConfigFile("[profile default]\nregion = from-profile-default\n[default]\nregion = plain\n")).toEqual(
      expected,
    );
  });
});

describe("the variables that name the files and the profile", () => {
  // os.homedir() reads the process's own environment, which a worker thread's process.env does not change.
  it.skipIf(!isMainThread)("reads ~/.aws/credentials when AWS_SHARED_CREDENTIALS_FILE is not set", async () => {
    const home = await mkdtemp(join(tmpdir(), "pod-credentials-home-"));
    await mkdir(join(home, ".aws"));
    await writeFile(join(home, ".aws", "credentials"), "[default]\nregion = ca-central-1\n");
    vi.stubEnv("HOME", home);
    vi.stubEnv("AWS_CONFIG_FILE", await temporaryFile("config", ""));
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", undefined);

    expect(await stsSettingsFromConfigFile(process.env)).toEqual({ AWS_REGION: "ca-central-1" });
  });

  it("takes AWS_CONFIG_FILE and AWS_PROFILE without the spaces around them", async () => {
    const path = await temporaryFile("config", "[default]\nregion = us-east-2\n[profile prod]\nregion = eu-north-1\n");
    vi.stubEnv("AWS_CONFIG_FILE", ` ${path} `);
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", await temporaryFile("credentials", ""));
    vi.stubEnv("AWS_PROFILE", " prod ");

    expect(await stsSettingsFromConfigFile(process.env)).toEqual({ AWS_REGION: "eu-north-1" });
  });
});
