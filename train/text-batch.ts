import type { TextBatch } from './engine/index.js';
import type { Vocabulary } from './vocabulary.js';

/** Captions as the engine's bags of word ids (unknown words dropped; a caption with none is an empty row). */
export function encodeTexts(vocab: Vocabulary, texts: readonly string[]): TextBatch {
  return packTokenLists(texts.map((text) => vocab.encode(text)));
}

export function packTokenLists(lists: readonly Int32Array[]): TextBatch {
  const offsets = new Int32Array(lists.length + 1);
  for (let i = 0; i < lists.length; i++) offsets[i + 1] = offsets[i]! + lists[i]!.length;
  const tokenIds = new Int32Array(offsets[lists.length]!);
  for (let i = 0; i < lists.length; i++) tokenIds.set(lists[i]!, offsets[i]!);
  return { tokenIds, offsets };
}
