/**
 * `savedmodel vars`: every variable with per-variable statistics; one variable's values at full
 * precision (never elided); `--export out.npz` writes all (or the named) variables in one go.
 * Nothing is ever written inside the export folder.
 */
import { resolve } from "node:path";
import { NodeFileAccess } from "../savedmodel/node/nodeFileAccess.js";
import { openSavedModel } from "../savedmodel/savedModel.js";
import { loadVariables, readVariable, type VariableInfo } from "../savedmodel/model.js";
import { tensorStats, type DecodedTensor, type TensorStats } from "../savedmodel/tensor.js";
import { streamVariableStats } from "../savedmodel/variableStats.js";
import { DataType } from "../savedmodel/dtypes.js";
import { parseFlags, UsageError, type CliIO } from "./io.js";
import { jsonReplacer } from "./show.js";
import { guardOutput, writeOutputFile } from "./output.js";
import { escapeControl } from "./escape.js";
import { ExitCode } from "./exitCodes.js";

export const VARS_USAGE = `usage: savedmodel vars DIR [NAME...] [--json] [--export OUT.npz] [--all]

  DIR            the SavedModel export folder
  NAME           a variable name or checkpoint key: print its values at full precision
  --export FILE  write every variable (or the named ones) to one .npz file (outside DIR)
  --overwrite    replace FILE when it exists
  --all          include optimizer slots and bookkeeping entries (save counter, object graph)
  --no-stats     list the variables without reading their data (no statistics)
  --json         print JSON (schema "savedmodel.vars/1")`;

function fullPrecision(x: number | bigint | boolean): string {
  if (typeof x === "bigint" || typeof x === "boolean") return String(x);
  if (x !== x) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return String(x);
}

/** Nested-list text of all values (numpy-like), never elided. */
export function formatAllValues(t: DecodedTensor): string {
  const flat: string[] = [];
  const v = t.values;
  const complex = t.dtype === DataType.DT_COMPLEX64 || t.dtype === DataType.DT_COMPLEX128;
  if (Array.isArray(v)) for (const b of v) flat.push(JSON.stringify(new TextDecoder().decode(b)));
  else if (complex)
    for (let i = 0; i < v.length; i += 2)
      flat.push(
        `(${fullPrecision(Number(v[i]))}${Number(v[i + 1]) < 0 ? "" : "+"}${fullPrecision(Number(v[i + 1]))}j)`,
      );
  else if (t.dtype === DataType.DT_BOOL) for (const x of v as Uint8Array) flat.push(x ? "True" : "False");
  else for (const x of Array.from(v as ArrayLike<number | bigint>)) flat.push(fullPrecision(x));
  if (t.shape.length === 0) return flat[0] ?? "";
  let pos = 0;
  const rec = (d: number, indent: string): string => {
    const n = t.shape[d];
    if (d === t.shape.length - 1) return `[${flat.slice(pos, (pos += n)).join(", ")}]`;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(rec(d + 1, indent + " "));
    return `[${parts.join(`,\n${indent} `)}]`;
  };
  return rec(0, "");
}

interface VarRow extends VariableInfo {
  stats?: TensorStats;
  error?: string;
}

const fmt = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? "-" : Number.isInteger(x) ? String(x) : x.toPrecision(5);

