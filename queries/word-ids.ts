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
 * and probes an open-addressing table in one typed array whose slots hold a
 * word's hash, id, length and where its UTF-16 units start in a second
 * array. This saves the allocation, the garbage collection and the separate
 * hashing pass of `tokenize()` + `Map.get` on every caption word.
 */
export class WordIds {
  /** `slotFields` numbers per slot; see `slotFields`. */
  private slots: Int32Array = emptySlots(64);
  private slotCount = 64;
  private chars: Uint16Array = new Uint16Array(1024);
  private charsUsed = 0;
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
      let unit = s.charCodeAt(i);
      let units = unit < 128 ? asciiWordUnits[unit]! : wordCharUnits(s, i);
      if (units === 0) {
        i++;
        continue;
      }
      const start = i;
      let hash = fnvOffset;
      let stemHash = 0;
      let stemEnd = -1;
      for (;;) {
        hash = Math.imul(hash ^ unit, fnvPrime);
        if (units === 2) hash = Math.imul(hash ^ s.charCodeAt(i + 1), fnvPrime);
        i += units;
        if (i >= n) break;
        unit = s.charCodeAt(i);
        units = unit < 128 ? asciiWordUnits[unit]! : wordCharUnits(s, i);
        if (units > 0) continue;
        if (unit !== apostrophe || i + 1 >= n) break;
        unit = s.charCodeAt(i + 1);
        units = unit < 128 ? asciiWordUnits[unit]! : wordCharUnits(s, i + 1);
        if (units === 0) break;
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
    const slots = this.slots;
    const mask = this.slotCount - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot * slotFields;
      const id = slots[at + idField]!;
      if (id === -1) return -1;
      if (slots[at + hashField] !== hash || slots[at + lengthField] !== length) continue;
      if (this.sameChars(slots[at + startField]!, text, start, length)) return id;
    }
  }

  private sameChars(from: number, text: string, start: number, length: number): boolean {
    let k = 0;
    while (k < length && this.chars[from + k] === text.charCodeAt(start + k)) k++;
    return k === length;
  }

  private add(word: string, hash: number): number {
    const id = this.count++;
    if (this.count * 2 > this.slotCount) this.rehash(this.slotCount * 2);
    const record = new Int32Array(slotFields);
    record[hashField] = hash;
    record[idField] = id;
    record[lengthField] = word.length;
    record[startField] = this.storeChars(word);
    this.place(this.slots, this.slotCount, record);
    return id;
  }

  private storeChars(word: string): number {
    const from = this.charsUsed;
    if (from + word.length > this.chars.length) this.chars = growChars(this.chars, Math.max(this.chars.length * 2, from + word.length));
    for (let k = 0; k < word.length; k++) this.chars[from + k] = word.charCodeAt(k);
    this.charsUsed += word.length;
    return from;
  }

  private place(slots: Int32Array, slotCount: number, record: Int32Array): void {
    const mask = slotCount - 1;
    let slot = record[hashField]! & mask;
    while (slots[slot * slotFields + idField] !== -1) slot = (slot + 1) & mask;
    slots.set(record, slot * slotFields);
  }

  private rehash(slotCount: number): void {
    const old = this.slots;
    this.slots = emptySlots(slotCount);
    this.slotCount = slotCount;
    for (let at = 0; at < old.length; at += slotFields) {
      if (old[at + idField] !== -1) this.place(this.slots, slotCount, old.subarray(at, at + slotFields));
    }
  }
}

/**
 * A slot: hash, id, length and start of the word's UTF-16 units in `chars`.
 * 16 bytes, so that the table of a 100k-word vocabulary (4 MB at load one
 * half) leaves room in the cache for the automaton.
 */
const slotFields = 4;
const hashField = 0;
const idField = 1;
const lengthField = 2;
const startField = 3;

function emptySlots(slotCount: number): Int32Array {
  const slots = new Int32Array(slotCount * slotFields);
  for (let at = idField; at < slots.length; at += slotFields) slots[at] = -1;
  return slots;
}

function hashWord(word: string): number {
  let hash = fnvOffset;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), fnvPrime);
  return hash;
}

/** Per BMP code unit: 0 not yet known, 1 a word character, 2 not one. */
const bmpClasses = new Uint8Array(65536);
/** Per ASCII code: 1 for a word character, 0 else (most caption text is ASCII). */
const asciiWordUnits = Uint8Array.from({ length: 128 }, (_, code) => (wordCodePoint.test(String.fromCharCode(code)) ? 1 : 0));

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
