// Scheduler: held playback stops scripted sleeps (not wall-clock ones) until resumed; close() ends held sleeps.
import { describe, expect, it } from 'vitest';
import { Scheduler, SimulatorClosedError } from './scheduler.ts';

const settledWithin = async (p: Promise<unknown>, ms: number): Promise<boolean> => {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return settled;
};

describe('Scheduler pause/resume', () => {
  it('holds a scripted sleep while paused and lets it finish on resume', async () => {
    const scheduler = new Scheduler(0, () => {});
    scheduler.pause();
    const sleeping = scheduler.sleep(1000);
    expect(await settledWithin(sleeping, 100)).toBe(false);
    scheduler.resume();
    await expect(sleeping).resolves.toBeUndefined();
  });

  it('does not hold wall-clock sleeps', async () => {
    const scheduler = new Scheduler(1, () => {});
    scheduler.pause();
    await expect(scheduler.sleepReal(5)).resolves.toBeUndefined();
    scheduler.resume();
  });

  it('ends held sleeps with SimulatorClosedError on close()', async () => {
    const scheduler = new Scheduler(0, () => {});
    scheduler.pause();
    const sleeping = scheduler.sleep(10);
    await new Promise((r) => setTimeout(r, 20));
    await scheduler.close();
    await expect(sleeping).rejects.toBeInstanceOf(SimulatorClosedError);
  });
});
