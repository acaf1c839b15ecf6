// Tables read from build outputs on first use, never at import.

/**
 * A read-only record produced by `load()` on its first access (any property read, `in`,
 * `Object.keys`/`entries`/spread), then served from that one object; writes throw. Lets a
 * package export its layout tables as plain objects without reading a file at import.
 */
export function lazyRecord<T extends object>(load: () => T): Readonly<T> {
  let value: T | null = null;
  const get = (): T => (value ??= Object.freeze(load()));
  const refuse = (): boolean => false;
  return new Proxy({} as T, {
    get: (_t, k) => Reflect.get(get(), k),
    has: (_t, k) => Reflect.has(get(), k),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, k) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), k);
      return d && { value: d.value, writable: false, enumerable: d.enumerable, configurable: true };
    },
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
    setPrototypeOf: refuse,
  });
}
