// SerialLanes: one task at a time per key, in order; other keys run concurrently; failures do not block a lane.
import { describe, expect, it } from 'vitest';
import { SerialLanes } from './serial-lanes.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SerialLanes', () => {
  it('runs tasks of one key one at a time, in arrival order', async () => {
    const lanes = new SerialLanes();
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const task = (name: string, ms: number) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${name}`);
      await tick(ms);
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([
      lanes.run('a', task('1', 20)),
      lanes.run('a', task('2', 1)),
      lanes.run('a', task('3', 5)),
    ]);
    expect(results).toEqual(['1', '2', '3']);
    expect(maxRunning).toBe(1);
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('runs different keys concurrently', async () => {
    const lanes = new SerialLanes();
    let running = 0;
    let maxRunning = 0;
    const task = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick(10);
      running--;
    };
    await Promise.all([lanes.run('a', task), lanes.run('b', task), lanes.run('c', task)]);
    expect(maxRunning).toBe(3);
  });

  it('keeps a lane going after a failure and forgets idle keys', async () => {
    const lanes = new SerialLanes();
    const failed = lanes.run('a', async () => {
      throw new Error('boom');
    });
    const next = lanes.run('a', async () => 'ok');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
    await tick(0);
    expect(lanes.size).toBe(0);
  });
});
