/**
 * What recent searches computed, kept for their next pages: the query vectors (so a next page does
 * not encode its text or dropped image again) and the fused head of a text query (so it does not
 * search the text and the visual window again). A few dozen entries, least recently used first out.
 */
export class RecentCache<T> {
  private readonly map = new Map<string, T>();

  constructor(private readonly capacity = 32) {}

  get(key: string): T | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: T): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
}
