import type { KernelTable } from "../kernel.js";

export const parsingKernels: KernelTable = {};
