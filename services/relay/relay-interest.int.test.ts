// The relay decodes only bus messages someone on it watches; what it refuses still reaches a later subscriber.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import {
  appendSegments,
  publishEvents,
  range,
  seedCall,
  startRelay,
  TestSocket,
  type RelayFixture,
} from './relay.test-kit.ts';

const newId = () => `interest-${randomUUID().slice(0, 8)}`;

describe.each(BACKENDS)('relay interest (%s backend)', (backendName) => {
  const skip = backendName === 'google' && !emulatorsAvailable();
  let fx: RelayFixture;
  const sockets: TestSocket[] = [];
  const open = async (claims?: { org?: string }) => {
    const socket = await TestSocket.open(fx.url, await fx.token(claims));
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    if (!skip) fx = await startRelay(backendName, { maxIdleFeeds: 0 });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await fx?.close();
  });

  it.skipIf(skip)('wants a call once someone follows it or its org list, not before', async () => {
    const watched = newId();
    const other = newId();
    await seedCall(fx.backend, watched, { orgId: 'org-i' });
    const { hub } = fx.relay;
    const route = (callId: string, type: 'event' | 'partial' = 'event') => ({ type, orgId: 'org-i', callId });
    expect(hub.wants(route(watched))).toBe(false);
    expect(hub.wants({ type: 'notice', orgId: 'org-i' })).toBe(false);

    const follower = await open({ org: 'org-i' });
    follower.send({ type: 'subscribe', callId: watched });
    await follower.waitFor((m) => m.type === 'subscribed');
    expect(hub.wants(route(watched))).toBe(true);
    expect(hub.wants(route(watched, 'partial'))).toBe(true);
    expect(hub.wants(route(other))).toBe(false);
    expect(hub.wants(route(other, 'partial'))).toBe(false);

    const board = await open({ org: 'org-i' });
    board.send({ type: 'subscribe_calls' });
    await board.waitFor((m) => m.type === 'calls');
    // A call list needs every durable event of its org (call_updated), but no partials without utterances.
    expect(hub.wants(route(other))).toBe(true);
    expect(hub.wants(route(other, 'partial'))).toBe(false);
    expect(hub.wants({ type: 'event', orgId: 'org-other', callId: other })).toBe(false);
  });

  it.skipIf(skip)(
    'delivers events refused while nobody watched, from the store, then live ones, once and in order',
    async () => {
      const callId = newId();
      const { call, events } = await seedCall(fx.backend, callId, { orgId: 'org-late', count: 5 });
      // Published while no socket of the relay watches the call: refused before decoding.
      await publishEvents(fx.backend, call, events);
      const socket = await open({ org: 'org-late' });
      socket.send({ type: 'subscribe', callId });
      await socket.waitForSeq(callId, 5, 20_000);
      const more = await appendSegments(fx.backend, callId, 3);
      await publishEvents(fx.backend, more.call, more.events);
      await socket.waitForSeq(callId, 8, 20_000);
      expect(socket.seqs(callId)).toEqual(range(1, 8));
    },
  );
});
