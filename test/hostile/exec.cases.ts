/**
 * Hostile-export cases for the executor and the CLI's output (issue 9: time, allocation, terminal, error format).
 * Every export is written by our builder at test time (test/hostile/execModels.ts). `run` cases need the executor's
 * worker bundle: exec.test.ts builds it once and points $SAVEDMODEL_EXECUTOR_WORKER at it.
 */
import { join } from "node:path";
import { writeExportToDir } from "../../src/savedmodel/node/nodeWriter.js";
import type { SavedModelBuilder } from "../../src/savedmodel/builder/index.js";
import { tensorflow } from "../../src/savedmodel/proto.js";
import type { HostileCase, HostileResult, HostileRun } from "./harness.js";
import * as M from "./execModels.js";

/** Raw characters a terminal acts on; none may reach the output. */
const RAW_CONTROL = /[\x00-\x07\x0b-\x1f\x7f-\x9f]/;

async function write(dir: string, files: Map<string, Uint8Array>): Promise<string> {
  const exportDir = join(dir, "export");
  await writeExportToDir(files, exportDir);
  return exportDir;
}

/** `savedmodel run EXPORT --input_exprs x=1.0 ...` on a built model. */
function runCase(build: () => SavedModelBuilder, extra: string[] = []) {
  return async (dir: string): Promise<HostileRun> => {
    const exportDir = await write(dir, build().save());
    return { exportDir, argv: ["run", exportDir, "--input_exprs", "x=1.0", "--backend", "cpu", ...extra] };
  };
}

const expect = (what: string, ok: boolean) => {
  if (!ok) throw new Error(what);
};
const stderrMatches = (re: RegExp) => (r: HostileResult) =>
  expect(`stderr does not match ${re}: ${r.stderr.slice(0, 400)}`, re.test(r.stderr));
const noRawControl = (r: HostileResult) => {
  // the harness's own stack check aside: ESC, BEL, CR and friends must arrive escaped
  expect(`raw control character in stdout: ${JSON.stringify(r.stdout.slice(0, 300))}`, !RAW_CONTROL.test(r.stdout));
  expect(`raw control character in stderr: ${JSON.stringify(r.stderr.slice(0, 300))}`, !RAW_CONTROL.test(r.stderr));
};
const all =
  (...checks: ((r: HostileResult) => void)[]) =>
  (r: HostileResult) => {
    for (const c of checks) c(r);
  };
const underMb = (mb: number) => (r: HostileResult) =>
  expect(`peak RSS ${r.peakRssMb} MB is over ${mb} MB`, r.peakRssMb === 0 || r.peakRssMb < mb);

const TIMEOUT = 5000;
const refused = (node: string, op: string) =>
  stderrMatches(new RegExp(`node "${node}" \\(op ${op}[^]*refused before allocating: would create a tensor of`));

