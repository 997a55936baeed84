import { tokenize } from './normalize.js';
import { WordTransitions } from './word-transitions.js';

/** One query as the matcher sees it: its row id and its text (normalized or not). */
export interface MatcherQuery {
  id: number;
  text: string;
}

const root = 0;
const none = -1;

/**
 * Finds every query that occurs in a text as a whole-word phrase.
 *
 * An Aho-Corasick automaton whose alphabet is words, not characters: each
 * distinct query word gets an integer id, the trie is built over id sequences,
 * and a caption is scanned as the id sequence of its `tokenize()` words. A word
 * that is in no query has no id and sends the scan back to the root. Whole-word
 * semantics come for free ("cat" is never found inside "concatenate"), and a scan
 * costs one `Map` lookup and amortised O(1) automaton steps per word, whatever
 * the number of queries.
 *
 * One addition to plain `tokenize()` words: a possessive word ("york's") also
 * ends the phrases of its stem, so "new york" is found in "New York's skyline"
 * (while the scan goes on with "york's" itself).
 */
export class QueryMatcher {
  /** Number of queries in the automaton (queries with no words are left out). */
  readonly size: number;
  private seenStamp: Uint32Array;
  private stamp = 0;

  private constructor(
    private readonly wordIds: Map<string, number>,
    private readonly transitions: WordTransitions,
    private readonly rootNext: Int32Array,
    private readonly fail: Int32Array,
    private readonly reportLink: Int32Array,
    private readonly firstOutput: Int32Array,
    private readonly outputIds: Int32Array,
    private readonly nextOutput: Int32Array,
  ) {
    this.size = outputIds.length;
    this.seenStamp = new Uint32Array(outputIds.length);
  }

  /** Builds the automaton once for the whole list; ids are expected to be unique. */
  static build(queries: Iterable<MatcherQuery>): QueryMatcher {
    const trie = buildTrie(queries);
    const { fail, reportLink } = linkFailures(trie);
    return new QueryMatcher(
      trie.wordIds,
      trie.transitions,
      trie.rootNext,
      fail,
      reportLink,
      trie.firstOutput,
      Int32Array.from(trie.outputIds),
      Int32Array.from(trie.nextOutput),
    );
  }

  /**
   * Ids of every query occurring in `text` as a whole-word phrase after
   * `tokenize()`, each id once, in the order their first occurrence ends.
   */
  match(text: string): number[] {
    const found: number[] = [];
    const stamp = this.nextStamp();
    let state = root;
    for (const word of tokenize(text)) {
      if (isPossessive(word)) {
        const stemId = this.wordIds.get(word.slice(0, -2));
        if (stemId !== undefined) this.collect(this.step(state, stemId), stamp, found);
      }
      const wordId = this.wordIds.get(word);
      state = wordId === undefined ? root : this.step(state, wordId);
      this.collect(state, stamp, found);
    }
    return found;
  }

  /** Appends the ids of the queries ending at `state` not found yet in this scan. */
  private collect(state: number, stamp: number, found: number[]): void {
    for (let report = this.reportLink[state]!; report !== none; report = this.reportLink[this.fail[report]!]!) {
      for (let out = this.firstOutput[report]!; out !== none; out = this.nextOutput[out]!) {
        if (this.seenStamp[out] === stamp) continue;
        this.seenStamp[out] = stamp;
        found.push(this.outputIds[out]!);
      }
    }
  }

  private step(from: number, wordId: number): number {
    let state = from;
    while (state !== root) {
      const next = this.transitions.get(state, wordId);
      if (next !== none) return next;
      state = this.fail[state]!;
    }
    const next = this.rootNext[wordId]!;
    return next === none ? root : next;
  }

