// Document helpers shared by the Firestore adapters: undefined-free data, and ids that are safe as document ids.

/**
 * `value` with every `undefined` object field removed, recursively. Firestore rejects `undefined` unless the client
 * was built with `ignoreUndefinedProperties`; stripping here keeps an adapter correct whatever client it is given, and
 * a `set` of the stripped record removes fields the new record no longer has.
 */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => withoutUndefined(v)) as T;
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
  return out as T;
}

/** Maximum document id size in bytes (Firestore's limit). */
const DOCUMENT_ID_MAX_BYTES = 1500;

/**
 * Whether an id taken from outside (a URL path, a caller) can name a document of a collection as is: not empty, no
 * `/` (which would address a subcollection), not `.`/`..`, not `__…__` (reserved), within 1,500 bytes. An id that
 * is not can name no stored document, so lookups answer "not found" instead of letting the client throw.
 */
export function isDocumentId(id: string): boolean {
  return (
    id.length > 0 &&
    !id.includes('/') &&
    id !== '.' &&
    id !== '..' &&
    !/^__.*__$/.test(id) &&
    Buffer.byteLength(id, 'utf8') <= DOCUMENT_ID_MAX_BYTES
  );
}
