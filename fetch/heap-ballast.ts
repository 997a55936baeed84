let holders = 0;
let ballast: number[] | undefined;

/**
 * 16 MB of long-lived heap that V8 never has to trace (one array of doubles:
 * no pointers, so a full marking steps over it), held while `work` runs.
 *
 * Why: Node 20's V8 starts an incremental mark-compact whenever the room left
 * under the old generation's limit is smaller than the young generation's
 * capacity (32 MB once its semi-spaces have grown), and it sets that limit as
 * a multiple of the live heap. A process whose live heap is about 16 MB (wit
 * fetch) gets about 25 MB of room, so it marked its whole heap every 60 images
 * or so. The ballast lifts the limit above the young generation: fetchImages
 * end to end, 1,500 images, went from 20-30 mark-compacts to none and from
 * 6.1-6.4 to 5.8-6.0 ms CPU an image. Runs that overlap share one.
 */
export async function withHeapBallast<T>(work: () => Promise<T>): Promise<T> {
  ballast ??= new Array<number>(2 ** 21).fill(0.5);
  holders++;
  try {
    return await work();
  } finally {
    holders--;
    if (holders === 0) ballast = undefined;
  }
}
