/**
 * `savedmodel scan DIR`: unsafe ops (files, network, processes) like `saved_model_cli scan`, but also
 * inside every library function, naming each node, its function and the signatures that reach it.
 */
import { NodeFileAccess } from "../savedmodel/node/nodeFileAccess.js";
import { openSavedModel } from "../savedmodel/savedModel.js";
import { tensorflow } from "../savedmodel/proto.js";
import { customOps, scanMetaGraph, scanProgram, type ScanFinding } from "../executor/scan.js";
import { fileReads, type FileRead } from "../executor/fileReads.js";
import { SCAN_DENYLIST } from "../executor/unsafeOps.js";
import { resolve } from "node:path";
import { parseFlags, UsageError, type CliIO } from "./io.js";
import { formatScanFiles, scanFiles, scanTree } from "./scanFiles.js";
import { escapeControl } from "./escape.js";

export const SCAN_USAGE = `usage: savedmodel scan DIR [--tag_set T] [--op_denylist A,B] [--all] [--json]

  DIR             the SavedModel export folder
  --tag_set T     only the meta graph with these comma-separated tags (default: all)
  --op_denylist   comma-separated ops to look for instead of the built-in list
  --all           also list the checkpoint saver's own SaveV2/MergeV2Checkpoints (never run when serving)
  --json          print JSON (schema "savedmodel.scan/1")
Also lists file-reading nodes (table initializers from text files, ReadFile) with their files, symbolic links in
the export with their targets, and entries that are not regular files.
Exit code 0: nothing found; 3: denylisted ops, links out of the export, special files or file reads outside
assets/ found; 1: a problem in the export; 2: usage.`;

export async function scanCommand(argv: string[], rawIo: CliIO): Promise<number> {
  // CliIO writes raw text: one call here is one line.
  // Every line carries model names (tags, ops, nodes, functions): their control characters are escaped.
  const io = {
    ...rawIo,
    out: (s: string) => rawIo.out(escapeControl(s) + "\n"),
    err: (s: string) => rawIo.err(escapeControl(s) + "\n"),
  };
  const { flags, positional } = parseFlags(argv, {
    values: ["dir", "tag_set", "op_denylist"],
    booleans: ["json", "help", "all"],
  });
  if (flags.help) {
    io.out(SCAN_USAGE);
    return 0;
  }
  const dir = (flags.dir as string | undefined) ?? positional[0];
  if (!dir) throw new UsageError(`missing DIR\n\n${SCAN_USAGE}`);
  const root = resolve(io.cwd, dir);
  const tree = await scanTree(root).catch(() => ({ links: [], special: [] }));
  const exp = await openSavedModel(new NodeFileAccess(root)).catch((e) => {
    // what the folder holds is worth knowing even when saved_model.pb cannot be read (a link out, a FIFO, ...)
    for (const line of formatScanFiles({ ...tree, fileReads: [], unsafe: false })) io.out(line);
    throw e;
  });
  const want = flags.tag_set
    ? String(flags.tag_set)
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean)
    : undefined;
  const graphs = want
    ? exp.metaGraphs.filter((m) => [...m.tags].sort().join(",") === [...want].sort().join(","))
    : exp.metaGraphs;
  if (want && graphs.length === 0) throw new UsageError(`no meta graph with tag set [${want.join(", ")}]`);
  let denylist = SCAN_DENYLIST;
  if (flags.op_denylist) {
    denylist = {};
    for (const op of String(flags.op_denylist)
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean))
      denylist[op] = SCAN_DENYLIST[op] ?? "on the given denylist";
  }
  const results: { tags: string[]; findings: ScanFinding[]; customOps: { op: string; nodes: string[] }[] }[] = [];
  const reads: { tags: string[]; reads: FileRead[] }[] = [];
  for (const mg of graphs) {
    const full = tensorflow.MetaGraphDef.create({ ...mg.shell, graphDef: mg.graphDef() });
    const program = scanProgram(full); // function bodies compile once for all three walks
    const custom = [...customOps(full, program)]
      .map(([op, nodes]) => ({ op, nodes }))
      .sort((a, b) => (a.op < b.op ? -1 : 1));
    results.push({ tags: mg.tags, findings: scanMetaGraph(full, denylist, program), customOps: custom });
    reads.push({ tags: mg.tags, reads: fileReads(full, program) });
  }
  const files = await scanFiles(root, tree, reads);
  const any = results.some((r) => r.findings.some((f) => !f.saver)) || files.unsafe;
  if (flags.json) {
    rawIo.out(JSON.stringify({ schema: "savedmodel.scan/1", dir: root, metaGraphs: results, files }, null, 2) + "\n");
    return any ? 3 : 0;
  }
  for (const r of results) {
    const tagText = `[${r.tags.map((t) => `'${t}'`).join(", ")}]`;
    const saverOnly = r.findings.filter((f) => f.saver);
    const shown = flags.all ? r.findings : r.findings.filter((f) => !f.saver);
    const note =
      saverOnly.length && !flags.all
        ? ` (${saverOnly.length} op(s) of the checkpoint saver not listed; --all lists them)`
        : "";
    const custom = r.customOps.length
      ? `  custom ops (not TensorFlow's; they load native code): ${r.customOps.map((c) => `${c.op} (${c.nodes.length} node${c.nodes.length > 1 ? "s" : ""}, e.g. "${c.nodes[0]}")`).join(", ")}`
      : "";
    if (!shown.length) {
      io.out(`MetaGraph with tag set ${tagText} does not contain denylisted ops${note}`);
      if (custom) io.out(custom);
      continue;
    }
    const ops = [...new Set(shown.map((f) => f.op))].sort();
    io.out(
      `MetaGraph with tag set ${tagText} contains the following denylisted ops: {${ops.map((o) => `'${o}'`).join(", ")}}`,
    );
    if (note) io.out(` ${note.trim()}`);
    for (const f of shown) {
      const where = f.fn ? `in function "${f.fn}"` : "in the top-level graph";
      const reached = f.reachedFrom.length
        ? `reached from ${f.reachedFrom.join(", ")}`
        : "not reached from any signature or init op";
      io.out(`  ${f.op}: node "${f.node}" ${where}; ${f.saver ? "checkpoint saver" : reached} — ${f.why}`);
    }
    if (custom) io.out(custom);
  }
  for (const line of formatScanFiles(files)) io.out(line);
  return any ? 3 : 0;
}
