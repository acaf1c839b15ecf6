// A small least-recently-used map: the per-process caches of what the SPMC derives from image
// bytes (image-contract.ts) and the staging area's primed modules (staging.ts).
export class LruMap<V> {
  private readonly map = new Map<string, V>();
  constructor(readonly limit: number) {}

  /** The value for `key`, made by `make()` on a miss (a throw caches nothing); the oldest entry goes past `limit`. */
  get(key: string, make: () => V): V {
    let v = this.map.get(key);
    if (v === undefined) v = make();
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value!);
    return v;
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