export const cases: HostileCase[] = [
  {
    name: "endless-while-in-init-op",
    klass: "time",
    make: runCase(M.endlessWhileInInitOp, ["--timeout_ms", String(TIMEOUT)]),
    limitMs: TIMEOUT,
    exitCodes: [1],
    check: all(stderrMatches(/did not finish within --timeout_ms 5000/), underMb(1024)),
  },
  {
    name: "endless-while-constant-size",
    klass: "time",
    make: runCase(M.endlessWhileInSignature, ["--timeout_ms", String(TIMEOUT)]),
    limitMs: TIMEOUT,
    exitCodes: [1],
    check: all(stderrMatches(/did not finish within --timeout_ms 5000/), underMb(1024)),
  },
  {
    name: "exponential-calls-40-levels",
    klass: "time",
    make: runCase(() => M.exponentialCalls(40), ["--timeout_ms", String(TIMEOUT)]),
    limitMs: TIMEOUT,
    exitCodes: [1],
    check: all(stderrMatches(/did not finish within --timeout_ms 5000/), underMb(1024)),
  },
  {
    name: "nested-calls-100k",
    klass: "time",
    make: runCase(() => M.nestedCalls(100_000), ["--timeout_ms", "60000"]),
    limitMs: 60_000,
    exitCodes: [1],
    check: stderrMatches(/function calls nest deeper than 64/),
  },
  {
    name: "nested-calls-100k-scan",
    klass: "time",
    make: async (dir) => {
      const exportDir = await write(dir, M.nestedCalls(100_000).save());
      return { exportDir, argv: ["scan", exportDir] };
    },
    limitMs: 60_000,
    exitCodes: [0],
  },
  {
    name: "long-single-kernel",
    klass: "time",
    make: runCase(M.longSingleKernel, ["--timeout_ms", String(TIMEOUT)]),
    limitMs: TIMEOUT,
    exitCodes: [1],
    check: all(stderrMatches(/did not finish within --timeout_ms 5000/), underMb(1024)),
  },
  {
    name: "fill-65-entry-shape",
    klass: "allocation",
    make: runCase(M.fillLongShape),
    limitMs: 10_000,
    exitCodes: [1],
    check: all(refused("fill", "Fill"), underMb(1024)),
  },
  {
    name: "tile-65-multiples",
    klass: "allocation",
    make: runCase(M.tileLongMultiples),
    limitMs: 10_000,
    exitCodes: [1],
    check: all(refused("tile", "Tile"), underMb(1024)),
  },
  {
    name: "addv2-broadcast-30000x30000",
    klass: "allocation",
    make: runCase(M.broadcastBomb),
    limitMs: 10_000,
    exitCodes: [1],
    check: all(refused("outer_sum", "AddV2"), stderrMatches(/shape \[30000, 30000\]/), underMb(1024)),
  },
  {
    name: "concat-bomb",
    klass: "allocation",
    make: runCase(M.concatBomb),
    limitMs: 10_000,
    exitCodes: [1],
    check: all(refused("concat", "ConcatV2"), underMb(1024)),
  },
  {
    name: "terminal-escapes-show-all",
    klass: "terminal",
    make: async (dir) => {
      const exportDir = await write(dir, M.terminalEscapes().save());
      return { exportDir, argv: ["show", exportDir, "--all"] };
    },
    limitMs: 10_000,
    exitCodes: [0],
    check: all(
      noRawControl,
      (r) => expect("names missing from show --all", r.stdout.includes("sig\\e[2J")),
      (r) => expect("a model name forged a line", !/^(FORGED|:0$)/m.test(r.stdout)),
    ),
  },
  {
    name: "terminal-escapes-show-json",
    klass: "terminal",
    make: async (dir) => {
      const exportDir = await write(dir, M.terminalEscapes().save());
      return { exportDir, argv: ["show", exportDir, "--all", "--json"] };
    },
    limitMs: 10_000,
    exitCodes: [0],
    check: all(noRawControl, (r) => {
      const j = JSON.parse(r.stdout);
      expect("--json lost the hostile tag", JSON.stringify(j.tagSets).includes("\\u0007"));
    }),
  },
  {
    name: "terminal-escapes-vars",
    klass: "terminal",
    make: async (dir) => {
      const exportDir = await write(dir, M.terminalEscapes().save());
      return { exportDir, argv: ["vars", exportDir] };
    },
    limitMs: 10_000,
    exitCodes: [0],
    check: all(noRawControl, (r) => expect("variable missing", r.stdout.includes("weights\\e]0;owned-title\\a"))),
  },
  {
    name: "terminal-escapes-run-printv2",
    klass: "terminal",
    make: async (dir) => {
      const exportDir = await write(dir, M.terminalEscapes().save());
      return {
        exportDir,
        argv: [
          "run",
          exportDir,
          "--tag_set",
          `serve,tag${M.ESC_TITLE}`,
          "--signature_def",
          `sig${M.ESC_CLEAR}`,
          "--input_exprs",
          `${M.RUN_INPUT_KEY}=3.0`,
          "--backend",
          "cpu",
        ],
      };
    },
    limitMs: 20_000,
    exitCodes: [0],
    check: all(
      noRawControl,
      (r) => expect("PrintV2 text missing", r.stderr.includes("PRINTED\\e]0;owned-title\\a")),
      (r) => expect("result missing", /Result for output key out\\e\]0;owned-title\\a:\n12/.test(r.stdout)),
    ),
  },
  {
    name: "terminal-escapes-scan",
    klass: "terminal",
    make: async (dir) => {
      const exportDir = await write(dir, M.terminalEscapes().save());
      return { exportDir, argv: ["scan", exportDir] };
    },
    limitMs: 10_000,
    exitCodes: [0, 3],
    check: noRawControl,
  },
  {
    name: "scan-function-without-ret",
    klass: "error-format",
    make: async (dir) => {
      // A library function whose output arg has no ret entry: compiling it used to end scan with a stack trace.
      const files = M.terminalEscapes().save();
      const sm = tensorflow.SavedModel.decode(files.get("saved_model.pb")!);
      const fn = sm.metaGraphs[0].graphDef!.library!.function![0];
      fn.ret = {};
      files.set("saved_model.pb", tensorflow.SavedModel.encode(sm).finish());
      const exportDir = await write(dir, files);
      return { exportDir, argv: ["scan", exportDir] };
    },
    limitMs: 10_000,
    exitCodes: [0, 1, 3],
    check: all(noRawControl, stderrMatches(/has no ret entry|^$/)),
  },
];
