// Where the API and the relay live, read at run time from /config.json so one bundle serves every environment.

export interface RuntimeConfig {
  /** Base URL of the REST API, without a trailing slash (e.g. `/api` or `https://api.example.com`). */
  apiBaseUrl: string;
  /** Origin of the relay WebSocket service (`ws://…` or `wss://…`), without the endpoint path. */
  relayUrl: string;
}

/** Same-origin defaults: the API under `/api`, the relay on this host (a reverse proxy or Hosting rewrite). */
export function defaultConfig(location: Location): RuntimeConfig {
  const wsScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return { apiBaseUrl: `${location.origin}/api`, relayUrl: `${wsScheme}//${location.host}` };
}

export async function loadRuntimeConfig(location: Location = window.location): Promise<RuntimeConfig> {
  const fallback = defaultConfig(location);
  let response: Response;
  try {
    response = await fetch(new URL('/config.json', location.href), { cache: 'no-store' });
  } catch {
    return fallback;
  }
  // No config deployed: 404, or an SPA rewrite answering with index.html.
  if (response.status === 404 || !(response.headers.get('content-type') ?? '').includes('json'))
    return fallback;
  if (!response.ok)
    throw new Error(`The dashboard configuration could not be loaded (HTTP ${response.status}).`);
  const raw: unknown = await response.json().catch(() => undefined);
  if (typeof raw !== 'object' || raw === null)
    throw new Error('The dashboard configuration (/config.json) is not valid JSON.');
  const record = raw as Record<string, unknown>;
  return {
    apiBaseUrl: absolute(stringField(record, 'apiBaseUrl') ?? fallback.apiBaseUrl, location.origin),
    relayUrl: (stringField(record, 'relayUrl') ?? fallback.relayUrl).replace(/\/+$/, ''),
  };
}

function stringField(record: Record<string, unknown>, name: string): string | undefined {
  const value = record[name];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function absolute(url: string, origin: string): string {
  return new URL(url, origin).toString().replace(/\/+$/, '');
}
