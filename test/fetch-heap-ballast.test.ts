import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { withHeapBallast } from '../fetch/heap-ballast.js';

/** Bytes in V8's large-object spaces (old and young), where a 16 MB array lives. */
function largeObjectBytes(): number {
  return getHeapSpaceStatistics()
    .filter((space) => space.space_name.endsWith('large_object_space'))
    .reduce((sum, space) => sum + space.space_used_size, 0);
}

describe('withHeapBallast', () => {
  it('holds 16 MB of heap while its work runs, one for overlapping runs, and passes on results and errors', async () => {
    const before = largeObjectBytes();
    const heldBy: number[] = [];
    const results = await withHeapBallast(async () => {
      heldBy.push(largeObjectBytes() - before);
      const inner = await withHeapBallast(async () => {
        heldBy.push(largeObjectBytes() - before);
        return 'inner';
      });
      return [inner, 'outer'];
    });
    expect(results).toEqual(['inner', 'outer']);
    expect(heldBy[0]).toBeGreaterThanOrEqual(16 * 2 ** 20);
    expect(heldBy[1]! - heldBy[0]!).toBeLessThan(2 ** 20);
    await expect(withHeapBallast(async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
  });
});
