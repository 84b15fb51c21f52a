/**
 * `npm run bench:hostile`: runs every hostile case of every test/hostile/*.cases.ts module through the harness
 * (the real CLI in a child process) and prints, per case, its class, name, time to stop, peak RSS of the CLI
 * process and pass/fail, then a summary per class. Aims (issue 9): every case stops within 10 s of its own limit
 * and under 1 GB. Filter with substrings: `npm run bench:hostile -- snappy fifo`.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { hostileFailures, runHostileCase, type HostileCase } from "../test/hostile/harness.js";

const dir = new URL("../test/hostile/", import.meta.url).pathname;
const filters = process.argv.slice(2);
const AIM_OVER_LIMIT_MS = 10_000;
const AIM_RSS_MB = 1024;

interface Row {
  c: HostileCase;
  ms: number;
  rss: number;
  ok: boolean;
  aims: boolean;
  why: string;
}

async function main(): Promise<void> {
  const modules = readdirSync(dir)
    .filter((f) => f.endsWith(".cases.ts"))
    .sort();
  const all: HostileCase[] = [];
  for (const m of modules) {
    const mod = (await import(join(dir, m))) as { cases?: HostileCase[] };
    for (const c of mod.cases ?? []) all.push(c);
  }
  const cases = all.filter((c) => !filters.length || filters.some((f) => c.name.includes(f) || c.klass.includes(f)));
  console.log(`hostile bench: ${cases.length} case(s) from ${modules.join(", ")}`);
  console.log(`${"class".padEnd(18)} ${"case".padEnd(46)} ${"ms".padStart(7)} ${"RSS MB".padStart(7)}  result`);

  const rows: Row[] = [];
  for (const c of cases) {
    const r = await runHostileCase(c);
    const failures = hostileFailures(c, r).filter((f) => !f.startsWith("stdout:") && !f.startsWith("stderr:"));
    const aims = r.ms <= c.limitMs + AIM_OVER_LIMIT_MS && r.peakRssMb < AIM_RSS_MB;
    const row: Row = { c, ms: r.ms, rss: r.peakRssMb, ok: failures.length === 0, aims, why: failures.join("; ") };
    rows.push(row);
    console.log(
      `${c.klass.padEnd(18)} ${c.name.padEnd(46)} ${Math.round(r.ms).toString().padStart(7)} ${String(r.peakRssMb).padStart(7)}  ${row.ok ? "pass" : "FAIL"}${aims ? "" : " (misses the aim)"}${row.why ? `  ${row.why}` : ""}`,
    );
  }

  console.log("\nsummary per class (max time to stop, max peak RSS):");
  const classes = [...new Set(rows.map((r) => r.c.klass))];
  for (const k of classes) {
    const rs = rows.filter((r) => r.c.klass === k);
    const pass = rs.filter((r) => r.ok).length;
    console.log(
      `  ${k.padEnd(18)} ${pass}/${rs.length} pass   max ${Math.round(Math.max(...rs.map((r) => r.ms)))} ms   max ${Math.max(...rs.map((r) => r.rss))} MB`,
    );
  }
  const failed = rows.filter((r) => !r.ok).length;
  const missed = rows.filter((r) => !r.aims).length;
  console.log(
    `\n${rows.length - failed}/${rows.length} cases pass; ${rows.length - missed}/${rows.length} meet the aims (stop within ${AIM_OVER_LIMIT_MS / 1000} s of their limit, under ${AIM_RSS_MB} MB)`,
  );
  process.exitCode = failed ? 1 : 0;
}

void main();
