// Latency summaries (nearest-rank percentiles) and small number formatting helpers for reports.

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Collects samples in a growable Float64Array (hundreds of thousands of deliveries stay cheap). */
export class Samples {
  private values = new Float64Array(1024);
  private size = 0;

  add(value: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = value;
  }

  get count(): number {
    return this.size;
  }

  /** Milliseconds, rounded to 0.01. All zero when there are no samples. */
  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.size).sort();
    const rank = (p: number): number =>
      sorted[Math.min(this.size - 1, Math.ceil((p / 100) * this.size) - 1)] ?? 0;
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: this.size,
      p50: round(rank(50)),
      p95: round(rank(95)),
      p99: round(rank(99)),
      max: round(sorted[this.size - 1] ?? 0),
      mean: round(this.size ? sum / this.size : 0),
    };
  }
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const mib = (bytes: number): number => round(bytes / (1024 * 1024), 1);
