// Call history over HTTP: filters and transcript search on GET /calls, the streamed CSV export, bad filters.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../core/domain/call.ts';
import { CALL_EXPORT_COLUMNS } from '../../core/domain/call-export.ts';
import { dedupeKeys } from '../../core/domain/dedupe-key.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import { ORG, startApiStack, triggerBody, type ApiStack } from './api.test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());

/** Minimal RFC 4180 parser for assertions (quoted cells with doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

/** Seeds `count` finished calls of `org` straight into the store, `concurrency` at a time. */
async function seedCalls(
  store: CallStore,
  org: string,
  count: number,
  call: (i: number) => { driverName?: string; summary?: string; words?: string },
  concurrency = 20,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const c = call(i);
      const callId = `seed_${String(i).padStart(6, '0')}_${org}`;
      await store.createCall({
        callId,
        orgId: org,
        driver: { id: `drv_${i % 7}`, name: c.driverName ?? `Driver ${i}`, phoneNumber: '+15557654321' },
      });
      await store.append(callId, {
        dedupeKey: dedupeKeys.internal(callId, 'done'),
        body: { kind: 'call_status', status: 'completed', source: 'api', durationSecs: 60 },
      });
      await store.append(callId, {
        dedupeKey: dedupeKeys.internal(callId, 'transcript'),
        body: {
          kind: 'transcript',
          conversationId: `conv_${callId}`,
          source: 'elevenlabs_webhook',
          conversationStatus: 'done',
          turns: [{ speaker: 'driver', text: c.words ?? 'ok bye', offsetSecs: 1 }],
          ...(c.summary !== undefined ? { summary: c.summary } : {}),
          dataCollection: { acknowledged: { value: i % 2 === 0 }, eta: { value: `${i} min` } },
        },
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** The JS heap in use after a full collection (V8's gc, exposed at run time for this measurement). */
function liveHeap(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  return process.memoryUsage().heapUsed;
}

describe.each(backends)('call history on %s', (backend) => {
  let stack: ApiStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  const list = async (s: ApiStack, token: string, query: string) => {
    const res = await s.request('GET', `/calls?${query}`, { token });
    expect(res.status).toBe(200);
    return res.body as { calls: Call[]; nextCursor?: string; scanLimited?: true };
  };

  it('finds a call by a word its driver said, filters by outcome and exports it', async () => {
    stack = await startApiStack({ backend, env: { DIAL_MODE: 'elevenlabs' } });
    const token = await stack.login();
    const placed = await stack.request('POST', '/driver_data/call-elevenlabs', {
      token,
      body: triggerBody(),
    });
    expect(placed.status).toBe(201);
    const { callId } = placed.body as { callId: string };
    await stack.settle();

    const ids = async (query: string) => (await list(stack!, token, query)).calls.map((c) => c.callId);
    // "Yeah, I am parked at the truck stop." (the simulator's acknowledged script), any case, any order.
    expect(await ids('q=Truck%20PARKED')).toEqual([callId]);
    expect(await ids('q=parked%20zebra')).toEqual([]);
    expect(await ids('outcome=acknowledged&driverId=drv_42')).toEqual([callId]);
    expect(await ids('outcome=not_acknowledged')).toEqual([]);
    expect(await ids(`from=2000-01-01&to=2000-01-02`)).toEqual([]);
    const shown = (await list(stack, token, 'q=truck')).calls[0]!;
    expect(shown).not.toHaveProperty('searchTokens');
    expect(shown.facets).toEqual({ outcome: 'acknowledged', escalation: false, optedOut: false });

    const csv = await stack.request('GET', '/calls/export?format=csv&q=truck', { token });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toContain('attachment');
    const rows = parseCsv(csv.text);
    expect(rows[0]).toEqual([...CALL_EXPORT_COLUMNS]);
    expect(rows).toHaveLength(2);
    const row = Object.fromEntries(CALL_EXPORT_COLUMNS.map((col, i) => [col, rows[1]![i]]));
    expect(row).toMatchObject({ callId, driverId: 'drv_42', driverName: 'Sam Carter', acknowledged: 'true' });
    expect(csv.text).not.toContain('5551234567');
  });

  it.each([
    ['from=yesterday', 'query.from'],
    ['to=2030-13-01', 'query.to'],
    ['from=2030-02-01&to=2030-01-01', 'query.from'],
    ['outcome=maybe', 'query.outcome'],
    ['q=the%20and%20of', 'query.q'],
    ['q=(501 characters)', 'query.q'],
    ['campaignId=', 'query.campaignId'],
  ])('answers 422 naming the field for %s', async (query, field) => {
    stack ??= await startApiStack({ backend });
    const token = await stack.login();
    for (const path of ['/calls', '/calls/export']) {
      const q = query.replace('(501 characters)', 'x'.repeat(501));
      const res = await stack.request('GET', `${path}?${q}`, { token });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ error: { code: 'validation_failed', details: [{ field }] } });
    }
  });

  it('export: format other than csv is 422, a bad cursor 400, no token 401', async () => {
    stack = await startApiStack({ backend });
    const token = await stack.login();
    expect((await stack.request('GET', '/calls/export?format=xml', { token })).status).toBe(422);
    expect((await stack.request('GET', '/calls?cursor=nope', { token })).status).toBe(400);
    expect((await stack.request('GET', '/calls/export')).status).toBe(401);
  });

  it('export quotes per RFC 4180, guards formulas and never writes phone numbers', async () => {
    stack = await startApiStack({ backend });
    const token = await stack.login();
    await seedCalls(
      stack.backend.store,
      ORG,
      3,
      (i) => ({
        driverName: ['=HYPERLINK("http://evil")', 'Smith, "Jr"', '@SUM(A1)'][i]!,
        summary: ['line one\nline two', '+1 555 765 4321 called', '-ok'][i]!,
      }),
      1,
    );
    const csv = await stack.request('GET', '/calls/export', { token });
    const rows = parseCsv(csv.text).slice(1);
    const col = (name: (typeof CALL_EXPORT_COLUMNS)[number]) => CALL_EXPORT_COLUMNS.indexOf(name);
    expect(rows.map((r) => r[col('driverName')])).toEqual(
      ['@SUM(A1)', 'Smith, "Jr"', `=HYPERLINK("http://evil")`].map((v, i) => (i === 1 ? v : `'${v}`)),
    );
    expect(rows.map((r) => r[col('summary')])).toEqual([
      "'-ok",
      "'+1 555 765 4321 called",
      'line one\nline two',
    ]);
    expect(csv.text).not.toContain('+15557654321');
  });

  const exportCount = backend === 'memory' ? 10_000 : 300;
  it(
    `streams an export of ${exportCount} calls page by page with bounded memory`,
    { timeout: 180_000 },
    async () => {
      stack = await startApiStack({ backend });
      const token = await stack.login();
      const summary = 'Driver confirmed the reefer setpoint and the trailer photos. '.repeat(20); // ~1.2 KB
      await seedCalls(
        stack.backend.store,
        ORG,
        exportCount,
        () => ({ summary }),
        backend === 'memory' ? 1 : 20,
      );

      const base = liveHeap();
      const res = await fetch(`${stack.url}/calls/export?format=csv`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let bytes = 0;
      let records = 0;
      let chunks = 0;
      let peak = 0;
      let tail = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        const text = tail + decoder.decode(value, { stream: true });
        const parts = text.split('\r\n');
        tail = parts.pop() ?? '';
        records += parts.length;
        if (++chunks % 25 === 0) peak = Math.max(peak, liveHeap() - base);
      }
      expect(records).toBe(exportCount + 1);
      console.info(
        `export of ${exportCount} calls: ${bytes} bytes, ${chunks} chunks, peak live heap growth ${peak}`,
      );
      if (backend === 'memory') {
        // Built in memory, the export would hold all of its bytes at once; streamed, it holds about one store page
        // (100 calls) plus socket buffers. The bound is generous: a quarter of the export.
        expect(bytes).toBeGreaterThan(10 * 1024 * 1024);
        expect(peak).toBeLessThan(bytes / 4);
      }
    },
  );
});
