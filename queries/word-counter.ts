import { pruneFloor, pruneTargetShare } from './prune-floor.js';

/**
 * Counts words in at most `maxEntries` entries, whatever the input size, and
 * gives each word held a small integer id (reused after the word is pruned),
 * so that `PairCounter` can count bigrams as id pairs without strings.
 *
 * When full, every word counted at or below a floor is dropped, the floor being
 * the lowest that frees a quarter of the entries (word2vec's vocabulary
 * reduction with an adaptive floor). A word dropped and seen again starts from
 * zero, so any count is low by at most `undercountBound`, the sum of the floors
 * used so far.
 */
export class WordCounter {
  /** The most any stored count can be below the true count. */
  undercountBound = 0;
  /** Number of times the counter was pruned. */
  prunes = 0;
  private readonly ids = new Map<string, number>();
  private words: string[] = [];
  private counts: Float64Array = new Float64Array(1024);
  private freeIds: number[] = [];

  /** `onPrune` gets a mask of the ids just dropped (1 = dropped) and the floor used, before any id is reused. */
  constructor(
    private readonly maxEntries: number,
    private readonly onPrune: (dropped: Uint8Array, floor: number) => void,
  ) {}

  get size(): number {
    return this.ids.size;
  }

  /** Counts one occurrence and returns the word's id. */
  add(word: string): number {
    const id = this.ids.get(word);
    if (id !== undefined) {
      this.counts[id]!++;
      return id;
    }
    if (this.ids.size >= this.maxEntries) this.prune();
    const newId = this.freeIds.pop() ?? this.words.length;
    if (newId >= this.counts.length) this.counts = grown(this.counts, this.counts.length * 2);
    this.words[newId] = detached(word);
    this.counts[newId] = 1;
    this.ids.set(this.words[newId]!, newId);
    return newId;
  }

  /** The id of a word held, or undefined. */
  idOf(word: string): number | undefined {
    return this.ids.get(word);
  }

  get(word: string): number {
    const id = this.ids.get(word);
    return id === undefined ? 0 : this.counts[id]!;
  }

  wordOf(id: number): string {
    return this.words[id]!;
  }

  countOf(id: number): number {
    return this.counts[id]!;
  }

  /** [word, count] of every word held. */
  *entries(): Generator<[string, number]> {
    for (const [word, id] of this.ids) yield [word, this.counts[id]!];
  }

  private prune(): void {
    const floor = pruneFloor(this.heldCounts(), this.ids.size, Math.floor(this.maxEntries * pruneTargetShare));
    const dropped = new Uint8Array(this.words.length);
    for (const [word, id] of this.ids) {
      if (this.counts[id]! > floor) continue;
      this.ids.delete(word);
      this.words[id] = '';
      this.counts[id] = 0;
      this.freeIds.push(id);
      dropped[id] = 1;
    }
    this.undercountBound += floor;
    this.prunes++;
    this.onPrune(dropped, floor);
  }

  private *heldCounts(): Generator<number> {
    for (const id of this.ids.values()) yield this.counts[id]!;
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

function grown(array: Float64Array, length: number): Float64Array {
  const bigger = new Float64Array(length);
  bigger.set(array);
  return bigger;
}
