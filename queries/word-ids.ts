import { normalizeForTokens } from './normalize.js';

/** The word ids of one text, `tokenize()` order; valid until the next `encode`. */
export interface EncodedWords {
  /** Id of each word, or -1 when the word is in no query. */
  ids: Int32Array;
  /** For a possessive word ("york's"): the id of its stem ("york"); else -1. */
  stemIds: Int32Array;
  length: number;
}

const fnvOffset = 0x811c9dc5 | 0;
const fnvPrime = 16777619;
const apostrophe = 39;
const letterS = 115;
const wordCodePoint = /^[\p{L}\p{M}\p{N}]$/u;

/**
 * The query vocabulary: each distinct query word gets a dense integer id.
 *
 * `encode` reads a text the way `tokenize()` does (same normalization, same
 * word and apostrophe rules, checked against it by the tests) but without
 * making a string per word: it hashes each word's UTF-16 units while scanning
 * and probes an open-addressing table (hash and id per slot in typed arrays,
 * the words' characters packed in one array for the final comparison). This
 * saves the allocation, the garbage collection and the separate hashing pass
 * of `tokenize()` + `Map.get` on every caption word.
 */
export class WordIds {
  private slotHashes: Int32Array = new Int32Array(1024);
  private slotIds: Int32Array = new Int32Array(1024).fill(-1);
  private chars: Uint16Array = new Uint16Array(1 << 16);
  private starts: Int32Array = new Int32Array(1025);
  private count = 0;
  private encoded: EncodedWords = { ids: new Int32Array(256), stemIds: new Int32Array(256), length: 0 };

  get size(): number {
    return this.count;
  }

  /** The id of `word` (one `tokenize()` token), added when new. */
  idOf(word: string): number {
    const hash = hashWord(word);
    const existing = this.find(word, 0, word.length, hash);
    if (existing !== -1) return existing;
    return this.add(word, hash);
  }

  /** Tokenizes `text` like `tokenize()` and returns each word's id (-1: in no query). */
  encode(text: string): EncodedWords {
    const s = normalizeForTokens(text);
    const out = this.encoded;
    out.length = 0;
    const n = s.length;
    let i = 0;
    while (i < n) {
      let units = wordCharUnits(s, i);
      if (units === 0) {
        i++;
        continue;
      }
      const start = i;
      let hash = fnvOffset;
      let stemHash = 0;
      let stemEnd = -1;
      for (;;) {
        for (const end = i + units; i < end; i++) hash = Math.imul(hash ^ s.charCodeAt(i), fnvPrime);
        if (i >= n) break;
        units = wordCharUnits(s, i);
        if (units > 0) continue;
        if (s.charCodeAt(i) !== apostrophe || i + 1 >= n || (units = wordCharUnits(s, i + 1)) === 0) break;
        stemHash = hash;
        stemEnd = i;
        hash = Math.imul(hash ^ apostrophe, fnvPrime);
        i++;
      }
      const possessive = stemEnd === i - 2 && s.charCodeAt(i - 1) === letterS;
      this.push(this.find(s, start, i, hash), possessive ? this.find(s, start, stemEnd, stemHash) : -1);
    }
    return out;
  }

  private push(id: number, stemId: number): void {
    const out = this.encoded;
    if (out.length === out.ids.length) {
      out.ids = grow(out.ids, out.length * 2);
      out.stemIds = grow(out.stemIds, out.length * 2);
    }
    out.ids[out.length] = id;
    out.stemIds[out.length] = stemId;
    out.length++;
  }

  /** The id of `text[start, end)` whose hash is `hash`, or -1. */
  private find(text: string, start: number, end: number, hash: number): number {
    const mask = this.slotIds.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slotIds[slot]!;
      if (id === -1) return -1;
      if (this.slotHashes[slot] !== hash) continue;
      const from = this.starts[id]!;
      if (this.starts[id + 1]! - from !== length) continue;
      let k = 0;
      while (k < length && this.chars[from + k] === text.charCodeAt(start + k)) k++;
      if (k === length) return id;
    }
  }

  private add(word: string, hash: number): number {
    const id = this.count++;
    if (this.count * 2 > this.slotIds.length) this.rehash(this.slotIds.length * 2);
    if (id + 2 > this.starts.length) this.starts = grow(this.starts, this.starts.length * 2);
    const from = this.starts[id]!;
    if (from + word.length > this.chars.length) this.chars = growChars(this.chars, Math.max(this.chars.length * 2, from + word.length));
    for (let k = 0; k < word.length; k++) this.chars[from + k] = word.charCodeAt(k);
    this.starts[id + 1] = from + word.length;
    this.place(id, hash);
    return id;
  }

  private place(id: number, hash: number): void {
    const mask = this.slotIds.length - 1;
    let slot = hash & mask;
    while (this.slotIds[slot] !== -1) slot = (slot + 1) & mask;
    this.slotIds[slot] = id;
    this.slotHashes[slot] = hash;
  }

  private rehash(slots: number): void {
    const oldIds = this.slotIds;
    const oldHashes = this.slotHashes;
    this.slotIds = new Int32Array(slots).fill(-1);
    this.slotHashes = new Int32Array(slots);
    for (let slot = 0; slot < oldIds.length; slot++) if (oldIds[slot] !== -1) this.place(oldIds[slot]!, oldHashes[slot]!);
  }
}

function hashWord(word: string): number {
  let hash = fnvOffset;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), fnvPrime);
  return hash;
}

/** Per BMP code unit: 0 not yet known, 1 a word character, 2 not one. */
const bmpClasses = new Uint8Array(65536);

/** UTF-16 units of the word character (Unicode letter, mark or digit) at `i`; 0 when there is none. */
function wordCharUnits(s: string, i: number): number {
  const unit = s.charCodeAt(i);
  let known = bmpClasses[unit]!;
  if (known === 0) {
    if (unit >= 0xd800 && unit <= 0xdfff) return astralWordCharUnits(s, i);
    known = wordCodePoint.test(String.fromCharCode(unit)) ? 1 : 2;
    bmpClasses[unit] = known;
  }
  return known === 1 ? 1 : 0;
}

function astralWordCharUnits(s: string, i: number): number {
  const codePoint = s.codePointAt(i)!;
  if (codePoint <= 0xffff) return 0;
  return wordCodePoint.test(String.fromCodePoint(codePoint)) ? 2 : 0;
}

function grow(array: Int32Array, length: number): Int32Array {
  const grown = new Int32Array(length);
  grown.set(array);
  return grown;
}

function growChars(array: Uint16Array, length: number): Uint16Array {
  const grown = new Uint16Array(length);
  grown.set(array);
  return grown;
}
