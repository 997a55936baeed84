/** What a page or image's robots directives forbid us to do with it. */
export type RobotsRefusal = 'noai' | 'noindex';

/**
 * Reads an `X-Robots-Tag` header (or a `<meta name="robots">` content) and says
 * whether it forbids this use: `noai`/`noimageai` forbid any use for training,
 * `noindex` forbids using a page. Directives may be scoped to a crawler
 * (`otherbot: noindex`); those for other crawlers are ignored.
 */
export function robotsRefusal(value: string | undefined, purpose: 'page' | 'image', agentToken: string): RobotsRefusal | undefined {
  if (!value) return undefined;
  let scope: string | undefined;
  const directives = new Set<string>();
  for (const part of value.toLowerCase().split(',')) {
    const scoped = /^\s*([a-z0-9_-]+)\s*:\s*(.*)$/.exec(part);
    let directive = part.trim();
    if (scoped && scoped[1] !== 'unavailable_after' && scoped[1] !== 'max-snippet' && scoped[1] !== 'max-image-preview') {
      scope = scoped[1];
      directive = scoped[2]!.trim();
    }
    if (scope === undefined || scope === '*' || scope === agentToken.toLowerCase()) directives.add(directive);
  }
  if (directives.has('noai') || directives.has('noimageai')) return 'noai';
  if (purpose === 'page' && (directives.has('noindex') || directives.has('none'))) return 'noindex';
  return undefined;
}
