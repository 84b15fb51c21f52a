/**
 * The WebAssembly globals Node has at run time but whose types only TypeScript's DOM/WebWorker libs declare:
 * tsconfig.node.json (no DOM) includes this file; tsconfig.json (DOM) does not. Only what src/ uses.
 */
declare namespace WebAssembly {
  type Bytes = ArrayBuffer | ArrayBufferView;
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  class Module {
    constructor(bytes: Bytes);
  }
  class Instance {
    constructor(module: Module, importObject?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  function validate(bytes: Bytes): boolean;
}