  private nextStamp(): number {
    if (this.stamp === 0xffffffff) {
      this.seenStamp.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

const apostrophe = 39;
const letterS = 115;

function isPossessive(word: string): boolean {
  const n = word.length;
  return n > 2 && word.charCodeAt(n - 1) === letterS && word.charCodeAt(n - 2) === apostrophe;
}

interface Trie {
  wordIds: Map<string, number>;
  transitions: WordTransitions;
  /** Child of the root per word id (the most used transitions, kept in a flat array). */
  rootNext: Int32Array;
  stateCount: number;
  parent: Int32Array;
  wordOf: Int32Array;
  depth: Int32Array;
  firstOutput: Int32Array;
  outputIds: number[];
  nextOutput: number[];
}

interface TokenizedQueries {
  wordIds: Map<string, number>;
  ids: number[];
  /** Word ids of all queries back to back; query i is `words[starts[i]..starts[i+1])`. */
  words: Int32Array;
  starts: number[];
}

function tokenizeQueries(queries: Iterable<MatcherQuery>): TokenizedQueries {
  const wordIds = new Map<string, number>();
  const ids: number[] = [];
  const starts: number[] = [0];
  let words = new Int32Array(1 << 16);
  let length = 0;
  for (const query of queries) {
    const tokens = tokenize(query.text);
    if (tokens.length === 0) continue;
    if (length + tokens.length > words.length) {
      const grown = new Int32Array(Math.max(words.length * 2, length + tokens.length));
      grown.set(words);
      words = grown;
    }
    for (const token of tokens) {
      let wordId = wordIds.get(token);
      if (wordId === undefined) {
        wordId = wordIds.size;
        wordIds.set(token, wordId);
      }
      words[length++] = wordId;
    }
    ids.push(query.id);
    starts.push(length);
  }
  return { wordIds, ids, words: words.subarray(0, length), starts };
}

function buildTrie(queries: Iterable<MatcherQuery>): Trie {
  const { wordIds, ids, words, starts } = tokenizeQueries(queries);
  const maxStates = words.length + 1;
  const trie: Trie = {
    wordIds,
    transitions: new WordTransitions(words.length),
    rootNext: new Int32Array(wordIds.size).fill(none),
    stateCount: 1,
    parent: new Int32Array(maxStates),
    wordOf: new Int32Array(maxStates),
    depth: new Int32Array(maxStates),
    firstOutput: new Int32Array(maxStates).fill(none),
    outputIds: [],
    nextOutput: [],
  };
  for (let q = 0; q < ids.length; q++) {
    let state = root;
    for (let i = starts[q]!; i < starts[q + 1]!; i++) state = childOrNew(trie, state, words[i]!);
    trie.nextOutput.push(trie.firstOutput[state]!);
    trie.firstOutput[state] = trie.outputIds.length;
    trie.outputIds.push(ids[q]!);
  }
  return trie;
}

function childOrNew(trie: Trie, state: number, wordId: number): number {
  const existing = state === root ? trie.rootNext[wordId]! : trie.transitions.get(state, wordId);
  if (existing !== none) return existing;
  const child = trie.stateCount++;
  trie.parent[child] = state;
  trie.wordOf[child] = wordId;
  trie.depth[child] = trie.depth[state]! + 1;
  if (state === root) trie.rootNext[wordId] = child;
  else trie.transitions.set(state, wordId, child);
  return child;
}

/**
 * Failure links in breadth-first order (a state's link always points to a
 * shallower state), and report links: the nearest state on the failure chain,
 * the state itself included, at which some query ends.
 */
function linkFailures(trie: Trie): { fail: Int32Array; reportLink: Int32Array } {
  const count = trie.stateCount;
  const fail = new Int32Array(count);
  const reportLink = new Int32Array(count).fill(none);
  for (const state of statesByDepth(trie)) {
    if (trie.depth[state]! > 1) fail[state] = fallbackTarget(trie, fail, trie.parent[state]!, trie.wordOf[state]!);
    reportLink[state] = trie.firstOutput[state] !== none ? state : state === root ? none : reportLink[fail[state]!]!;
  }
  return { fail, reportLink };
}

function fallbackTarget(trie: Trie, fail: Int32Array, parent: number, wordId: number): number {
  let state = fail[parent]!;
  while (state !== root) {
    const next = trie.transitions.get(state, wordId);
    if (next !== none) return next;
    state = fail[state]!;
  }
  const next = trie.rootNext[wordId]!;
  return next === none ? root : next;
}

function statesByDepth(trie: Trie): Int32Array {
  const count = trie.stateCount;
  let maxDepth = 0;
  for (let s = 0; s < count; s++) maxDepth = Math.max(maxDepth, trie.depth[s]!);
  const offsets = new Int32Array(maxDepth + 2);
  for (let s = 0; s < count; s++) offsets[trie.depth[s]! + 1] = offsets[trie.depth[s]! + 1]! + 1;
  for (let d = 1; d < offsets.length; d++) offsets[d] = offsets[d]! + offsets[d - 1]!;
  const order = new Int32Array(count);
  for (let s = 0; s < count; s++) {
    const depth = trie.depth[s]!;
    order[offsets[depth]!] = s;
    offsets[depth] = offsets[depth]! + 1;
  }
  return order;
}
