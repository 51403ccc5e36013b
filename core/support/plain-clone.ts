// Deep copies of plain data (records, arrays, primitives) at a fraction of `structuredClone`'s cost.

/**
 * A deep copy of `value` that a caller may mutate without touching the original. Plain objects and arrays are copied
 * level by level; primitives (strings included) are immutable and kept. A frozen object or array is immutable too,
 * so it is shared rather than copied: that is how a store hands out big, never-changing parts (a call's search
 * tokens) without copying them per read. Anything else (Date, Map, class instances) goes through `structuredClone`,
 * so the result is never a partial copy.
 *
 * Why: `structuredClone` serializes and re-creates every string; on the ingest path it was the biggest self-time item.
 */
export function copyPlain<T>(value: T): T {
  return copyValue(value) as T;
}

function copyValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyValue(value[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copied = copyValue((value as Record<string, unknown>)[key]);
    // Assigning `__proto__` would set the prototype; parsed JSON may carry it as a plain data key.
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: copied,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = copied;
  }
  return out;
}
