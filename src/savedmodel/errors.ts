/**
 * Errors and diagnostics. Decoding never throws bare TypeErrors at users: every problem is a
 * SavedModelError naming the file, where in it (byte offset or field path) and what is wrong.
 * Partial results carry Diagnostics instead of failing.
 */
export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  severity: Severity;
  /** Path relative to the export folder, e.g. "variables/variables.index". */
  file: string;
  message: string;
  /** Byte offset in the file, when known. */
  offset?: number;
  /** Field path or entry name, e.g. "meta_graphs[0].graph_def" or a checkpoint key. */
  field?: string;
  /** What the user can do about it. */
  hint?: string;
}

export class SavedModelError extends Error {
  readonly file: string;
  readonly offset?: number;
  readonly field?: string;
  readonly hint?: string;
  readonly detail: string;
  constructor(
    file: string,
    detail: string,
    opts: { offset?: number; field?: string; hint?: string; cause?: unknown } = {},
  ) {
    const where = [opts.field, opts.offset !== undefined ? `offset ${opts.offset}` : undefined]
      .filter(Boolean)
      .join(", ");
    super(`${file}${where ? ` (${where})` : ""}: ${detail}${opts.hint ? ` — ${opts.hint}` : ""}`, {
      cause: opts.cause,
    });
    this.name = "SavedModelError";
    this.file = file;
    this.detail = detail;
    this.offset = opts.offset;
    this.field = opts.field;
    this.hint = opts.hint;
  }
  toDiagnostic(severity: Severity = "error"): Diagnostic {
    return { severity, file: this.file, message: this.detail, offset: this.offset, field: this.field, hint: this.hint };
  }
}

/** Wraps any thrown value as a SavedModelError about `file`. */
export function asSavedModelError(file: string, e: unknown, field?: string): SavedModelError {
  if (e instanceof SavedModelError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const m = /offset (\d+)|index out of range: (\d+)/.exec(msg);
  const offset = m ? Number(m[1] ?? m[2]) : undefined;
  return new SavedModelError(file, describeDecodeFailure(msg), { offset, field, cause: e });
}

function describeDecodeFailure(msg: string): string {
  if (/index out of range/.test(msg)) return `truncated or corrupt protobuf (${msg})`;
  if (/invalid wire type/.test(msg)) return `corrupt protobuf (${msg})`;
  if (/nesting depth|max depth/.test(msg))
    return `message nested too deeply (${msg}; limit maxProtoDepth, TensorFlow's is 100 too; if the export is trusted, raise it with the environment variable SAVEDMODEL_LIMITS="maxProtoDepth=N")`;
  return msg;
}
