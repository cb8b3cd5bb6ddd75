/** The heaps an exact page is assembled with (searcher.ts). */

/** (distance, id) order: a before b. */
const before = (da: number, ia: number, db: number, ib: number): boolean => da < db || (da === db && ia < ib);

/** Min-heap over positions 0..size-1 of (key, idx), built in O(n). */
export class MinHeap {
  constructor(
    private readonly key: Float64Array,
    private readonly idx: Int32Array,
    public size: number,
  ) {
    for (let i = (size >> 1) - 1; i >= 0; i--) this.down(i);
  }
  topKey(): number {
    return this.key[0]!;
  }
  pop(): number {
    const top = this.idx[0]!;
    this.size--;
    if (this.size > 0) {
      this.key[0] = this.key[this.size]!;
      this.idx[0] = this.idx[this.size]!;
      this.down(0);
    }
    return top;
  }
  private down(i: number): void {
    const { key, idx, size } = this;
    const k = key[i]!;
    const v = idx[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const c = l + 1 < size && key[l + 1]! < key[l]! ? l + 1 : l;
      if (key[c]! >= k) break;
      key[i] = key[c]!;
      idx[i] = idx[c]!;
      i = c;
    }
    key[i] = k;
    idx[i] = v;
  }
}

/** Max-heap by (distance, id) in two parallel arrays. */
export function pushWorst(d: number[], id: number[], dist: number, photoId: number): void {
  let i = d.length;
  d.push(dist);
  id.push(photoId);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(d[p]!, id[p]!, dist, photoId)) break;
    d[i] = d[p]!;
    id[i] = id[p]!;
    i = p;
  }
  d[i] = dist;
  id[i] = photoId;
}

export function replaceWorst(d: number[], id: number[], dist: number, photoId: number): void {
  const n = d.length;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const c = l + 1 < n && before(d[l]!, id[l]!, d[l + 1]!, id[l + 1]!) ? l + 1 : l;
    if (!before(dist, photoId, d[c]!, id[c]!)) break;
    d[i] = d[c]!;
    id[i] = id[c]!;
    i = c;
  }
  d[i] = dist;
  id[i] = photoId;
}
