import { tokenize } from './normalize.js';
import { WordIds } from './word-ids.js';
import { WordTransitions } from './word-transitions.js';

/** One query as the matcher sees it: its row id and its text (normalized or not). */
export interface MatcherQuery {
  id: number;
  text: string;
}

const root = 0;
const none = -1;
/** Per state, side by side in one array (20 bytes): failure link, report link, first query id, more outputs, scan stamp. */
const stateFields = 5;
const failField = 0;
const reportField = 1;
/** The id of the first query ending at the state (-1: none), kept in the record to spare a lookup. */
const queryField = 2;
/** The state's second output, an index into `outputs` (-1: none); only queries that normalize alike share a state. */
const moreOutputsField = 3;
/** The scan that last reported the state: written while scanning, in the record the scan has just read. */
const stampField = 4;
const maxStamp = 0x7fffffff;

/**
 * Finds every query that occurs in a text as a whole-word phrase.
 *
 * An Aho-Corasick automaton whose alphabet is words, not characters: each
 * distinct query word gets an integer id (`WordIds`), the trie is built over
 * id sequences, and a caption is scanned as the id sequence of its
 * `tokenize()` words. A word that is in no query has no id and sends the scan
 * back to the root. Whole-word semantics come for free ("cat" is never found
 * inside "concatenate"), and a scan costs one hash probe and amortised O(1)
 * automaton steps per word, whatever the number of queries.
 *
 * One addition to plain `tokenize()` words: a possessive word ("york's") also
 * ends the phrases of its stem, so "new york" is found in "New York's skyline"
 * (while the scan goes on with "york's" itself).
 */
export class QueryMatcher {
  /** Number of queries in the automaton (queries with no words are left out). */
  readonly size: number;
  private stamp = 0;

  private constructor(
    private readonly words: WordIds,
    private readonly transitions: WordTransitions,
    /** Child of the root per word id (the most used transitions, kept in a flat array). */
    private readonly rootNext: Int32Array,
    /** `stateFields` numbers per state; only the stamps change after the build. */
    private readonly states: Int32Array,
    /** Per output: the query id, then the next output of the same state (or -1). */
    private readonly outputs: Int32Array,
  ) {
    this.size = outputs.length / 2;
  }

  /** Builds the automaton once for the whole list; ids are expected to be unique. */
  static build(queries: Iterable<MatcherQuery>): QueryMatcher {
    const trie = buildTrie(queries);
    const states = linkStates(trie);
    return new QueryMatcher(trie.words, trie.transitions.compacted(), trie.rootNext, states, Int32Array.from(trie.outputs));
  }

  /**
   * Ids of every query occurring in `text` as a whole-word phrase after
   * `tokenize()`, each id once, in the order their first occurrence ends.
   */
  match(text: string): number[] {
    const found: number[] = [];
    const stamp = this.nextStamp();
    const { ids, stemIds, length } = this.words.encode(text);
    let state = root;
    for (let k = 0; k < length; k++) {
      const stemId = stemIds[k]!;
      if (stemId !== none) this.collect(this.step(state, stemId), stamp, found);
      const wordId = ids[k]!;
      state = wordId === none ? root : this.step(state, wordId);
      this.collect(state, stamp, found);
    }
    return found;
  }

  private step(from: number, wordId: number): number {
    for (let state = from; state !== root; state = this.states[state * stateFields + failField]!) {
      const next = this.transitions.get(state, wordId);
      if (next !== none) return next;
    }
    const next = this.rootNext[wordId]!;
    return next === none ? root : next;
  }

