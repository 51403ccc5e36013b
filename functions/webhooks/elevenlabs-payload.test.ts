// parseElevenLabsWebhook: tolerant of extra and missing optional fields, strict on what callrelay relies on.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/support/errors.ts';
import { conversationDrafts } from '../../core/domain/elevenlabs-conversation.ts';
import { parseElevenLabsWebhook } from './elevenlabs-payload.ts';

const parse = (payload: unknown) => parseElevenLabsWebhook(JSON.stringify(payload));

describe('parseElevenLabsWebhook', () => {
  it('parses a minimal transcription (exclude_transcript, no analysis) and ignores unknown fields', () => {
    const parsed = parse({
      type: 'post_call_transcription',
      event_timestamp: 1_768_478_400,
      future_field: { x: 1 },
      data: { conversation_id: 'conv_1', status: 'done', has_audio: true, brand_new: [1, 2] },
    });
    expect(parsed).toEqual({
      kind: 'post_call_transcription',
      conversationId: 'conv_1',
      conversationStatus: 'done',
      turns: [],
      dataCollection: {},
      endedAt: '2026-01-15T12:00:00.000Z',
    });
  });

  it.each([
    ['a valid callrelay_call_id', 'call_123', { callId: 'call_123' }],
    ['a malformed callrelay_call_id', '../../etc', { callIdRejected: true }],
    ['a non-string callrelay_call_id', 42, { callIdRejected: true }],
  ])('takes %s', (_case, value, expected) => {
    const parsed = parse({
      type: 'post_call_transcription',
      data: {
        conversation_id: 'c',
        conversation_initiation_client_data: { dynamic_variables: { callrelay_call_id: value } },
      },
    });
    expect(parsed).toMatchObject(expected);
  });

  it('keys the two drafts of a transcription apart, both by conversation id', () => {
    const parsed = parse({ type: 'post_call_transcription', data: { conversation_id: 'c9' } });
    if (parsed.kind !== 'post_call_transcription') throw new Error('unexpected kind');
    expect(conversationDrafts(parsed, 'elevenlabs_webhook').map((d) => d.dedupeKey)).toEqual([
      'elevenlabs:c9:post_call_transcription.call_status',
      'elevenlabs:c9:post_call_transcription',
    ]);
  });

  it('reads the CallSid of a Twilio initiation failure and defaults a missing reason to unknown', () => {
    expect(
      parse({
        type: 'call_initiation_failure',
        data: { conversation_id: 'c', metadata: { type: 'twilio', body: { CallSid: 'CA1' } } },
      }),
    ).toEqual({
      kind: 'call_initiation_failure',
      conversationId: 'c',
      callSid: 'CA1',
      failureReason: 'unknown',
    });
  });

  it('reports paths, not values, when data is malformed', () => {
    try {
      parse({
        type: 'post_call_transcription',
        data: { conversation_id: 7, metadata: { phone_call: { call_sid: 5 } } },
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('invalid_payload');
      expect(JSON.stringify((err as AppError).details)).toContain('metadata.phone_call.call_sid');
    }
  });
});
