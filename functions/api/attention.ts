// /attention: what needs a human in the caller's org (not acknowledged, escalation, opted out, unreachable) and its resolution.
import { z } from 'zod';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import { ATTENTION_LIMITS } from '../../core/domain/attention.ts';
import type { AttentionQueue } from '../../core/ports/attention-queue.ts';
import type { EventBus } from '../../core/ports/event-bus.ts';
import { publishNotice } from '../../core/operations/publish-notice.ts';
import type { Logger } from '../../core/support/log.ts';
import type { ListAttentionResponse, ResolveAttentionRequest } from '../../core/protocol/rest-api.ts';
import type { Clock } from '../../core/support/clock.ts';
import { AppError } from '../../core/support/errors.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import { withAuth } from './authenticate.ts';
import { jsonBody, pageQuery, queryObject, resourceId, validate } from './request-input.ts';

/** Page sizes of `GET /attention`. */
export const ATTENTION_PAGE = { default: 50, max: 200 } as const;

export interface AttentionDeps {
  verifyToken: TokenVerifier;
  attention: AttentionQueue;
  clock: Clock;
  /** Carries `attention_resolved` to the worker (analytics) and the relay. */
  bus: EventBus;
  logger: Logger;
}

const listQuery = pageQuery(ATTENTION_PAGE.max).extend({
  state: z.enum(['open', 'resolved', 'all'], { error: 'must be open, resolved or all' }).optional(),
});

const resolveSchema = z.object({
  note: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'is required')
    .max(ATTENTION_LIMITS.noteMax, `is longer than ${ATTENTION_LIMITS.noteMax} characters`),
});

/** Newest first; `state` open (default), resolved or all. */
export function createListAttentionHandler(deps: AttentionDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const q = validate(listQuery, queryObject(req.query), 'query');
    const page = await deps.attention.list(principal.org, {
      state: q.state ?? 'open',
      limit: q.limit ?? ATTENTION_PAGE.default,
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    return json(200, {
      items: page.items,
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    } satisfies ListAttentionResponse);
  });
}

/**
 * 200 with the item, `resolved { by, at, note }` recorded once; 409 `already_resolved` (details: who and when) if it
 * was resolved before; 404 when unknown or another org's.
 */
export function createResolveAttentionHandler(deps: AttentionDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const attentionId = resourceId(req, 'attentionId', 'attention item');
    const input: ResolveAttentionRequest = validate(resolveSchema, jsonBody(req));
    const result = await deps.attention.resolve(principal.org, attentionId, {
      by: principal.sub,
      at: deps.clock.now().toISOString(),
      note: input.note,
    });
    switch (result.outcome) {
      case 'resolved':
        // Only the resolve that recorded the resolution announces it (a repeat answers 409), so it is sent once.
        await publishNotice(deps, principal.org, { kind: 'attention_resolved', item: result.item });
        return json(200, result.item);
      case 'already_resolved':
        throw new AppError('already_resolved', 'the item was resolved before', {
          details: { by: result.item.resolved?.by, at: result.item.resolved?.at },
        });
      case 'not_found':
        throw new AppError('not_found', 'attention item not found');
    }
  });
}
