// Dispatch analytics: the counters kept per group (day, violation type, campaign) and the figures read from them.
import type { Call, Trigger } from './call.ts';

/** How `GET /analytics` groups its rows; every counter document belongs to one of these. */
export const ANALYTICS_DIMENSIONS = ['day', 'violationType', 'campaign'] as const;
export type AnalyticsDimension = (typeof ANALYTICS_DIMENSIONS)[number];

/** Group key of calls placed by no campaign (`groupBy=campaign`) or with no trigger (`groupBy=violationType`). */
export const NO_GROUP_KEY = 'none';

/**
 * Upper edges (seconds, exclusive) of the time-to-acknowledgment histogram buckets; the last bucket is open-ended.
 * Fine where acknowledgments usually land (the first minutes of a call), coarse beyond: the reported median is exact
 * to the width of the bucket holding it (15 s below 1 min, 30 s to 2 min, 60 s to 5 min, then 5-30 min).
 */
export const ACK_BUCKET_EDGES_SECS = [15, 30, 45, 60, 90, 120, 180, 240, 300, 600, 900, 1800, 3600] as const;

/** Number of histogram buckets: one per edge plus the open-ended last one. */
export const ACK_BUCKET_COUNT = ACK_BUCKET_EDGES_SECS.length + 1;

/** The counts one counter document (or a sum of them) holds. */
export interface AnalyticsCounts {
  /** Calls placed that ended (any terminal status). */
  dialed: number;
  /** Calls a person answered (`concludeCall` → reached); voicemail is not connected. */
  connected: number;
  /** Connected calls whose driver acknowledged (data collection `acknowledged` true). */
  acknowledged: number;
  /** Acknowledged calls by time to acknowledgment, `ACK_BUCKET_COUNT` buckets (see `ackSecondsOf`). */
  ackHistogram: number[];
  attentionOpened: number;
  attentionResolved: number;
}

/** The counters one fact adds (1 each, or the bucket of one time to acknowledgment). */
export type AnalyticsMetric =
  'dialed' | 'connected' | 'acknowledged' | 'attentionOpened' | 'attentionResolved';

/** One fact to count once: a metric of a call or an attention item, with the ack time when it is `acknowledged`. */
export interface AnalyticsFact {
  metric: AnalyticsMetric;
  /** Seconds from dial to acknowledgment; only with `acknowledged`. */
  ackSeconds?: number;
}

/** The figures of a group (or of all groups) as `GET /analytics` reports them. */
export interface AnalyticsFigures {
  dialed: number;
  connected: number;
  /** connected ÷ dialed; null when nothing was dialed. */
  answerRate: number | null;
  acknowledged: number;
  /** acknowledged ÷ connected (only a person who answered can acknowledge); null when none connected. */
  acknowledgmentRate: number | null;
  /** Bucket-interpolated median of seconds from dial to acknowledgment; null with no acknowledgment. */
  medianSecsToAcknowledge: number | null;
  attentionOpened: number;
  attentionResolved: number;
}

export function emptyCounts(): AnalyticsCounts {
  return {
    dialed: 0,
    connected: 0,
    acknowledged: 0,
    ackHistogram: new Array<number>(ACK_BUCKET_COUNT).fill(0),
    attentionOpened: 0,
    attentionResolved: 0,
  };
}

/** Adds `b` into `a` (histograms bucket by bucket) and returns `a`. */
export function addCounts(a: AnalyticsCounts, b: AnalyticsCounts): AnalyticsCounts {
  a.dialed += b.dialed;
  a.connected += b.connected;
  a.acknowledged += b.acknowledged;
  a.attentionOpened += b.attentionOpened;
  a.attentionResolved += b.attentionResolved;
  for (let i = 0; i < ACK_BUCKET_COUNT; i++)
    a.ackHistogram[i] = (a.ackHistogram[i] ?? 0) + (b.ackHistogram[i] ?? 0);
  return a;
}

/** The counts one fact adds. */
export function countsOf(fact: AnalyticsFact): AnalyticsCounts {
  const counts = emptyCounts();
  counts[fact.metric] += 1;
  if (fact.metric === 'acknowledged' && fact.ackSeconds !== undefined) {
    counts.ackHistogram[ackBucketOf(fact.ackSeconds)] = 1;
  }
  return counts;
}

/** Index of the histogram bucket holding `secs`. */
export function ackBucketOf(secs: number): number {
  const i = ACK_BUCKET_EDGES_SECS.findIndex((edge) => secs < edge);
  return i === -1 ? ACK_BUCKET_EDGES_SECS.length : i;
}

