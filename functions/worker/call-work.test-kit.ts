// Test kit for the call engine: the API stack (real SDKs against the simulator), the engine module on a test clock,
// small DueWorkRunners driven by explicit ticks, and a durable bus consumer feeding the engine.
import { randomUUID } from 'node:crypto';
import type { Campaign, CampaignDriver, CampaignDriverInput } from '../../core/domain/campaign.ts';
import type { Notice } from '../../core/domain/notice.ts';
import { createProviders } from '../../core/composition/providers.ts';
import type { Backend } from '../../core/composition/backend.ts';
import type { BusSubscription } from '../../core/ports/event-bus.ts';
import type { Clock } from '../../core/support/clock.ts';
import { createLogger } from '../../core/support/log.ts';
import { SCHEDULER_DEFAULTS, type SchedulerConfig } from '../../core/support/config.ts';
import { startApiStack, type ApiStack, type StackOptions } from '../api/api.test-kit.ts';
import { CallDialer, type CallDialerDeps } from '../../core/operations/call-dialer.ts';
import { createCallWork, type CallWorkDeps } from '../../core/operations/call-work.ts';
import { CampaignCommands, type CreateCampaignInput } from '../../core/operations/campaign-commands.ts';
import { DueWorkRunner, type DueWorkRunnerOptions } from '../../core/operations/due-work-runner.ts';
import type { WorkModule } from '../../core/operations/work-module.ts';

/** Real time moved by an offset the test sets: calls still take their (simulated) time, windows open on demand. */
export interface TestClock extends Clock {
  set(iso: string): void;
  advance(ms: number): void;
}

export function testClock(): TestClock {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    set: (iso) => {
      offset = Date.parse(iso) - Date.now();
    },
    advance: (ms) => {
      offset += ms;
    },
  };
}

/** An `Etc/GMT±N` zone where it is around noon now, so the default 08:00–21:00 window is open for the test. */
export function middayZone(now = new Date()): string {
  const n = now.getUTCHours() - 12;
  return n === 0 ? 'Etc/GMT' : n > 0 ? `Etc/GMT+${n}` : `Etc/GMT-${-n}`;
}

export const TEST_SETTINGS: SchedulerConfig = {
  ...SCHEDULER_DEFAULTS,
  reconcileAfterSecs: 1,
  callCheckSecs: 2,
  dialGraceSecs: 3,
  slotWaitMs: 150,
};

export interface EngineStack {
  api: ApiStack;
  backend: Backend;
  clock: TestClock;
  settings: SchedulerConfig;
  dialer: CallDialer;
  commands: CampaignCommands;
  work: WorkModule;
  /** Notices seen on the bus, in order. */
  notices: Notice[];
  /** Log lines (JSON) of the API, the webhooks and the engine. */
  logs: string[];
  /** The engine module built on other parts (a "process" with its own dialer). */
  module(overrides?: Partial<CallWorkDeps>): WorkModule;
  dialerWith(overrides: Partial<CallDialerDeps>): CallDialer;
  /** A runner with the engine's handlers (or `module`'s). */
  runner(options?: Partial<DueWorkRunnerOptions>, module?: WorkModule): DueWorkRunner;
  /** Ticks the default runner until `done` holds (generous deadline), failing with `what` otherwise. */
  runUntil(what: string, done: () => Promise<boolean> | boolean, timeoutMs?: number): Promise<void>;
  createCampaign(input: Partial<CreateCampaignInput> & { drivers: CampaignDriverInput[] }): Promise<Campaign>;
  drivers(campaignId: string): Promise<Map<string, CampaignDriver>>;
  /** Calls the simulator placed to `phoneNumber`. */
  dialsTo(phoneNumber: string): number;
  close(): Promise<void>;
}

