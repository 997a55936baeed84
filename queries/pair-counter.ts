import { pruneFloor, pruneTargetShare } from './prune-floor.js';

const empty = -1;
const slotFields = 3;
const maxLoad = 0.75;

/**
 * Counts pairs of word ids (bigrams) in an open-addressing table of 12-byte
 * slots (first id, second id, count) that grows up to room for `maxEntries`
 * pairs and no further: at most 16 Mi slots, 200 MB, for 12M pairs. When
 * full, the pairs counted at or below a floor are dropped as `WordCounter`
 * does; pairs of a word that `WordCounter` drops go too, since its id may be
 * reused. `undercountBound` covers both.
 */
export class PairCounter {
  /** The most any stored count can be below the true count. */
  undercountBound = 0;
  prunes = 0;
  private heldPairs = 0;
  private slots: Int32Array;
  private mask: number;

  constructor(private readonly maxEntries: number) {
    this.slots = emptySlots(1 << 12);
    this.mask = (1 << 12) - 1;
  }

  get size(): number {
    return this.heldPairs;
  }

  add(first: number, second: number): void {
    const at = this.find(first, second);
    if (this.slots[at] !== empty) {
      this.slots[at + 2]!++;
      return;
    }
    // Pruning comes first: the table never grows past the first power of two that holds maxEntries at maxLoad.
    if (this.heldPairs >= this.maxEntries) this.prune();
    else if (this.heldPairs + 1 > (this.mask + 1) * maxLoad) this.rebuild((this.mask + 1) * 2, () => true);
    else return this.place(at, first, second, 1);
    this.place(this.find(first, second), first, second, 1);
  }

  get(first: number, second: number): number {
    const at = this.find(first, second);
    return this.slots[at] === empty ? 0 : this.slots[at + 2]!;
  }

  /** Drops every pair with a word whose id is marked in `dropped`. */
  dropWords(dropped: Uint8Array, floor: number): void {
    this.rebuild(this.mask + 1, (first, second) => dropped[first] !== 1 && dropped[second] !== 1);
    this.undercountBound += floor;
  }

  /** [first id, second id, count] of every pair held. */
  *entries(): Generator<[number, number, number]> {
    const slots = this.slots;
    for (let at = 0; at < slots.length; at += slotFields) if (slots[at] !== empty) yield [slots[at]!, slots[at + 1]!, slots[at + 2]!];
  }

  /** The slot offset holding the pair, or the empty one where it would go. */
  private find(first: number, second: number): number {
    const slots = this.slots;
    for (let slot = pairHash(first, second) & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * slotFields;
      if (slots[at] === empty || (slots[at] === first && slots[at + 1] === second)) return at;
    }
  }

  private place(at: number, first: number, second: number, count: number): void {
    this.slots[at] = first;
    this.slots[at + 1] = second;
    this.slots[at + 2] = count;
    this.heldPairs++;
  }

  private prune(): void {
    const floor = pruneFloor(this.heldCounts(), this.heldPairs, Math.floor(this.maxEntries * pruneTargetShare));
    this.rebuild(this.mask + 1, (_first, _second, count) => count > floor);
    this.undercountBound += floor;
    this.prunes++;
  }

  private rebuild(slotCount: number, keep: (first: number, second: number, count: number) => boolean): void {
    const old = this.slots;
    this.slots = emptySlots(slotCount);
    this.mask = slotCount - 1;
    this.heldPairs = 0;
    for (let at = 0; at < old.length; at += slotFields) {
      const first = old[at]!;
      if (first === empty || !keep(first, old[at + 1]!, old[at + 2]!)) continue;
      this.place(this.find(first, old[at + 1]!), first, old[at + 1]!, old[at + 2]!);
    }
  }

  private *heldCounts(): Generator<number> {
    for (let at = 2; at < this.slots.length; at += slotFields) if (this.slots[at - 2] !== empty) yield this.slots[at]!;
  }
}

function emptySlots(slotCount: number): Int32Array {
  return new Int32Array(slotCount * slotFields).fill(empty);
}

function pairHash(first: number, second: number): number {
  let h = Math.imul(first, 0x9e3779b1) ^ Math.imul(second + 0x632be5ab, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}
