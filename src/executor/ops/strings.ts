import type { KernelTable } from "../kernel.js";

export const stringKernels: KernelTable = {};