/**
 * The median of a bucket histogram, interpolated linearly inside the bucket holding it (values spread evenly in a
 * bucket). The open-ended last bucket answers its lower edge. Null for an empty histogram.
 */
export function histogramMedian(histogram: readonly number[]): number | null {
  const total = histogram.reduce((s, n) => s + n, 0);
  if (total === 0) return null;
  const half = total / 2;
  let below = 0;
  for (let i = 0; i < ACK_BUCKET_COUNT; i++) {
    const n = histogram[i] ?? 0;
    if (n > 0 && below + n >= half) {
      const lower = i === 0 ? 0 : ACK_BUCKET_EDGES_SECS[i - 1]!;
      const upper = ACK_BUCKET_EDGES_SECS[i];
      if (upper === undefined) return lower;
      return Math.round((lower + ((half - below) / n) * (upper - lower)) * 10) / 10;
    }
    below += n;
  }
  return null;
}

export function figuresOf(c: AnalyticsCounts): AnalyticsFigures {
  return {
    dialed: c.dialed,
    connected: c.connected,
    answerRate: ratio(c.connected, c.dialed),
    acknowledged: c.acknowledged,
    acknowledgmentRate: ratio(c.acknowledged, c.connected),
    medianSecsToAcknowledge: histogramMedian(c.ackHistogram),
    attentionOpened: c.attentionOpened,
    attentionResolved: c.attentionResolved,
  };
}

function ratio(n: number, d: number): number | null {
  return d === 0 ? null : Math.round((n / d) * 10000) / 10000;
}

/**
 * Time to acknowledgment of an acknowledged call: seconds from callrelay placing the dial (`createdAt`) to the end
 * of the call (`endedAt`; else answer + duration), when the agent's analysis holds the acknowledgment as final.
 * Undefined when the end is unknown.
 */
export function ackSecondsOf(call: Call): number | undefined {
  const start = Date.parse(call.createdAt);
  let end = call.endedAt ? Date.parse(call.endedAt) : NaN;
  if (Number.isNaN(end) && call.answeredAt && call.durationSecs !== undefined) {
    end = Date.parse(call.answeredAt) + call.durationSecs * 1000;
  }
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  return Math.max(0, (end - start) / 1000);
}

/** Violation classes, by the first keyword group a trigger's description matches (case-insensitive). */
const VIOLATION_CLASSES: ReadonlyArray<readonly [string, RegExp]> = [
  ['temperature', /\b(temp(erature)?s?|reefer|degrees?|°|fahrenheit|celsius)\b|\d+\s*°?[fc]\b/i],
  [
    'hours_of_service',
    /\b(hos|hours of service|driving limit|(30|thirty)[- ]minute break|rest break|duty|eld)\b/i,
  ],
  ['documents', /\b(pictures?|photos?|bol|bill of lading|paperwork|documents?|pod|receipts?|signature)\b/i],
  ['delay', /\b(late|delay(ed)?|eta|appointment|detention|behind schedule)\b/i],
  ['speed', /\b(speed(ing)?|mph|hard brak(e|ing))\b/i],
  ['route', /\b(route|off[- ]route|geofence|detour|stop(ped)?)\b/i],
];

/**
 * The class of one trigger: `<type>:<class>` where the class comes from keywords of its free-text description
 * (temperature, hours_of_service, documents, delay, speed, route; `other` when none matches), e.g.
 * `violation:temperature`, `reminder:documents`.
 */
export function triggerClassOf(trigger: Trigger): string {
  const match = VIOLATION_CLASSES.find(([, pattern]) => pattern.test(trigger.description));
  return `${trigger.type}:${match ? match[0] : 'other'}`;
}

/** The distinct trigger classes of a call (a call counts once in each); `none` for a call without triggers. */
export function triggerClassesOf(call: Pick<Call, 'triggers'>): string[] {
  const classes = [...new Set(call.triggers.map(triggerClassOf))];
  return classes.length > 0 ? classes : [NO_GROUP_KEY];
}

/** The calendar day (`YYYY-MM-DD`) of an instant in an IANA time zone. */
export function dayIn(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The groups one call's (or attention item's) counts land in: its day, each trigger class, its campaign. */
export interface AnalyticsGroup {
  dimension: AnalyticsDimension;
  key: string;
}

export function groupsOf(input: {
  day: string;
  triggerClasses: string[];
  campaignId: string | undefined;
}): AnalyticsGroup[] {
  return [
    { dimension: 'day', key: input.day },
    ...input.triggerClasses.map((key) => ({ dimension: 'violationType' as const, key })),
    { dimension: 'campaign', key: input.campaignId ?? NO_GROUP_KEY },
  ];
}