  /**
   * Appends the ids of the queries ending at `state`: the outputs of each
   * state on its report chain. A chain is the same whenever it is walked, so
   * the walk stops at the first state already reported in this scan: all
   * that follows it was reported with it.
   */
  private collect(state: number, stamp: number, found: number[]): void {
    const states = this.states;
    for (let report = states[state * stateFields + reportField]!; report !== none; ) {
      if (states[report * stateFields + stampField] === stamp) return;
      states[report * stateFields + stampField] = stamp;
      found.push(states[report * stateFields + queryField]!);
      for (let out = states[report * stateFields + moreOutputsField]!; out !== none; out = this.outputs[2 * out + 1]!)
        found.push(this.outputs[2 * out]!);
      report = states[states[report * stateFields + failField]! * stateFields + reportField]!;
    }
  }

  private nextStamp(): number {
    if (this.stamp === maxStamp) {
      for (let at = stampField; at < this.states.length; at += stateFields) this.states[at] = 0;
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

interface Trie {
  words: WordIds;
  transitions: WordTransitions;
  rootNext: Int32Array;
  stateCount: number;
  parent: Int32Array;
  wordOf: Int32Array;
  depth: Int32Array;
  firstOutput: Int32Array;
  /** Query id, next output index; two numbers per output. */
  outputs: number[];
}

interface TokenizedQueries {
  words: WordIds;
  ids: number[];
  /** Word ids of all queries back to back; query i is `sequence[starts[i]..starts[i+1])`. */
  sequence: Int32Array;
  starts: number[];
}

function tokenizeQueries(queries: Iterable<MatcherQuery>): TokenizedQueries {
  const words = new WordIds();
  const ids: number[] = [];
  const starts: number[] = [0];
  let sequence = new Int32Array(1024);
  let length = 0;
  for (const query of queries) {
    const tokens = tokenize(query.text);
    if (tokens.length === 0) continue;
    if (length + tokens.length > sequence.length) {
      const grown = new Int32Array(Math.max(sequence.length * 2, length + tokens.length));
      grown.set(sequence);
      sequence = grown;
    }
    for (const token of tokens) sequence[length++] = words.idOf(token);
    ids.push(query.id);
    starts.push(length);
  }
  return { words, ids, sequence: sequence.subarray(0, length), starts };
}

function buildTrie(queries: Iterable<MatcherQuery>): Trie {
  const { words, ids, sequence, starts } = tokenizeQueries(queries);
  const maxStates = sequence.length + 1;
  const trie: Trie = {
    words,
    transitions: new WordTransitions(sequence.length),
    rootNext: new Int32Array(words.size).fill(none),
    stateCount: 1,
    parent: new Int32Array(maxStates),
    wordOf: new Int32Array(maxStates),
    depth: new Int32Array(maxStates),
    firstOutput: new Int32Array(maxStates).fill(none),
    outputs: [],
  };
  for (let q = 0; q < ids.length; q++) {
    let state = root;
    for (let i = starts[q]!; i < starts[q + 1]!; i++) state = childOrNew(trie, state, sequence[i]!);
    const out = trie.outputs.length / 2;
    trie.outputs.push(ids[q]!, trie.firstOutput[state]!);
    trie.firstOutput[state] = out;
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
function linkStates(trie: Trie): Int32Array {
  const states = new Int32Array(trie.stateCount * stateFields);
  for (const state of statesByDepth(trie)) {
    const at = state * stateFields;
    const fail = trie.depth[state]! > 1 ? fallbackTarget(trie, states, trie.parent[state]!, trie.wordOf[state]!) : root;
    states[at + failField] = fail;
    const first = trie.firstOutput[state]!;
    states[at + queryField] = first === none ? none : trie.outputs[2 * first]!;
    states[at + moreOutputsField] = first === none ? none : trie.outputs[2 * first + 1]!;
    if (first !== none) states[at + reportField] = state;
    else states[at + reportField] = state === root ? none : states[fail * stateFields + reportField]!;
  }
  return states;
}

function fallbackTarget(trie: Trie, states: Int32Array, parent: number, wordId: number): number {
  for (let state = states[parent * stateFields + failField]!; state !== root; state = states[state * stateFields + failField]!) {
    const next = trie.transitions.get(state, wordId);
    if (next !== none) return next;
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
