// Runs the CallStore and EventBus contracts against the in-memory adapters.
import { describeCallStoreContract } from '../../ports/call-store.contract.ts';
import { describeEventBusContract } from '../../ports/event-bus.contract.ts';
import { MemoryCallStore } from './memory-call-store.ts';
import { MemoryEventBus } from './memory-event-bus.ts';

describeCallStoreContract('memory', async (clock) => ({ store: new MemoryCallStore(clock) }));

describeEventBusContract('memory', async () => ({
  bus: new MemoryEventBus(),
  brokenBus: async () => {
    const bus = new MemoryEventBus();
    bus.failPublishes = true;
    return {
      bus,
      repair: async () => {
        bus.failPublishes = false;
      },
    };
  },
}));
