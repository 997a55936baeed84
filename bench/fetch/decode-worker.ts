import { parentPort } from 'node:worker_threads';
import { processImage } from '../../fetch/index.js';

/** For the pool comparison: processImage in a worker thread, one image per message. */
parentPort?.on('message', async (bytes: Uint8Array) => {
  try {
    const image = await processImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    parentPort?.postMessage(image.sha256);
  } catch {
    parentPort?.postMessage('failed');
  }
});
