// Turns the API's validation `details` into messages per form field (`violations.0.description` → "Too long").

/** Field path (dot-joined, e.g. `phoneNumber`, `violations.1.description`) → message. `''` = the whole form. */
export type FieldErrors = Map<string, string>;

/**
 * Reads the API's `validation_failed` details, a list of `{field, problem}` (`field` dotted, `(body)` for the whole
 * request); also tolerates `{path, message}` issues and field → message maps, so a format change degrades gracefully.
 */
export function fieldErrorsFrom(details: unknown): FieldErrors {
  const out: FieldErrors = new Map();
  const add = (path: string, message: unknown) => {
    const text = Array.isArray(message) ? message.filter((m) => typeof m === 'string').join(' ') : message;
    if (typeof text === 'string' && text && !out.has(path)) out.set(path, text);
  };
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const issue of value) {
        if (typeof issue !== 'object' || issue === null) continue;
        const { path, field, message, problem } = issue as Record<string, unknown>;
        add(pathKey(path ?? field), message ?? problem);
      }
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    for (const nested of ['issues', 'errors', 'fields', 'fieldErrors']) {
      if (nested in record) return visit(record[nested]);
    }
    for (const [path, message] of Object.entries(record)) add(path, message);
  };
  visit(details);
  return out;
}

function pathKey(path: unknown): string {
  if (Array.isArray(path)) return path.map(String).join('.');
  if (path === '(body)') return '';
  if (typeof path === 'string') return path.replace(/\[(\d+)\]/g, '.$1').replace(/^\$?\.?/, '');
  return '';
}
