// The engine is compiled with ES2023 and Node's types, neither of which declares the WebAssembly
// global (it lives in TypeScript's DOM lib, which engine code must not see). Declared here: only
// the part the engine's WebAssembly kernels use, as Node and Electron implement it.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}
