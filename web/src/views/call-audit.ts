// The call view's activity card: the call's audit entries (who did what, when), reloaded when the call's status moves.
import type { AuditEntry } from '../../../core/domain/audit.ts';
import type { CallStatus } from '../../../core/domain/call.ts';
import type { ApiClient } from '../api-client.ts';
import { auditActionLabel, auditActorLabel } from '../audit-labels.ts';
import { h, replaceChildren } from '../dom.ts';
import { clockTime } from '../format.ts';

export interface CallAuditCard {
  element: HTMLElement;
  /** Reloads when `status` differs from the one last loaded for (entries follow status changes and interventions). */
  update(status: CallStatus | undefined, interventions?: number): void;
  stop(): void;
}

/** Reloads after a status change whose entry is not in yet (it is written just after the live event), then gives up. */
const CATCH_UP = { delayMs: 1000, attempts: 5 } as const;

export function createCallAuditCard(api: Pick<ApiClient, 'callAudit'>, callId: string): CallAuditCard {
  const list = h('ol', { class: 'timeline audit-list', id: 'call-audit', 'aria-label': 'Activity' });
  const note = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const element = h(
    'section',
    { class: 'card', 'aria-labelledby': 'call-audit-title' },
    h('h2', { id: 'call-audit-title' }, 'Activity'),
    note,
    list,
  );
  let loadedFor: string | undefined;
  let wanted: CallStatus | undefined;
  let wantedInterventions = 0;
  let loading = false;
  let pending = false;
  let catchUps = 0;
  let timer: number | undefined;

  const load = async () => {
    if (loading) {
      pending = true;
      return;
    }
    loading = true;
    try {
      const page = await api.callAudit(callId);
      render(page.entries);
      const statusIn =
        !wanted ||
        wanted === 'queued' ||
        page.entries.some((e) => e.action === 'call.status_changed' && e.details.to === wanted);
      const interventionsIn =
        page.entries.filter((e) => e.action === 'call.taken_over' || e.action === 'call.ended').length >=
        wantedInterventions;
      if ((!statusIn || !interventionsIn) && catchUps < CATCH_UP.attempts) {
        catchUps += 1;
        window.clearTimeout(timer);
        timer = window.setTimeout(() => void load(), CATCH_UP.delayMs);
      }
    } catch (err) {
      note.hidden = false;
      note.textContent = `The activity could not be loaded: ${(err as Error).message}`;
    } finally {
      loading = false;
      if (pending) {
        pending = false;
        void load();
      }
    }
  };

  const render = (entries: AuditEntry[]) => {
    note.hidden = entries.length > 0;
    note.textContent = entries.length ? '' : 'Nothing recorded yet.';
    // Oldest first, as the status timeline reads.
    replaceChildren(
      list,
      ...[...entries]
        .reverse()
        .map((entry) =>
          h(
            'li',
            { 'data-action': entry.action, 'data-actor-kind': entry.actor.kind },
            h('span', { class: 'who', title: entry.actor.id }, auditActorLabel(entry)),
            ' ',
            auditActionLabel(entry),
            ' ',
            h('time', { datetime: entry.at, class: 'muted' }, clockTime(entry.at)),
          ),
        ),
    );
  };

  return {
    element,
    update(status, interventions = 0) {
      const key = `${status ?? ''}:${interventions}`;
      if (key === loadedFor) return;
      loadedFor = key;
      wanted = status;
      wantedInterventions = interventions;
      catchUps = 0;
      void load();
    },
    stop() {
      window.clearTimeout(timer);
    },
  };
}
