// Read-only collections for the frozen model. Object.freeze cannot stop Map#set or Set#add,
// so the model's maps and sets are these subclasses, which refuse mutation once built: the
// data path can share the model across connections without anyone changing it underneath.

const FROZEN = 'the configuration model is frozen';

class FrozenMap<K, V> extends Map<K, V> {
  constructor(entries: Iterable<readonly [K, V]>) {
    super();
    for (const [k, v] of entries) super.set(k, v);
    Object.freeze(this);
  }
  override set(): this {
    throw new TypeError(FROZEN);
  }
  override delete(): boolean {
    throw new TypeError(FROZEN);
  }
  override clear(): void {
    throw new TypeError(FROZEN);
  }
}

class FrozenSet<T> extends Set<T> {
  constructor(values: Iterable<T>) {
    super();
    for (const v of values) super.add(v);
    Object.freeze(this);
  }
  override add(): this {
    throw new TypeError(FROZEN);
  }
  override delete(): boolean {
    throw new TypeError(FROZEN);
  }
  override clear(): void {
    throw new TypeError(FROZEN);
  }
}

export function frozenMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  return new FrozenMap(entries);
}

export function frozenSet<T>(values: Iterable<T>): ReadonlySet<T> {
  return new FrozenSet(values);
}

/** Freezes a copy of an array of already-frozen items. */
export function frozenArray<T>(items: readonly T[]): readonly T[] {
  return Object.freeze([...items]);
}
