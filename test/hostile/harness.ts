/**
 * The hostile-export harness shared by the hostile tests (test/hostile/*.test.ts) and `npm run bench:hostile`.
 * A case writes a hostile export into a fresh temporary folder (with our builder or small byte-level writers:
 * nothing binary is committed), names the CLI command to run on it and the limit it must stop within. The runner
 * spawns the real CLI from source in a child process and checks what every case must satisfy: it ends (hang guard
 * = 10× the limit + start-up), no output contains the canary file's content (it lives outside the export), nothing
 * inside the export changed (hash of names, link targets and regular files' bytes before and after), no JavaScript
 * stack trace is printed, and the exit code is the expected one.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export type HostileClass =
  | "symlink-leak" // reads that would leave the export through a link
  | "write-into-export" // outputs that would land inside the export
  | "special-file" // FIFOs, devices, sockets, /dev/zero
  | "walk" // directory loops and huge trees
  | "decompression" // snappy / size bombs
  | "time" // endless loops, deep recursion, long kernels
  | "allocation" // ops that ask for huge tensors
  | "terminal" // control characters in model strings
  | "snippet" // Copy as… code injection
  | "error-format"; // stack traces, exit codes

export interface HostileRun {
  /** the export folder the command works on (hashed before and after) */
  exportDir: string;
  /** CLI arguments after `savedmodel` */
  argv: string[];
  /** working directory of the CLI (default: the case's temp folder) */
  cwd?: string;
}

export interface HostileCase {
  /** unique, kebab-case */
  name: string;
  klass: HostileClass;
  /** writes the export into `dir` (an empty temp folder); `canaryPath` is a file outside the export */
  make(dir: string, canaryPath: string): Promise<HostileRun> | HostileRun;
  /** the product must stop within this many milliseconds of its own limit (e.g. the --timeout_ms given) */
  limitMs: number;
  /** the exit codes that count as a clean end (a result or a clean error) */
  exitCodes: number[];
  /** further checks on the output (throw to fail) */
  check?(r: HostileResult): void;
}

export interface HostileResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** peak resident set size of the CLI process in MB (VmHWM), 0 when unknown */
  peakRssMb: number;
  /** true when the hang guard killed it */
  hung: boolean;
  exportChanged: boolean;
  canaryLeaked: boolean;
  stackTrace: boolean;
}

const root = new URL("../..", import.meta.url).pathname;
// the CLI runs in the case's temp folder, where a bare `--import tsx` would not resolve: name the loader's file
const TSX_LOADER = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;

/** Hash of everything in `dir` without following links or opening anything but regular files. */
export function hashTree(dir: string): string {
  const h = createHash("sha256");
  const walk = (d: string, depth: number): void => {
    if (depth > 32) return;
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      h.update(`${p.slice(dir.length)}\0${st.mode}\0`);
      if (st.isSymbolicLink()) h.update(readlinkSync(p));
      else if (st.isDirectory()) walk(p, depth + 1);
      else if (st.isFile()) h.update(readFileSync(p));
    }
  };
  walk(dir, 0);
  return h.digest("hex");
}

const STACK = /^\s+at .+(\(|:\d+:\d+)/m;

/** Runs one case in a fresh temp folder; the folder is removed afterwards unless `keep`. */
export async function runHostileCase(
  c: HostileCase,
  opts: { keep?: boolean; guardMs?: number } = {},
): Promise<HostileResult> {
  const dir = mkdtempSync(join(tmpdir(), `hostile-${c.name}-`));
  const canary = `CANARY-${randomBytes(12).toString("hex")}`;
  const canaryPath = join(dir, "canary-outside-export.txt");
  writeFileSync(canaryPath, `${canary}\n`);
  try {
    const run = await c.make(dir, canaryPath);
    const before = hashTree(run.exportDir);
    const guardMs = opts.guardMs ?? 10 * c.limitMs + 20_000;
    const t0 = performance.now();
    const child = spawn(process.execPath, ["--import", TSX_LOADER, join(root, "src", "cli", "bin.ts"), ...run.argv], {
      cwd: run.cwd ?? dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    const cap = 4 << 20; // keep at most 4 MB of each stream
    child.stdout.on("data", (b: Buffer) => stdout.length < cap && (stdout += b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => stderr.length < cap && (stderr += b.toString("utf8")));
    let peak = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        /* gone */
      }
    }, 50);
    let hung = false;
    const guard = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, guardMs);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) =>
      child.on("close", (code, signal) => res([code, signal])),
    );
    clearTimeout(guard);
    clearInterval(poll);
    const ms = performance.now() - t0;
    const after = hashTree(run.exportDir);
    return {
      code,
      signal,
      stdout,
      stderr,
      ms,
      peakRssMb: Math.round(peak),
      hung,
      exportChanged: before !== after,
      canaryLeaked: stdout.includes(canary) || stderr.includes(canary),
      stackTrace: STACK.test(stdout) || STACK.test(stderr),
    };
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** The assertions every hostile case must pass; returns a list of failures (empty = pass). */
export function hostileFailures(c: HostileCase, r: HostileResult): string[] {
  const f: string[] = [];
  if (r.hung) f.push(`did not end within the hang guard (${Math.round(r.ms)} ms)`);
  if (r.canaryLeaked) f.push("printed the content of a file outside the export");
  if (r.exportChanged) f.push("changed something inside the export");
  if (r.stackTrace) f.push("printed a JavaScript stack trace");
  if (!r.hung && !c.exitCodes.includes(r.code ?? -1))
    f.push(`exit code ${r.code ?? r.signal} (expected ${c.exitCodes.join(" or ")})`);
  if (f.length === 0 && c.check) {
    try {
      c.check(r);
    } catch (e) {
      f.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (f.length) f.push(`stdout: ${r.stdout.slice(0, 600)}`, `stderr: ${r.stderr.slice(0, 600)}`);
  return f;
}
