import type { KernelTable } from "../kernel.js";

export const miscKernels: KernelTable = {};
