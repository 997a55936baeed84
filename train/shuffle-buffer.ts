import type { SeededRandom } from './random.js';

/**
 * WebDataset's sample shuffle: hold up to `bufferSize` items and emit a
 * random one as each new one arrives, then drain the rest in random order.
 * With a seeded generator the output order is a pure function of the input.
 */
export async function* shuffleBuffered<T>(source: AsyncIterable<T>, bufferSize: number, random: SeededRandom): AsyncGenerator<T> {
  const buffer: T[] = [];
  for await (const item of source) {
    buffer.push(item);
    if (buffer.length >= bufferSize) yield takeRandom(buffer, random);
  }
  while (buffer.length > 0) yield takeRandom(buffer, random);
}

function takeRandom<T>(buffer: T[], random: SeededRandom): T {
  const index = random.int(buffer.length);
  const item = buffer[index]!;
  buffer[index] = buffer[buffer.length - 1]!;
  buffer.pop();
  return item;
}
