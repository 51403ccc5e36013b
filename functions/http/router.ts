// Path router over HttpHandlers: one table of routes, 404/405 answered in the error envelope.
import { AppError } from '../../core/support/errors.ts';
import type { HttpHandler, HttpRequest } from './http-types.ts';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Literal segments and `:name` parameters, e.g. `/calls/:callId/events`. */
  pattern: string;
  handler: HttpHandler;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export function createRouter(routes: Route[]): HttpHandler {
  const compiled = routes.map(compile);
  const seen = new Set<string>();
  for (const r of compiled) {
    const key = `${r.method} ${r.regex.source}`;
    if (seen.has(key)) throw new TypeError(`route registered twice: ${r.method} ${r.pattern}`);
    seen.add(key);
  }
  return async (req, ctx) => {
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    let pathMatched = false;
    for (const route of compiled) {
      const match = route.regex.exec(path);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeParam(match[i + 1] ?? '')));
      const routed: HttpRequest = { ...req, params };
      return route.handler(routed, ctx);
    }
    if (pathMatched) throw new AppError('method_not_allowed', `${req.method} is not allowed on ${path}`);
    throw new AppError('not_found', `no route for ${req.method} ${path}`);
  };
}

/** A path parameter with its percent-escapes decoded; a malformed escape (`%ZZ`) names no resource: 404. */
function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('not_found', 'the path has a malformed percent-encoding');
  }
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.pattern
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, regex: new RegExp(`^${source}$`), names };
}
