// The world one golden-file scenario runs in: a recording logger, files a pod would have (written to a temporary
// folder and shown at the pod's path), loopback ports shown as the pod's address, and the fixed clock.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { vi } from "vitest";
import { testLogger } from "../support/leakCheck.js";

/**
 * The time every scenario starts at (only `Date` and `performance`, the wall and the monotonic clocks, are faked: real
 * timers keep msw and retries working).
 */
export const START = new Date("2026-11-27T21:37:48.000Z");

/** Where a pod has its files, as troubleshooting.md writes them. */
export const POD_PATHS = {
  irsaToken: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
  podIdentityToken: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
  annotations: "/etc/podinfo/annotations",
  home: "/home/dev",
} as const;

/** The pod's endpoints, as troubleshooting.md writes them. */
export const POD_ENDPOINTS = {
  imds: "http://169.254.169.254",
  agent: "http://169.254.170.23/v1/credentials",
} as const;

/** One output of a scenario: an error (`name: message`) or a log line (`level pod-credentials: …`). */
export class World {
  readonly logger = testLogger();
  readonly #replacements: [string, string][] = [];
  readonly #cleanUps: (() => Promise<void>)[] = [];

  /**
   * Writes `content` at a temporary path that stands for `podPath` and returns the temporary path; outputs show
   * `podPath`. `podPath` ending in `/` makes a directory.
   */
  async file(podPath: string, content?: string | Buffer): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), "pod-credentials-messages-"));
    this.#cleanUps.push(() => rm(folder, { recursive: true, force: true }));
    const path = join(folder, podPath.replace(/\/$/, ""));
    if (content === undefined) {
      await mkdir(path, { recursive: true });
    } else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
    }
    this.show(path, podPath.replace(/\/$/, ""));
    return path;
  }

  /** A folder standing for `podPath`, with nothing in it. */
  async folder(podPath: string): Promise<string> {
    return this.file(`${podPath}/`);
  }

  /** Shows `actual` as `shown` in every output of the scenario. */
  show(actual: string, shown: string): void {
    this.#replacements.push([actual, shown]);
  }

  /**
   * A loopback URL where nothing listens (connections are refused), shown as `shownAs`; the bare address
   * (`127.0.0.1:<port>`, as in `connect ECONNREFUSED …`) is shown as `bareShownAs`.
   */
  async refusingUrl(shownAs: string, bareShownAs = "<address>"): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    this.show(url, shownAs);
    this.show(`127.0.0.1:${port}`, bareShownAs);
    return url;
  }

  /** Runs `cleanUp` when the scenario ends. */
  onClose(cleanUp: () => Promise<void>): void {
    this.#cleanUps.push(cleanUp);
  }

  /** Moves the fixed clocks (wall and monotonic) on by `ms`. */
  advance(ms: number): void {
    vi.advanceTimersByTime(ms);
  }

  /** Moves the fixed clocks on to `ms` after {@link START}. */
  advanceTo(ms: number): void {
    this.advance(START.getTime() + ms - Date.now());
  }

  /**
   * Makes every "not ready … retrying" debug line move the clock past any start-up window and resolution deadline,
   * so that a "not yet" answer becomes the final error after one real 200 ms wait, as it would after the window.
   */
  exhaustRetries(): void {
    const debug = this.logger.debug;
    this.logger.debug = (...content: unknown[]) => {
      debug(...content);
      if (typeof content[0] === "string" && content[0].includes(": not ready (")) this.advance(60 * 60 * 1000);
    };
  }

  /** The logger's lines at these levels (all when none), as `level pod-credentials: …`. */
  lines(...levels: string[]): string[] {
    return this.logger.lines.filter((line) => levels.length === 0 || levels.some((l) => line.startsWith(`${l} `)));
  }

  /** Applies the scenario's display rules to one output. */
  normalise(text: string): string {
    let result = text;
    // Longest first: a folder's path is a prefix of its files' paths.
    const ordered = [...this.#replacements].sort((a, b) => b[0].length - a[0].length);
    for (const [actual, shown] of ordered) result = result.split(actual).join(shown);
    return result.replace(/\(uid \d+, gid \d+\)/g, "(uid 1000, gid 1000)");
  }

  async close(): Promise<void> {
    await Promise.all(this.#cleanUps.splice(0).map((cleanUp) => cleanUp()));
  }
}

/** `name: message` of an error, as a caller or the error log line shows it. */
export const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : `(not an Error) ${String(error)}`;
