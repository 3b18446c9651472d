// The downward-API annotations file at its default place (/etc/podinfo/annotations), named by nobody: present, it
// declares the pod's role; absent, nothing is declared and kube2iam is skipped; present but unreadable, it is an error,
// never a skip. A test cannot write to /etc, so the source is given settings whose default file is a temporary path.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/base/settings.js";
import type { CredentialSourceError } from "../../src/index.js";
import { kube2iamSource } from "../../src/sources/kube2iam.js";
import { temporaryFile } from "../support/fakes.js";
import { rejectionOf } from "../support/leakCheck.js";

/** kube2iam's detection with no role named anywhere and the default annotations file at `path`. */
const detectWithDefaultFileAt = (path: string) =>
  kube2iamSource({
    ...readSettings({ env: {} }),
    annotationsFile: { value: path, from: "the default annotations file", explicit: false },
  }).detect();

describe("the default annotations file", () => {
  it("declares the pod's role when it exists", async () => {
    const path = await temporaryFile("annotations", 'iam.amazonaws.com/role="orders-reader"\n');

    const detected = await detectWithDefaultFileAt(path);

    expect(detected).toMatchObject({
      configured: true,
      configuredBy: `the iam.amazonaws.com/role annotation in ${path}`,
    });
  });

  it("declares nothing when it does not exist: kube2iam is skipped, saying where it looked", async () => {
    const path = join(await temporaryFile("placeholder", ""), "..", "annotations");

    const detected = await detectWithDefaultFileAt(path);

    expect(detected).toEqual({
      configured: false,
      reason: `POD_CREDENTIALS_ROLE is not set and there is no annotations file at ${path}`,
    });
  });

  it("is an error, not a skip, when it cannot be looked up for another reason than its absence", async () => {
    // A path through a regular file: ENOTDIR, which says nothing about whether the pod declares a role.
    const path = join(await temporaryFile("podinfo", ""), "annotations");

    const error = (await rejectionOf(detectWithDefaultFileAt(path))) as CredentialSourceError;

    expect(error).toMatchObject({ name: "CredentialSourceError", source: "kube2iam" });
    expect(error.message).toMatch(
      /^\[kube2iam\] Could not read the annotations file \S+ \(ENOTDIR: a part of the path is a file, not a directory\)\./,
    );
    expect(error.message).toContain(path);
  });
});
