// The route table: provider REST paths → handlers, each tagged with its provider (for auth and error shapes).
import type { ElevenLabsApi } from './elevenlabs-api.ts';
import { pathSegment, type SimRequest, type SimResponse } from './http-io.ts';
import type { TwilioApi } from './twilio-api.ts';
import type { SimRoute } from './types.ts';

export interface Route {
  route: SimRoute;
  provider: 'twilio' | 'elevenlabs';
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** `groups` are the pattern's captures in order. May throw MalformedRequestError (answered 400). */
  handle(req: SimRequest, groups: string[]): SimResponse;
}

const SEGMENT = '([^/]+)';

export function buildRoutes(twilio: TwilioApi, elevenlabs: ElevenLabsApi): Route[] {
  const account = `^/2010-04-01/Accounts/${SEGMENT}`;
  const twilioRoute = (
    route: SimRoute,
    method: 'GET' | 'POST',
    path: string,
    handle: (req: SimRequest, groups: string[]) => SimResponse,
  ): Route => ({
    route,
    provider: 'twilio',
    method,
    pattern: new RegExp(`${account}${path}$`),
    handle: (req, groups) => twilio.authorize(req, groups[0] ?? '') ?? handle(req, groups),
  });
  const elevenlabsRoute = (
    route: SimRoute,
    method: 'GET' | 'POST',
    path: string,
    handle: (req: SimRequest, groups: string[]) => SimResponse,
  ): Route => ({
    route,
    provider: 'elevenlabs',
    method,
    pattern: new RegExp(`^${path}$`),
    handle: (req, groups) => elevenlabs.authorize(req) ?? handle(req, groups),
  });
  return [
    elevenlabsRoute('elevenlabs.outbound-call', 'POST', '/v1/convai/twilio/outbound-call', (req) =>
      elevenlabs.outboundCall(req),
    ),
    elevenlabsRoute('elevenlabs.register-call', 'POST', '/v1/convai/twilio/register-call', (req) =>
      elevenlabs.registerCall(req),
    ),
    elevenlabsRoute('elevenlabs.get-conversation', 'GET', `/v1/convai/conversations/${SEGMENT}`, (_req, g) =>
      elevenlabs.getConversation(pathSegment(g[0])),
    ),
    twilioRoute('twilio.create-call', 'POST', '/Calls\\.json', (req) => twilio.createCall(req)),
    twilioRoute('twilio.list-calls', 'GET', '/Calls\\.json', (req, g) => twilio.listCalls(req, g[0] ?? '')),
    twilioRoute('twilio.fetch-call', 'GET', `/Calls/${SEGMENT}\\.json`, (req, g) =>
      twilio.fetchCall(req, g[1] ?? ''),
    ),
    twilioRoute('twilio.update-call', 'POST', `/Calls/${SEGMENT}\\.json`, (req, g) =>
      twilio.updateCall(req, g[1] ?? ''),
    ),
    twilioRoute('twilio.create-transcription', 'POST', `/Calls/${SEGMENT}/Transcriptions\\.json`, (req, g) =>
      twilio.createTranscription(req, g[1] ?? ''),
    ),
    twilioRoute(
      'twilio.update-transcription',
      'POST',
      `/Calls/${SEGMENT}/Transcriptions/${SEGMENT}\\.json`,
      (req, g) => twilio.updateTranscription(req, g[1] ?? '', pathSegment(g[2])),
    ),
  ];
}

export function matchRoute(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; groups: string[] } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, groups: match.slice(1).map((g) => g ?? '') };
  }
  return null;
}
