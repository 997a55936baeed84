/**
 * Keeps up to `depth` items of `source` in preparation while the consumer
 * works on the current one, so a training step never waits on decoding
 * unless decoding is slower than the step. Order is kept.
 */
export async function* prefetch<T>(source: AsyncIterable<T>, depth: number): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const pending: Array<Promise<IteratorResult<T>>> = [];
  const request = () => {
    const next = iterator.next();
    // Handled when awaited below; this only keeps an early rejection from counting as unhandled.
    next.catch(() => undefined);
    pending.push(next);
  };
  try {
    for (let i = 0; i < depth; i++) request();
    for (;;) {
      const result = await pending.shift()!;
      if (result.done) return;
      request();
      yield result.value;
    }
  } finally {
    await Promise.allSettled(pending);
    await iterator.return?.();
  }
}