export async function varsCommand(argv: string[], io: CliIO): Promise<number> {
  const { flags, positional } = parseFlags(argv, {
    values: ["dir", "export"],
    booleans: ["json", "all", "help", "overwrite", "no_stats"],
  });
  if (flags.help) {
    io.out(VARS_USAGE + "\n");
    return 0;
  }
  const dir = (flags.dir as string | undefined) ?? positional.shift();
  if (!dir) throw new UsageError("vars needs the export folder: savedmodel vars DIR [NAME]");
  const root = resolve(io.cwd, dir);
  const exp = await openSavedModel(new NodeFileAccess(root));
  const vars = await loadVariables(exp);
  for (const d of vars.diagnostics) io.err(`${d.severity}: ${escapeControl(`${d.file}: ${d.message}`)}\n`);
  let failed = vars.diagnostics.some((d) => d.severity === "error");
  const names = positional;
  const find = (n: string) => vars.variables.find((v) => v.name === n || v.checkpointKey === n);
  for (const n of names) if (!find(n)) throw new UsageError(`no variable named "${n}" (try: savedmodel vars ${dir})`);
  const selected = names.length
    ? names.map((n) => find(n)!)
    : vars.variables.filter((v) => flags.all || v.kind === "variable");

  if (flags.export) {
    const out = resolve(io.cwd, flags.export as string);
    const target = await guardOutput(out, root, { overwrite: !!flags.overwrite });
    const entries: Record<string, DecodedTensor> = {};
    for (const v of selected) {
      const key = entries[v.name] ? v.checkpointKey : v.name;
      entries[key] = await readVariable(exp, v.checkpointKey);
    }
    // .npz (fflate) only for --export: every other command starts without it
    const { encodeNpz } = await import("../savedmodel/npy.js");
    await writeOutputFile(target, encodeNpz(entries));
    io.out(`wrote ${Object.keys(entries).length} variable(s) to ${out}\n`);
    return 0;
  }

  if (names.length) {
    const results = [];
    for (const v of selected) {
      const t = await readVariable(exp, v.checkpointKey);
      if (flags.json) results.push({ ...v, stats: tensorStats(t), values: t.values });
      else {
        const s = tensorStats(t);
        io.out(
          `${escapeControl(v.name)}  ${v.dtypeShort} [${v.shape.join(", ")}]  ${escapeControl(v.checkpointKey)}\n`,
        );
        io.out(
          `min ${fmt(s.min)}  max ${fmt(s.max)}  mean ${fmt(s.mean)}  std ${fmt(s.std)}  nan ${s.nanCount}  inf ${s.infCount}  zeros ${(s.zeroFraction * 100).toFixed(1)}%\n`,
        );
        io.out(formatAllValues(t) + "\n");
      }
    }
    if (flags.json) io.out(JSON.stringify({ schema: "savedmodel.vars/1", variables: results }, jsonReplacer, 2) + "\n");
    return failed ? ExitCode.Export : ExitCode.Ok;
  }

  const rows: VarRow[] = [];
  // statistics stream through 16 MiB reads; progress on stderr when there is much to read
  const progress = statsProgress(
    flags.no_stats ? 0 : selected.reduce((a, v) => a + (v.problems.length || v.sliced ? 0 : v.bytes), 0),
    io,
  );
  for (const v of selected) {
    const row: VarRow = { ...v };
    if (
      !flags.no_stats &&
      !v.problems.length &&
      v.dtype !== DataType.DT_STRING &&
      v.dtype !== DataType.DT_VARIANT &&
      v.dtype !== DataType.DT_RESOURCE &&
      !v.sliced
    ) {
      try {
        row.stats = await streamVariableStats(exp, v.checkpointKey, { onProgress: progress.update });
      } catch (e) {
        row.error = (e as Error).message;
      }
    }
    progress.next(v.problems.length || v.sliced ? 0 : v.bytes);
    rows.push(row);
    if (row.error || row.problems.length) failed = true;
  }
  progress.done();
  if (flags.json) {
    io.out(
      JSON.stringify(
        {
          schema: "savedmodel.vars/1",
          parameterCount: vars.parameterCount,
          totalBytes: vars.totalBytes,
          numShards: vars.numShards,
          variables: rows,
          diagnostics: vars.diagnostics,
        },
        jsonReplacer,
        2,
      ) + "\n",
    );
    return failed ? ExitCode.Export : ExitCode.Ok;
  }
  const header = ["name", "dtype", "shape", "bytes", "min", "max", "mean", "std", "nan", "inf", "zeros"];
  const table = rows.map((r) => [
    escapeControl(r.name + (r.problems.length ? `  !! ${r.problems.join("; ")}` : r.error ? `  !! ${r.error}` : "")),
    r.dtypeShort,
    `[${r.shape.join(",")}]`,
    String(r.bytes),
    fmt(r.stats?.min),
    fmt(r.stats?.max),
    fmt(r.stats?.mean),
    fmt(r.stats?.std),
    r.stats ? String(r.stats.nanCount) : "-",
    r.stats ? String(r.stats.infCount) : "-",
    r.stats ? `${(r.stats.zeroFraction * 100).toFixed(1)}%` : "-",
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...table.map((r) => (i === 0 ? Math.min(r[i].length, 60) : r[i].length))),
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  io.out(line(header) + "\n");
  for (const r of table) io.out(line(r) + "\n");
  io.out(
    `${rows.length} variable(s), ${vars.parameterCount} parameters, ${vars.totalBytes} bytes in ${vars.numShards} shard(s)\n`,
  );
  return failed ? ExitCode.Export : ExitCode.Ok;
}

/** Progress lines on stderr (every 10%) while statistics read more than PROGRESS_MIN_BYTES. */
const PROGRESS_MIN_BYTES = 256 << 20;
function statsProgress(total: number, io: CliIO) {
  let base = 0;
  let shown = 0;
  const t0 = performance.now();
  const gb = (b: number) => (b / 2 ** 30).toFixed(2);
  const show = total >= PROGRESS_MIN_BYTES;
  return {
    update: (done: number) => {
      const at = base + done;
      if (show && at * 10 >= (shown + 1) * total) {
        shown = Math.floor((at * 10) / total);
        io.err(`vars: statistics ${gb(at)} of ${gb(total)} GiB read (${shown * 10}%)\n`);
      }
    },
    next: (bytes: number) => {
      base += bytes;
    },
    done: () => {
      if (show) io.err(`vars: statistics of ${gb(total)} GiB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    },
  };
}
