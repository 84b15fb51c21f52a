/** The `savedmodel` command-line front end: show, vars, run, scan. */
import { SavedModelError } from "../savedmodel/errors.js";
import { cleanOutput } from "./escape.js";
import { describeError, EXIT_CODES_TEXT, ExitCode } from "./exitCodes.js";
import { UsageError, type CliIO } from "./io.js";
import { SHOW_USAGE, showCommand } from "./show.js";
import { VARS_USAGE, varsCommand } from "./vars.js";

export const USAGE = `savedmodel — inspect and run TensorFlow SavedModels without TensorFlow

usage: savedmodel <command> [options]

commands:
  show DIR   tag-sets, signatures and concrete functions (like saved_model_cli show)
  vars DIR   variables with statistics; values at full precision; --export to .npz
  run DIR    run a signature with the bundled executor (like saved_model_cli run)
  scan DIR   list unsafe ops, also inside library functions (like saved_model_cli scan)
  diff A B   compare two exports: contract (breaking or not), weights, graph, files; exit codes for CI

Every command takes --json. \`savedmodel <command> --help\` for its options.
--debug (any command) adds the JavaScript stack to an error message.

${EXIT_CODES_TEXT}

${SHOW_USAGE}

${VARS_USAGE}
`;

type Command = (argv: string[], io: CliIO) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  show: async () => showCommand,
  vars: async () => varsCommand,
  // run and scan load the executor (tfjs) only when asked for
  run: async () => (await import("./run.js")).runCommand,
  scan: async () => (await import("./scan.js")).scanCommand,
  // diff loads its comparison library only when asked for
  diff: async () => (await import("./diff.js")).diffCommand,
};

export async function main(argv: string[], rawIo: CliIO): Promise<number> {
  const debug = argv.includes("--debug");
  const [name, ...rest] = argv.filter((a) => a !== "--debug");
  // Model-derived text reaches the terminal only with its control characters escaped (see escape.ts).
  const json = rest.some((a) => a === "--json" || (a.startsWith("--json=") && a !== "--json=false"));
  const io: CliIO = {
    ...rawIo,
    out: (s) => rawIo.out(cleanOutput(s, json)),
    err: (s) => rawIo.err(cleanOutput(s, false)),
  };
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(USAGE);
    return name ? ExitCode.Ok : ExitCode.Usage;
  }
  const load = commands[name];
  if (!load) {
    io.err(`savedmodel: unknown command "${name}"\n\n${USAGE}`);
    return ExitCode.Usage;
  }
  try {
    return await (
      await load()
    )(rest, io);
  } catch (e) {
    if (e instanceof UsageError || (e as Error)?.name === "UsageError") {
      io.err(`savedmodel ${name}: ${(e as Error).message}\n`);
      return ExitCode.Usage;
    }
    if (e instanceof SavedModelError || (e as Error)?.name === "SavedModelError") {
      io.err(`savedmodel ${name}: error: ${(e as Error).message}\n`);
      if (debug && (e as Error).stack) io.err(`${(e as Error).stack}\n`);
      return ExitCode.Export;
    }
    io.err(`savedmodel ${name}: error: ${describeError(e)}\n`);
    if (debug && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    return ExitCode.Export;
  }
}
