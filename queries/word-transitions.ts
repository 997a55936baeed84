/**
 * The automaton's goto function below the root: (state, word id) -> state, in
 * an open-addressing hash table over typed arrays (12 bytes a slot, load at most
 * one half), so 500k queries cost a few tens of MB and no per-edge objects.
 */
export class WordTransitions {
  private readonly mask: number;
  private readonly fromStates: Int32Array;
  private readonly words: Int32Array;
  private readonly targets: Int32Array;

  /** `maxEdges`: an upper bound on the edges that will be set. */
  constructor(maxEdges: number) {
    let slots = 16;
    while (slots < maxEdges * 2) slots *= 2;
    this.mask = slots - 1;
    this.fromStates = new Int32Array(slots).fill(-1);
    this.words = new Int32Array(slots);
    this.targets = new Int32Array(slots);
  }

  /** The target state, or -1 when there is no such edge. */
  get(state: number, wordId: number): number {
    for (let slot = this.slotOf(state, wordId); ; slot = (slot + 1) & this.mask) {
      const from = this.fromStates[slot]!;
      if (from === -1) return -1;
      if (from === state && this.words[slot] === wordId) return this.targets[slot]!;
    }
  }

  set(state: number, wordId: number, target: number): void {
    let slot = this.slotOf(state, wordId);
    while (this.fromStates[slot] !== -1 && !(this.fromStates[slot] === state && this.words[slot] === wordId)) {
      slot = (slot + 1) & this.mask;
    }
    this.fromStates[slot] = state;
    this.words[slot] = wordId;
    this.targets[slot] = target;
  }

  private slotOf(state: number, wordId: number): number {
    let h = Math.imul(state, 0x9e3779b1) ^ Math.imul(wordId, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h & this.mask;
  }
}
