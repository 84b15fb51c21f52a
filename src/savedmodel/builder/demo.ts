export function demoExport(): never { throw new Error("todo"); }
