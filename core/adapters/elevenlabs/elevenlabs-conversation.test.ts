// ElevenLabs conversation mapping, shared by the post-call webhook and GET conversation (ElevenLabsAgent).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ElevenLabsAgent } from './elevenlabs-agent.ts';
import {
  conversationEndedAt,
  dataCollection,
  transcriptTurns,
} from '../../domain/elevenlabs-conversation.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** An ElevenLabs stand-in answering every GET conversation with `body`. */
async function agentAnswering(body: unknown): Promise<ElevenLabsAgent> {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return new ElevenLabsAgent({
    apiKey: 'xi-test',
    agentId: 'agent_1',
    agentPhoneNumberId: 'pn_1',
    baseUrl: `http://127.0.0.1:${port}`,
    timeoutMs: 2000,
  });
}

const conversation = (metadata: Record<string, unknown>) => ({
  agent_id: 'agent_1',
  conversation_id: 'conv_1',
  status: 'done',
  transcript: [
    { role: 'agent', message: 'Hi Sam', time_in_call_secs: 0 },
    { role: 'user', message: null, time_in_call_secs: 1 },
    { role: 'user', message: 'On my way', time_in_call_secs: 2.5 },
  ],
  metadata,
  has_audio: true,
  has_user_audio: true,
  has_response_audio: true,
  has_auxiliary_audio: false,
});

describe('ElevenLabs conversation mapping', () => {
  it('maps turns (skipping ones without text) and data-collection results', () => {
    expect(
      transcriptTurns([
        { role: 'agent', message: 'Hi', timeInCallSecs: 0 },
        { role: 'user', message: null, timeInCallSecs: 1 },
        { role: 'tool', message: 'x' },
        { role: 'user', message: 'Yes' },
      ]),
    ).toEqual([
      { speaker: 'agent', text: 'Hi', offsetSecs: 0 },
      { speaker: 'driver', text: 'Yes', offsetSecs: 0 },
    ]);
    expect(
      dataCollection({ eta: { value: '5 pm', rationale: 'said so' }, ack: { rationale: null } }),
    ).toEqual({
      eta: { value: '5 pm', rationale: 'said so' },
      ack: { value: null },
    });
  });

  it.each([
    [1739537297, 0, '2025-02-14T12:48:17.000Z'],
    [1739537297, 3, '2025-02-14T12:48:20.000Z'],
    [1e300, 22, undefined],
    [Number.NaN, 1, undefined],
    [null, 1, undefined],
    [1739537297, null, undefined],
  ])('conversationEndedAt(%s, %s) → %s', (start, duration, iso) => {
    expect(conversationEndedAt(start, duration)).toBe(iso);
  });

  it('GET conversation with an end time no Date can hold answers without endedAt instead of throwing', async () => {
    const agent = await agentAnswering(conversation({ start_time_unix_secs: 1e300, call_duration_secs: 22 }));
    const snapshot = await agent.getConversation('conv_1');
    expect(snapshot).toMatchObject({ conversationId: 'conv_1', durationSecs: 22 });
    expect(snapshot).not.toHaveProperty('endedAt');
    expect(snapshot?.turns).toEqual([
      { speaker: 'agent', text: 'Hi Sam', offsetSecs: 0 },
      { speaker: 'driver', text: 'On my way', offsetSecs: 2.5 },
    ]);
  });

  it('GET conversation gives endedAt = start + duration', async () => {
    const agent = await agentAnswering(
      conversation({ start_time_unix_secs: 1739537297, call_duration_secs: 22 }),
    );
    await expect(agent.getConversation('conv_1')).resolves.toMatchObject({
      endedAt: '2025-02-14T12:48:39.000Z',
    });
  });
});
