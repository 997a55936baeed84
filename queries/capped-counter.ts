/**
 * Counts strings in at most `maxEntries` map entries, whatever the input size:
 * when the map is full, every entry whose count is at or below a floor is
 * dropped, the floor being the lowest that frees a quarter of the map (chosen
 * from a histogram of the counts; word2vec's vocabulary reduction with an
 * adaptive floor). A term dropped and seen again starts from
 * zero, so any count is low by at most `undercountBound`, the sum of the floors
 * used so far; terms counted above that bound are certain to be as frequent as
 * reported minus the bound.
 */
export class CappedCounter {
  readonly counts = new Map<string, number>();
  /** The most any stored count can be below the true count. */
  undercountBound = 0;
  /** Number of times the map was pruned. */
  prunes = 0;

  constructor(private readonly maxEntries: number) {}

  add(term: string): void {
    const count = this.counts.get(term);
    if (count !== undefined) {
      this.counts.set(term, count + 1);
      return;
    }
    if (this.counts.size >= this.maxEntries) this.prune();
    this.counts.set(detached(term), 1);
  }

  get(term: string): number {
    return this.counts.get(term) ?? 0;
  }

  private prune(): void {
    const floor = this.pruneFloor(Math.floor(this.maxEntries * 0.75));
    for (const [term, count] of this.counts) if (count <= floor) this.counts.delete(term);
    this.undercountBound += floor;
    this.prunes++;
  }

  /** The smallest floor that leaves at most `target` entries, from a histogram of counts. */
  private pruneFloor(target: number): number {
    const histogram = new Uint32Array(histogramSize);
    for (const count of this.counts.values()) histogram[Math.min(count, histogramSize - 1)]!++;
    let left = this.counts.size;
    let floor = 0;
    while (left > target && floor < histogramSize - 1) left -= histogram[++floor]!;
    return floor;
  }
}

/**
 * A copy of `text` that does not keep a larger string alive: V8 makes a token
 * of 13+ characters a slice of the line it came from, so storing the token
 * itself would pin the whole line (measured: 4.4 KB per stored word with
 * 4 KB lines, 130 B with this copy).
 */
function detached(text: string): string {
  return ` ${text}`.slice(1);
}

/** Counts at or above this share the last histogram bucket (never pruned in practice). */
const histogramSize = 1 << 16;
