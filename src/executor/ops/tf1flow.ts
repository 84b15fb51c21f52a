import type { KernelTable } from "../kernel.js";

export const tf1FlowKernels: KernelTable = {};
