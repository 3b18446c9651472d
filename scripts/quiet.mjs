// `npm test` runs the release check through this wrapper: a green run must print nothing on standard error (no
// deprecation notice, no SDK warning, no stray console.error). Standard error is passed through as it comes; when the
// command succeeds but wrote to it, the run fails and says so. A failing command keeps its own exit code.
import { spawn } from "node:child_process";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node scripts/quiet.mjs <command> [arguments…]");
  process.exit(2);
}
let printed = "";
const child = spawn(command, args, { stdio: ["inherit", "inherit", "pipe"] });
child.stderr.on("data", (chunk) => {
  printed += chunk.toString("utf8");
  process.stderr.write(chunk);
});
// Ctrl-C and CI's SIGTERM reach the child; this wrapper waits for it to end.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("close", (code, signal) => {
  if (code === 0 && printed.trim() !== "") {
    const lines = printed.trimEnd().split("\n").length;
    console.error(
      `\n${[command, ...args].join(" ")} passed but printed ${lines} line${lines === 1 ? "" : "s"} on standard error ` +
        "(above): a green run must be quiet. Fix the warning at its source, do not hide it.",
    );
    process.exitCode = 1;
  } else {
    process.exitCode = code ?? (signal ? 1 : 0);
  }
});
