import { mostWorkers, optionTable, path, text, wholeNumber, yesNo } from '../core/index.js';

// Every option of the fetch stage, declared once (the polite fetcher's own are
// in crawler/options.ts, shared with the crawl). The library's defaults and
// checks, `wit fetch`'s flags and their --help come from here.

/** The image store folder: DIR/ab/cd/<sha256>.jpg, created when missing. */
const imagesDir = path({ flag: 'images', default: 'images', describe: 'Image store folder: DIR/ab/cd/<sha256>.jpg' });

/** Where `wit fetch`, `wit db check-images` and `wit shards build` find the image store. */
export const imageStoreOptions = optionTable('ImageStore', { imagesDir });

/** `wit crawl --fetch`: images fetched as pairs are found, with `wit fetch`'s defaults. */
export const fetchWhileCrawlingOptions = optionTable('FetchWhileCrawling', {
  fetch: yesNo({
    flag: 'fetch',
    default: false,
    describe: "Fetch the pairs' images while crawling (as `wit fetch` with its defaults)",
    group: 'Images:',
  }),
  imagesDir: { ...imagesDir, describe: 'With --fetch: the image store folder', group: 'Images:' },
});

/** `wit db check-images`: the store against the images table. */
export const checkImagesOptions = optionTable('CheckImagesOptions', {
  imagesDir: { ...imagesDir, describe: 'Image store folder (as given to wit fetch)' },
  /**
   * Fix what disagrees: rows whose file is missing or empty go back to pending
   * (the next `wit fetch` downloads them again), files no row uses are deleted.
   * Run it while no `wit fetch` is writing to the same store.
   */
  repair: yesNo({
    flag: 'repair',
    default: false,
    describe: 'Put rows whose file is missing back to pending and delete files no row uses (no wit fetch may be running)',
  }),
});

export const processImageOptions = optionTable('ProcessImageOptions', {
  /** Shorter side of the stored JPEG, in pixels; smaller images are kept at their size. */
  size: wholeNumber({
    flag: 'size',
    least: 8,
    most: 8192,
    default: 256,
    describe: 'Shorter side of the stored JPEG in px (never upscaled)',
  }),
  /** Images whose shorter side (after EXIF orientation) is below this are refused as `too_small`. */
  minSide: wholeNumber({
    flag: 'min-side',
    least: 1,
    most: 8192,
    default: 64,
    describe: 'Refuse images whose shorter side is below this (too_small)',
  }),
  /** Images declaring more pixels than this are refused as `too_many_pixels` before any pixel is decoded (decompression bombs). PIL's default limit. */
  maxPixels: wholeNumber({
    flag: 'max-pixels',
    least: 1,
    most: 1e10,
    default: 89_478_485,
    describe: 'Refuse images declaring more pixels (too_many_pixels); PIL default',
  }),
  /** Rasterise SVG (without loading external resources) instead of refusing it as `svg_refused`. */
  allowSvg: yesNo({ flag: 'allow-svg', default: false, describe: 'Rasterise SVG instead of refusing it (svg_refused)' }),
});

export const fetchImagesOptions = optionTable('FetchImagesOptions', {
  /** Downloads larger than this fail as `too_large` without being read to the end. */
  maxImageBytes: wholeNumber({
    flag: 'max-image-bytes',
    least: 1,
    most: 1024 ** 3,
    default: 20 * 1024 * 1024,
    describe: 'Refuse downloads larger than this (too_large)',
  }),
  /**
   * Images decoded and resized at once (sharp runs each on a libuv thread);
   * unset: twice libuv's threads (`UV_THREADPOOL_SIZE`, which the `wit`
   * command sets to the cores, at least 4; libuv's default is 4), so that
   * a thread finding its image done takes the next one at once instead of
   * waiting for the main thread (pHash, file calls, downloads). At most 4 a core.
   */
  decodeConcurrency: wholeNumber({
    flag: 'decode-concurrency',
    least: 1,
    most: mostWorkers,
    defaultText: '2 x libuv threads (wit starts one a core, at least 4)',
    describe: 'Images decoded at once',
  }),
  /** Put failed images (those failed with `retryReason` only, when given) back to pending first. */
  retryFailed: yesNo({ flag: 'retry-failed', default: false, describe: 'Try failed images again' }),
  /** With `retryFailed`: only this reason, e.g. `timeout`. */
  retryReason: text({ flag: 'reason', describe: 'With --retry-failed: only images failed with this reason (e.g. timeout)' }),
});
