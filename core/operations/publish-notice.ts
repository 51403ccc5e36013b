// Publishes a notice on the live bus. Notices restate durable state, so a lost one is logged, not retried: the next
// change of the same campaign restates it, and every reader can fetch the state itself.
import type { Notice } from '../domain/notice.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Logger } from '../support/log.ts';

export async function publishNotice(
  deps: { bus: EventBus; logger: Logger },
  orgId: string,
  notice: Notice,
): Promise<void> {
  try {
    await deps.bus.publish({ type: 'notice', orgId, notice });
  } catch (err) {
    deps.logger.warn('notice publish failed; the state it restates is stored', {
      notice: notice.kind,
      error: err,
    });
  }
}
