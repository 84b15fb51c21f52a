/** Entry point of the `savedmodel` executable (bundled to dist/cli.js). */
import { main } from "./main.js";

// `savedmodel show ... | head` closes the pipe early: stop quietly instead of crashing.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    // main() reports its errors itself: this is a bug in savedmodel, shown as one line unless --debug.
    const debug = process.argv.includes("--debug");
    process.stderr.write(
      `savedmodel: internal error: ${debug ? ((e as Error)?.stack ?? e) : ((e as Error)?.message ?? e)}\n`,
    );
    process.exitCode = 1;
  },
);
