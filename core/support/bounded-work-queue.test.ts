import { describe, expect, it } from 'vitest';
import { BoundedWorkQueue } from './bounded-work-queue.ts';
import { AppError } from './errors.ts';

/** A job that runs until released, so the test decides when slots free up. */
function gate(): { job: () => Promise<string>; release(value: string): void; started: boolean } {
  let release!: (value: string) => void;
  const done = new Promise<string>((resolve) => (release = resolve));
  const g = {
    started: false,
    release: (value: string) => release(value),
    job: () => {
      g.started = true;
      return done;
    },
  };
  return g;
}

describe('BoundedWorkQueue', () => {
  it('runs up to concurrency, queues up to maxQueued, refuses the rest at once without running them', async () => {
    const queue = new BoundedWorkQueue({ concurrency: 1, maxQueued: 1, retryAfterSecs: 3, name: 'hash' });
    const first = gate();
    const second = gate();
    const a = queue.tryRun(first.job);
    const b = queue.tryRun(second.job);
    expect([queue.active, queue.queued, queue.hasRoom()]).toEqual([1, 1, false]);
    let ranThird = false;
    const refused = queue.tryRun(async () => {
      ranThird = true;
      return 'x';
    });
    const error = await refused.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'unavailable', details: { retryAfterSecs: 3 } });
    expect(ranThird).toBe(false);
    expect(second.started).toBe(false);

    first.release('one');
    expect(await a).toBe('one');
    await expect.poll(() => second.started).toBe(true);
    expect([queue.active, queue.queued, queue.hasRoom()]).toEqual([1, 0, true]);
    second.release('two');
    expect(await b).toBe('two');
    expect([queue.active, queue.queued]).toEqual([0, 0]);
    expect(await queue.tryRun(async () => 'after drain')).toBe('after drain');
  });

  it('frees the slot when a job fails, and passes the failure to its caller', async () => {
    const queue = new BoundedWorkQueue({ concurrency: 1, maxQueued: 0 });
    await expect(queue.tryRun(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      queue.tryRun(() => {
        throw new Error('sync boom');
      }),
    ).rejects.toThrow('sync boom');
    expect(await queue.tryRun(async () => 42)).toBe(42);
  });

  it('starts queued jobs in arrival order', async () => {
    const queue = new BoundedWorkQueue({ concurrency: 1, maxQueued: 10 });
    const order: number[] = [];
    const blocker = gate();
    const first = queue.tryRun(blocker.job);
    const rest = [1, 2, 3, 4].map((n) => queue.tryRun(async () => void order.push(n)));
    blocker.release('go');
    await Promise.all([first, ...rest]);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it.each([
    [{ concurrency: 0, maxQueued: 1 }],
    [{ concurrency: 1.5, maxQueued: 1 }],
    [{ concurrency: 1, maxQueued: -1 }],
  ])('rejects nonsense limits %j (a caller bug)', (options) => {
    expect(() => new BoundedWorkQueue(options)).toThrow(TypeError);
  });
});
