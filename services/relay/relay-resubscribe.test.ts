// Resubscribes are served from where the socket is, and replays are charged to the socket's inbound budget.
import { afterEach, describe, expect, it } from 'vitest';
import { range, seedCall, startRelay, TestSocket, type RelayFixture } from './relay.test-kit.ts';

const eventFrames = (s: TestSocket, callId: string) => s.seqs(callId).length;
const count = (s: TestSocket, type: string) => s.messages.filter((m) => m.type === type).length;

describe('resubscribe amplification', () => {
  let fx: RelayFixture;
  const sockets: TestSocket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await fx.close();
  });
  const open = async () => {
    const socket = await TestSocket.open(fx.url, await fx.token());
    sockets.push(socket);
    return socket;
  };

  it('does not replay what the socket was already sent: N resubscribes cost N subscribed frames, no events', async () => {
    fx = await startRelay('memory', { ringSize: 16 });
    const callId = 'resub';
    await seedCall(fx.backend, callId, { count: 200 });
    const s = await open();
    s.send({ type: 'subscribe', callId });
    await s.waitForSeq(callId, 200);
    const resubscribes = 30;
    for (let i = 0; i < resubscribes; i++) {
      // Without afterSeq, and with afterSeq behind what the socket already has.
      s.send(i % 2 ? { type: 'subscribe', callId } : { type: 'subscribe', callId, afterSeq: i });
    }
    s.send({ type: 'ping' });
    await s.waitFor((m) => m.type === 'pong');
    await s.waitFor(() => count(s, 'subscribed') === resubscribes + 1);
    expect(eventFrames(s, callId)).toBe(200);
    expect(s.seqs(callId)).toEqual(range(1, 200));
    // auth + (subscribed × 31) + 200 events + pong: bounded by the messages sent, not by the history.
    expect(s.messages.length).toBe(1 + resubscribes + 1 + 200 + 1);
  });

  it('still sends what a resume asks for beyond what the socket has, and a fresh subscribe after unsubscribe', async () => {
    fx = await startRelay('memory', { ringSize: 4 });
    const callId = 'resume';
    await seedCall(fx.backend, callId, { count: 20 });
    const s = await open();
    s.send({ type: 'subscribe', callId, afterSeq: 15 });
    await s.waitForSeq(callId, 20);
    s.send({ type: 'unsubscribe', callId });
    await s.waitFor((m) => m.type === 'unsubscribed');
    s.send({ type: 'subscribe', callId, afterSeq: 10 });
    await s.waitFor(() => count(s, 'subscribed') === 2);
    await s.waitFor(() => eventFrames(s, callId) === 5 + 10);
    expect(s.seqs(callId)).toEqual([...range(16, 20), ...range(11, 20)]);
  });

  it('closes a socket that floods unsubscribe/subscribe on a long call with 1008, after a bounded number of sends', async () => {
    const history = 1000;
    fx = await startRelay('memory', { maxMessagesPerSec: 20, replayEventsPerMessage: 50, ringSize: 16 });
    const callId = 'flood';
    await seedCall(fx.backend, callId, { count: history });
    const s = await open();
    // Each round reads its whole replay before asking again, as a determined client would; 40 rounds are 80 frames,
    // within the burst (103), so only the replay charge can close the socket.
    const rounds = 40;
    let closed = false;
    void s.closed.then(() => (closed = true));
    let lastOfHistory = 0; // replays read to the end
    s.ws.on('message', (data) => {
      if (String(data).includes(`"seq":${history},`)) lastOfHistory++;
    });
    let round = 0;
    for (; round < rounds && !closed; round++) {
      s.send({ type: 'subscribe', callId });
      const deadline = Date.now() + 10_000;
      while (!closed && lastOfHistory <= round && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      s.send({ type: 'unsubscribe', callId });
    }
    expect(round).toBeLessThan(rounds);
    expect((await s.closed).code).toBe(1008);
    // Budget: burst (103) plus as much debt, at 50 events per frame, plus what refills while the test runs.
    const bound = 2 * 103 * 50 + 2 * history;
    expect(eventFrames(s, callId)).toBeLessThan(bound);
    expect(bound).toBeLessThan(rounds * history);
  });
});
