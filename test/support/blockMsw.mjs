// Makes "msw" unresolvable in this process (as if it were not installed), for both import and require.
import Module, { register } from "node:module";

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === "msw" || specifier.startsWith("msw/")) {
    throw Object.assign(new Error("Cannot find package 'msw'"), { code: "ERR_MODULE_NOT_FOUND" });
  }
  return next(specifier, context);
}`)}`,
);
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === "msw" || request.startsWith("msw/")) {
    throw Object.assign(new Error("Cannot find module 'msw'"), { code: "MODULE_NOT_FOUND" });
  }
  return resolveFilename.call(this, request, ...rest);
};
