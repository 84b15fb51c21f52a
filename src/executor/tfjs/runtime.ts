/**
 * The one place that initialises tfjs backends. The executor is always bundled with esbuild
 * (mainFields module,main; CJS) so tfjs-core, the backends and tfjs-converter's deep imports share
 * one engine. wasm (SIMD, single-threaded) is the default; cpu carries the kernels wasm lacks.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

export type BackendName = "wasm" | "cpu";

let ready: Promise<void> | undefined;
let wasmOk = false;
let wasmError = "";

/** Finds the directory holding tfjs-backend-wasm's .wasm files (package dir or next to the bundle). */
function defaultWasmDir(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const req: NodeRequire | undefined = typeof require === "function" ? require : undefined;
    if (!req) return undefined;
    const pkg = req.resolve("@tensorflow/tfjs-backend-wasm/package.json");
    return pkg.slice(0, pkg.length - "package.json".length) + "dist/";
  } catch {
    return typeof __dirname === "string" ? __dirname + "/" : undefined;
  }
}

function missingWasmFile(dir: string): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = typeof require === "function" ? (require("node:fs") as typeof import("node:fs")) : undefined;
    if (!fs) return undefined;
    const want = ["tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm.wasm"].map((f) => dir + f);
    return want.some((f) => fs.existsSync(f)) ? undefined : want[0];
  } catch {
    return undefined;
  }
}

/** Registers the backends once. wasm failures are remembered and reported; cpu always works. */
export async function initBackends(opts: { wasmDir?: string } = {}): Promise<void> {
  if (ready) return ready;
  ready = (async () => {
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    // PROD: no debug checks and no "install tfjs-node" banner on stderr.
    tf.env().set("PROD", true);
    const dir = opts.wasmDir ?? defaultWasmDir();
    if (dir) {
      const d = dir.endsWith("/") ? dir : dir + "/";
      setWasmPaths({
        "tfjs-backend-wasm.wasm": d + "tfjs-backend-wasm.wasm",
        "tfjs-backend-wasm-simd.wasm": d + "tfjs-backend-wasm-simd.wasm",
        "tfjs-backend-wasm-threaded-simd.wasm": d + "tfjs-backend-wasm-threaded-simd.wasm",
      });
    }
    // Missing .wasm files make emscripten print aborts on stderr: look before trying.
    const missing = dir ? missingWasmFile(dir.endsWith("/") ? dir : dir + "/") : undefined;
    if (missing) {
      wasmOk = false;
      wasmError = `${missing} not found`;
    } else
      try {
        wasmOk = await tf.setBackend("wasm");
        if (!wasmOk)
          wasmError = `could not initialise (looked for its .wasm files in ${dir ?? "the default location"})`;
      } catch (e) {
        wasmOk = false;
        wasmError = (e as Error)?.message ?? String(e);
      }
    await tf.setBackend("cpu");
  })();
  return ready;
}

/** Switches the active backend; returns the backend actually in use. */
export async function useBackend(name: BackendName): Promise<BackendName> {
  await initBackends();
  const want = name === "wasm" && !wasmOk ? "cpu" : name;
  if (tf.getBackend() !== want) await tf.setBackend(want);
  return want;
}

export function wasmAvailable(): boolean {
  return wasmOk;
}

/** Why tfjs-backend-wasm is not available ("" when it is). */
export function wasmUnavailableReason(): string {
  return wasmOk ? "" : wasmError;
}

/** True when the backend registers a kernel for a tfjs kernel name (e.g. "Conv2D"). */
export function backendHasKernel(kernelName: string, backend: string): boolean {
  return tf.getKernel(kernelName, backend) !== undefined;
}

/** Ops that run on tfjs-cpu while wasm is active (wasm lacks their kernels; learned from errors, plus known ones). */
export const CPU_ROUTED = new Set<string>(["RaggedTensorToTensor", "Einsum"]);

export const NOT_REGISTERED = /not registered for backend|not yet implemented on wasm|is not supported on wasm/i;

/** Runs `f` with tfjs-cpu as the active backend (tensors migrate on read), then switches back. */
export async function onCpu<T>(f: () => T | Promise<T>): Promise<T> {
  const prev = tf.getBackend();
  if (prev === "cpu") return f();
  await tf.setBackend("cpu");
  try {
    return await f();
  } finally {
    await tf.setBackend(prev);
  }
}

/**
 * Ends an engine scope without letting a failure there (e.g. a wasm module already broken by the run)
 * hide the run's own error; returns the cleanup error, if any.
 */
export function endScopeSafely(keep: tf.Tensor[] = []): Error | undefined {
  try {
    tf.engine().endScope(keep);
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

export { tf };
