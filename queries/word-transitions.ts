/**
 * The automaton's goto function below the root: (state, word id) -> state, in
 * an open-addressing hash table with linear probing. A slot is three adjacent
 * numbers (from state, word id, target) of one Int32Array, so a probe touches
 * one cache line; the load stays at most one half. 500k queries cost a few
 * tens of MB and no per-edge objects.
 */
export class WordTransitions {
  private readonly mask: number;
  private readonly slots: Int32Array;
  /**
   * A one-hash Bloom filter of the edges, 4 bits a slot (about 10 an edge:
   * 512 kB at 500k queries, small enough to stay in cache): most probes for an
   * edge that does not exist stop here instead of missing the cache in `slots`.
   */
  private readonly filter: Int32Array;
  private readonly filterShift: number;
  private edges = 0;

  /** `maxEdges`: an upper bound on the edges that will be set. */
  constructor(maxEdges: number) {
    let slotCount = 16;
    while (slotCount < maxEdges * 2) slotCount *= 2;
    this.mask = slotCount - 1;
    this.slots = new Int32Array(slotCount * 3).fill(-1);
    const filterBits = slotCount * 4;
    this.filter = new Int32Array(filterBits / 32);
    this.filterShift = 32 - Math.log2(filterBits);
  }

  /** The target state, or -1 when there is no such edge. */
  get(state: number, wordId: number): number {
    const hash = edgeHash(state, wordId);
    const bit = hash >>> this.filterShift;
    if ((this.filter[bit >>> 5]! & (1 << (bit & 31))) === 0) return -1;
    const slots = this.slots;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * 3;
      const from = slots[at]!;
      if (from === state && slots[at + 1] === wordId) return slots[at + 2]!;
      if (from === -1) return -1;
    }
  }

  set(state: number, wordId: number, target: number): void {
    const hash = edgeHash(state, wordId);
    const bit = hash >>> this.filterShift;
    this.filter[bit >>> 5]! |= 1 << (bit & 31);
    let slot = hash & this.mask;
    while (this.slots[slot * 3] !== -1 && !(this.slots[slot * 3] === state && this.slots[slot * 3 + 1] === wordId)) {
      slot = (slot + 1) & this.mask;
    }
    if (this.slots[slot * 3] === -1) this.edges++;
    this.slots[slot * 3] = state;
    this.slots[slot * 3 + 1] = wordId;
    this.slots[slot * 3 + 2] = target;
  }

  /**
   * The same edges in a table sized for them: the builder sizes its table for
   * one edge per query word, but shared prefixes leave far fewer (430k edges
   * for 1.2M words at 500k queries), and a smaller table stays in cache better.
   */
  compacted(): WordTransitions {
    const table = new WordTransitions(this.edges);
    for (let at = 0; at < this.slots.length; at += 3) {
      if (this.slots[at] !== -1) table.set(this.slots[at]!, this.slots[at + 1]!, this.slots[at + 2]!);
    }
    return table;
  }
}

function edgeHash(state: number, wordId: number): number {
  let h = Math.imul(state, 0x9e3779b1) ^ Math.imul(wordId, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h;
}