export async function startEngineStack(
  options: StackOptions & { settings?: Partial<SchedulerConfig> },
): Promise<EngineStack> {
  const logs: string[] = [];
  const logger = createLogger({ sink: (line) => logs.push(line), level: 'DEBUG' });
  const api = await startApiStack({
    ...options,
    logger,
    simulator: { script: 'by-number', ...options.simulator },
  });
  const backend = api.backend;
  const clock = testClock();
  const settings = { ...TEST_SETTINGS, ...options.settings };
  const providers = createProviders({
    elevenlabs: api.config.elevenlabs,
    twilio: api.config.twilio,
    publicBaseUrl: api.config.publicBaseUrl,
    timeoutMs: api.config.providerTimeoutMs,
  });
  const dialerDeps: CallDialerDeps = {
    mode: api.config.dialMode,
    store: backend.store,
    bus: backend.bus,
    logger,
    telephony: providers.telephony,
    agent: providers.agent,
    transcriptions: api.deps.transcriptions,
    dueWork: backend.dueWork,
    suppressions: backend.suppressions,
    clock,
    dialGraceSecs: settings.dialGraceSecs,
  };
  const dialerWith = (overrides: Partial<CallDialerDeps>) => new CallDialer({ ...dialerDeps, ...overrides });
  const dialer = dialerWith({});
  const moduleDeps: CallWorkDeps = {
    store: backend.store,
    bus: backend.bus,
    campaigns: backend.campaigns,
    suppressions: backend.suppressions,
    attention: backend.attention,
    dueWork: backend.dueWork,
    dialer,
    conversations: providers.agent,
    clock,
    logger,
    settings,
  };
  const module = (overrides: Partial<CallWorkDeps> = {}) => createCallWork({ ...moduleDeps, ...overrides });
  const work = module();
  const commands = new CampaignCommands({
    campaigns: backend.campaigns,
    dueWork: backend.dueWork,
    bus: backend.bus,
    clock,
    logger,
    defaultTimezone: 'UTC',
  });
  const runner = (o: Partial<DueWorkRunnerOptions> = {}, m: WorkModule = work) => {
    const r = new DueWorkRunner({
      dueWork: backend.dueWork,
      clock,
      logger,
      concurrency: 8,
      leaseMs: 10_000,
      errorRetryMs: 300,
      ...o,
    });
    for (const [kind, handler] of Object.entries(m.handlers)) if (handler) r.handle(kind, handler);
    return r;
  };
  const main = runner();
  const notices: Notice[] = [];
  /** Bus messages the engine is handling right now: closing waits for them before the backend goes away. */
  const handling = new Set<Promise<void>>();
  const subscriptions: BusSubscription[] = [
    await backend.bus.consume(`engine-${randomUUID().slice(0, 8)}`, (m) => {
      const run = work.onBusMessage(m).finally(() => handling.delete(run));
      handling.add(run);
      return run;
    }),
    await backend.bus.subscribe(`notices-${randomUUID().slice(0, 8)}`, (m) => {
      if (m.type === 'notice') notices.push(m.notice);
    }),
  ];

  return {
    api,
    backend,
    clock,
    settings,
    dialer,
    commands,
    work,
    notices,
    logs,
    module,
    dialerWith,
    runner,
    async runUntil(what, done, timeoutMs = 25_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await main.tick();
        if (await done()) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    },
    async createCampaign(input) {
      const { campaign } = await commands.create({
        orgId: 'org-acme',
        createdBy: 'usr_test',
        name: 'test campaign',
        ...input,
      });
      return campaign;
    },
    async drivers(campaignId) {
      return new Map((await backend.campaigns.drivers(campaignId)).map((d) => [d.driverId, d]));
    },
    dialsTo: (phoneNumber) => api.sim.calls().filter((c) => c.to === phoneNumber).length,
    async close() {
      // Let the simulator's deliveries and the engine's work end before the backend closes under them.
      api.sim.resume();
      await api.settle();
      await Promise.all(subscriptions.map((s) => s.close()));
      await Promise.allSettled([...handling]);
      await main.drain();
      await api.close();
    },
  };
}

/** A driver row; the number's last digit picks the simulator's script (by-number). */
export function driverRow(driverId: string, phoneNumber: string, timezone: string): CampaignDriverInput {
  return {
    driverId,
    driverName: `Driver ${driverId}`,
    phoneNumber,
    timezone,
    violations: [{ type: 'violation', description: 'Reefer temperature is above the set point' }],
  };
}

/** A number no other test dials, ending in `digit`. */
export function numberEnding(digit: number): string {
  const middle = String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
  return `+1555${middle}${digit}`;
}
