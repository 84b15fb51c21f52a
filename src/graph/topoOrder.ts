/**
 * Topological positions that keep GraphDef order: among ready nodes the lowest index goes first
 * (a binary heap), and a cycle is broken at the lowest node not yet placed. `indeg` is consumed.
 */
export function stableTopoOrder(
  n: number,
  indeg: Int32Array,
  forEachSuccessor: (v: number, visit: (t: number) => void) => void,
): Int32Array {
  const pos = new Int32Array(n).fill(-1);
  const heap: number[] = [];
  const push = (v: number) => {
    heap.push(v);
    for (let i = heap.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (heap[p] <= heap[i]) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l] < heap[m]) m = l;
        if (r < heap.length && heap[r] < heap[m]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  for (let v = 0; v < n; v++) if (indeg[v] === 0) push(v);
  let scan = 0;
  const visit = (t: number) => {
    if (pos[t] < 0 && --indeg[t] === 0) push(t);
  };
  for (let k = 0; k < n; k++) {
    let v: number;
    if (heap.length) v = pop();
    else {
      while (pos[scan] >= 0) scan++;
      v = scan;
    }
    if (pos[v] >= 0) {
      k--;
      continue;
    }
    pos[v] = k;
    forEachSuccessor(v, visit);
  }
  return pos;
}
