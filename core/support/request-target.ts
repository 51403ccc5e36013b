// The path and query of an HTTP request target, parsed without ever throwing: servers answer 400 to what is not one.

export interface RequestTarget {
  /** Percent-encoded path with dot segments resolved, always starting with `/`. */
  path: string;
  /** `?…` or empty. */
  search: string;
}

/**
 * Parses an origin-form (`/a/b?c`) or absolute-form (`http://host/a/b?c`) request target; null for anything else
 * (`*`, authority-form, targets no URL parser accepts such as `//a:99999/` read as an authority or `http://[`).
 * Origin-form is resolved against a fixed origin, so a target starting with `//` stays a path and never names a host.
 */
export function parseRequestTarget(raw: string | undefined): RequestTarget | null {
  const target = raw ?? '/';
  let url: URL;
  try {
    if (target.startsWith('/')) url = new URL(`http://request-target${target}`);
    else if (/^https?:\/\//i.test(target)) url = new URL(target);
    else return null;
  } catch {
    return null;
  }
  return { path: url.pathname, search: url.search };
}

/** `decodeURIComponent` that answers null for malformed percent-encoding (`%ZZ`, a lone `%E0`) instead of throwing. */
export function decodePathSegment(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}
