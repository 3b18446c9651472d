import { access } from "node:fs/promises";
import { MAX_ANNOTATIONS_FILE_BYTES } from "../../config/defaults.js";
import { ENV } from "../../config/environmentVariables.js";
import type { SettingValue } from "../../config/settingValue.js";
import { CredentialSourceError } from "../../errors/CredentialSourceError.js";
import { readSmallTextFile } from "../../wire/files.js";
import { declaredRoleFromAnnotationsText, ROLE_ANNOTATION } from "../../wire/kubernetes.js";
import type { Kube2iamSettings } from "./kube2iamSettings.js";

/** The role the pod declares and where it was declared, or why none is. */
export type DeclaredRoleLookup =
  | { readonly declared: true; readonly role: SettingValue }
  | { readonly declared: false; readonly reason: string };

const fileExists = async (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== "ENOENT",
  );

/**
 * Finds the role the pod declares: the `expectedRole` option, else `POD_CREDENTIALS_ROLE`, else the
 * `iam.amazonaws.com/role` annotation in the downward-API annotations file. A missing default file means "nothing
 * declared"; a missing file someone named, or a malformed one, is an error.
 */
export const lookUpDeclaredRole = async (settings: Kube2iamSettings): Promise<DeclaredRoleLookup> => {
  if (settings.expectedRole) return { declared: true, role: settings.expectedRole };
  const file = settings.annotationsFile;
  if (!file.explicit && !(await fileExists(file.value))) {
    return {
      declared: false,
      reason: `${ENV.role} is not set and there is no annotations file at ${file.value}`,
    };
  }
  const text = await readSmallTextFile(file.value, {
    source: "kube2iam",
    what: "annotations file",
    maxBytes: MAX_ANNOTATIONS_FILE_BYTES,
    envVar: ENV.annotationsFile,
    allowEmpty: true,
  });
  const found = declaredRoleFromAnnotationsText(text);
  switch (found.kind) {
    case "role":
      return {
        declared: true,
        role: { value: found.role, from: `the ${ROLE_ANNOTATION} annotation in ${file.value}` },
      };
    case "noRole":
      return {
        declared: false,
        reason: `${ENV.role} is not set and ${file.value} has no ${ROLE_ANNOTATION} annotation`,
      };
    case "malformed":
      throw new CredentialSourceError(
        `The annotations file ${file.value} is malformed${found.line === undefined ? "" : ` at line ${found.line}`}: ${found.problem}.`,
        {
          source: "kube2iam",
          target: file.value,
          fix: "mount it with a downward-API volume (fieldRef: metadata.annotations), or set POD_CREDENTIALS_ROLE instead.",
        },
      );
  }
};
