import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadCorpus } from './corpus.js';
import { decodableImages } from './decodable.js';
import { loadSmallCorpus } from './small-corpus.js';
import { imageVariant } from './variant.js';

/**
 * The bench's image host, run as a child process (as a remote server would
 * be, its CPU is not the fetcher's event loop): `/i/<k>` answers corpus image
 * `k mod n` (of the files wit decodes), made unique by `imageVariant`. Sends `{ port }` to its parent,
 * and `{ cpu }` (its `process.cpuUsage()`) whenever the parent sends `'cpu'`.
 * Arguments: the corpus (`small` or `large`) and the small corpus's folder.
 */
const [name, smallDir] = process.argv.slice(2);
const { kept: corpus } = await decodableImages(name === 'small' ? loadSmallCorpus(smallDir!, 2000) : await loadCorpus());
const server = http.createServer((request, response) => {
  const match = /^\/i\/(\d+)/.exec(request.url ?? '');
  if (!match) {
    response.writeHead(404).end();
    return;
  }
  const k = Number(match[1]);
  const image = corpus[k % corpus.length]!;
  const body = imageVariant(image.bytes, k);
  response.writeHead(200, { 'content-type': /\.png$/i.test(image.name) ? 'image/png' : 'image/jpeg', 'content-length': body.length });
  response.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
process.on('disconnect', () => process.exit(0));
