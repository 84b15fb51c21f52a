export interface LargeGraphOptions { nodes?: number; functions?: number }
export function largeGraph(_o: LargeGraphOptions = {}): never { throw new Error("todo"); }
