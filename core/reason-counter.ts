/**
 * Counts failure reasons (`http_404`, `timeout`, ...) with a cap on distinct
 * keys, so that a crawl meeting millions of odd errors keeps bounded memory;
 * reasons beyond the cap are folded into `other`.
 */
export class ReasonCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxReasons = 1000) {}

  add(reason: string, count = 1): void {
    const key = this.counts.has(reason) || this.counts.size < this.maxReasons ? reason : 'other';
    this.counts.set(key, (this.counts.get(key) ?? 0) + count);
  }

  get total(): number {
    let sum = 0;
    for (const value of this.counts.values()) sum += value;
    return sum;
  }

  /** The `n` most frequent reasons, most frequent first. */
  top(n = 10): Array<[reason: string, count: number]> {
    return [...this.counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.top(this.counts.size));
  }
}
