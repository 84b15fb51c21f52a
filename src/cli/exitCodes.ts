/** The CLI's exit codes (documented in `savedmodel --help` and the README) and its one-message error text. */

export const ExitCode = {
  /** the command did what was asked */
  Ok: 0,
  /** a problem in the export or the inputs: unreadable or invalid files, a refused or failed run, a time limit */
  Export: 1,
  /** the command line is wrong: unknown command or option, missing DIR, no such signature/variable */
  Usage: 2,
  /** `scan` found denylisted ops */
  Findings: 3,
} as const;

export const EXIT_CODES_TEXT = `exit codes:
  0  success
  1  a problem in the export or the inputs (the message names the file or node, what is wrong, what to do);
     also \`show\`/\`vars\` when they reported errors, and a run stopped by --timeout_ms or a size limit
  2  usage: unknown command or option, missing DIR, unknown signature, tag-set or variable
  3  \`scan\` found denylisted ops`;

/** One readable message for an error that is not a usage error (no JavaScript stack: that is --debug's). */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const msg = e.message || e.name;
  switch (e.name) {
    case "MissingOpsError":
      return `${msg}\nThe bundled executor has no kernel for these ops; run the signature with TensorFlow instead.`;
    case "WorkerExit":
    case "WorkerError":
      return `${msg}. The model needs more memory than the executor may use, or the executor failed; nothing was run to the end.`;
    case "RangeError":
      if (/call stack/i.test(msg)) return `the export nests too deeply to process (${msg})`;
      return msg;
    default:
      if (/over the memory budget/.test(msg))
        return `${msg}. If the model really needs that much, raise the budget with --memory_mb.`;
      if (/over the limit of .* elements per tensor/.test(msg))
        return `${msg}. The executor refuses tensors this large, so this model cannot run here.`;
      return msg;
  }
}
