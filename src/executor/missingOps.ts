/** The error for a signature whose ops have no kernel (no tfjs import: the CLI and the extension host use it). */
import type { MissingOp } from "./kernel.js";

/** Thrown before running when kernels are missing: every op with the nodes that use it. */
export class MissingOpsError extends Error {
  constructor(
    readonly signature: string,
    readonly missing: MissingOp[],
  ) {
    super(
      `signature "${signature}" needs ops the executor does not have:\n` +
        missing
          .map(
            (m) =>
              `  ${m.op}${m.custom ? " (custom op)" : m.why ? ` (${m.why})` : ""}: ${m.nodes.slice(0, 5).join(", ")}${m.nodes.length > 5 ? ` and ${m.nodes.length - 5} more` : ""}`,
          )
          .join("\n"),
    );
    this.name = "MissingOpsError";
  }
}
