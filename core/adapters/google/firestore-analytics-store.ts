// Firestore AnalyticsStore: counter documents under `analyticsCounters/`, markers under `analyticsMarks/`, both
// written in one transaction so a redelivered fact finds its marker and adds nothing.
import { FieldValue, type Firestore } from '@google-cloud/firestore';
import {
  ACK_BUCKET_COUNT,
  countsOf,
  emptyCounts,
  type AnalyticsCounts,
  type AnalyticsDimension,
} from '../../domain/analytics.ts';
import type { AnalyticsCounter, AnalyticsEntry, AnalyticsStore } from '../../ports/analytics-store.ts';
import { keyHash } from '../store-keys.ts';
import { guardStore } from './firestore-errors.ts';

const COUNTERS = 'analyticsCounters';
const MARKS = 'analyticsMarks';

/** Number fields of a counter document (the histogram is the map `ack`, bucket index → count). */
const NUMBER_FIELDS = [
  'dialed',
  'connected',
  'acknowledged',
  'attentionOpened',
  'attentionResolved',
] as const;

/**
 * `analyticsCounters/{sha256(org, dimension, day, key)}`: `{ orgId, dimension, day, key, <counts>, ack: {i: n} }`,
 * changed only by `FieldValue.increment` (no read of the counter, so concurrent facts of one group do not contend
 * on it). `read` queries `orgId ==, dimension ==, day` range (composite index in `infra/firestore.indexes.json`).
 * `analyticsMarks/{sha256(org, markerId)}`: `{ orgId, markerId }`.
 */
interface CounterDoc {
  orgId: string;
  dimension: AnalyticsDimension;
  day: string;
  key: string;
  dialed?: number;
  connected?: number;
  acknowledged?: number;
  attentionOpened?: number;
  attentionResolved?: number;
  ack?: Record<string, number>;
}

export class FirestoreAnalyticsStore implements AnalyticsStore {
  constructor(private readonly db: Firestore) {}

  record(entry: AnalyticsEntry): Promise<boolean> {
    const marker = this.db.collection(MARKS).doc(keyHash(`${entry.orgId}\n${entry.markerId}`));
    const increments = incrementsOf(countsOf(entry.fact));
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        if ((await tx.get(marker)).exists) return false;
        tx.create(marker, { orgId: entry.orgId, markerId: entry.markerId });
        for (const group of entry.groups) {
          const ref = this.db
            .collection(COUNTERS)
            .doc(keyHash([entry.orgId, group.dimension, entry.day, group.key].join('\n')));
          tx.set(
            ref,
            { orgId: entry.orgId, dimension: group.dimension, day: entry.day, key: group.key, ...increments },
            { merge: true },
          );
        }
        return true;
      }),
    );
  }

  read(
    orgId: string,
    dimension: AnalyticsDimension,
    range: { fromDay: string; toDay: string },
  ): Promise<AnalyticsCounter[]> {
    return guardStore(async () => {
      const snap = await this.db
        .collection(COUNTERS)
        .where('orgId', '==', orgId)
        .where('dimension', '==', dimension)
        .where('day', '>=', range.fromDay)
        .where('day', '<=', range.toDay)
        .get();
      return snap.docs.map((d) => counterOf(d.data() as CounterDoc));
    });
  }
}

/** Only the non-zero counts become increments, so a fact writes the fields it changes. */
function incrementsOf(counts: AnalyticsCounts): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of NUMBER_FIELDS)
    if (counts[field] !== 0) out[field] = FieldValue.increment(counts[field]);
  const ack: Record<string, unknown> = {};
  counts.ackHistogram.forEach((n, i) => {
    if (n !== 0) ack[String(i)] = FieldValue.increment(n);
  });
  if (Object.keys(ack).length > 0) out.ack = ack;
  return out;
}

function counterOf(doc: CounterDoc): AnalyticsCounter {
  const counts = emptyCounts();
  for (const field of NUMBER_FIELDS) counts[field] = doc[field] ?? 0;
  for (let i = 0; i < ACK_BUCKET_COUNT; i++) counts.ackHistogram[i] = doc.ack?.[String(i)] ?? 0;
  return { dimension: doc.dimension, key: doc.key, day: doc.day, counts };
}
