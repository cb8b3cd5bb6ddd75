/**
 * The query vectors of recent searches, so that the next pages of a list do not encode its text
 * (or its dropped image) again: a few dozen small vectors, least recently used first out.
 */
export class QueryVectorCache {
  private readonly map = new Map<string, Float32Array>();

  constructor(private readonly capacity = 32) {}

  get(key: string): Float32Array | undefined {
    const v = this.map.get(key);
    if (v) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, vector: Float32Array): void {
    this.map.delete(key);
    this.map.set(key, vector);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
}
