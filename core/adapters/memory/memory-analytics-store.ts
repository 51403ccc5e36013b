// In-memory AnalyticsStore: counters and markers in maps, each record applied in one synchronous step (atomic).
import { addCounts, countsOf, emptyCounts } from '../../domain/analytics.ts';
import type { AnalyticsCounter, AnalyticsEntry, AnalyticsStore } from '../../ports/analytics-store.ts';
import type { AnalyticsDimension } from '../../domain/analytics.ts';

export class MemoryAnalyticsStore implements AnalyticsStore {
  private readonly markers = new Set<string>();
  private readonly counters = new Map<string, { orgId: string; counter: AnalyticsCounter }>();

  record(entry: AnalyticsEntry): Promise<boolean> {
    const marker = `${entry.orgId}\n${entry.markerId}`;
    if (this.markers.has(marker)) return Promise.resolve(false);
    this.markers.add(marker);
    const delta = countsOf(entry.fact);
    for (const group of entry.groups) {
      const id = [entry.orgId, group.dimension, entry.day, group.key].join('\n');
      let found = this.counters.get(id);
      if (!found) {
        found = {
          orgId: entry.orgId,
          counter: { dimension: group.dimension, key: group.key, day: entry.day, counts: emptyCounts() },
        };
        this.counters.set(id, found);
      }
      addCounts(found.counter.counts, delta);
    }
    return Promise.resolve(true);
  }

  read(
    orgId: string,
    dimension: AnalyticsDimension,
    range: { fromDay: string; toDay: string },
  ): Promise<AnalyticsCounter[]> {
    const rows: AnalyticsCounter[] = [];
    for (const { orgId: owner, counter } of this.counters.values()) {
      if (owner !== orgId || counter.dimension !== dimension) continue;
      if (counter.day < range.fromDay || counter.day > range.toDay) continue;
      rows.push(structuredClone(counter));
    }
    return Promise.resolve(rows);
  }
}
