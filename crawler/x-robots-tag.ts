/** The robots directives wit can honour, as `--disallowed-header-directives` names them. */
export const robotsDirectives = ['noai', 'noimageai', 'noindex', 'noimageindex'] as const;
export type RobotsDirective = (typeof robotsDirectives)[number];

/** img2dataset's default `disallowed_header_directives`: all four. */
export const defaultDisallowedDirectives: readonly RobotsDirective[] = robotsDirectives;

/** Whose directives count and which of them are honoured. */
export interface RobotsPolicy {
  /** The crawler's product token (`wit`): directives scoped to other crawlers are ignored. */
  agentToken: string;
  disallowed: ReadonlySet<RobotsDirective>;
}

/**
 * What a directive forbids. On an image, each of them forbids using it. On a
 * page, `noai` and `noindex` forbid using the page; `noimageai` and
 * `noimageindex` forbid using the images on it (its links may still be followed).
 */
export interface RobotsRefusal {
  directive: RobotsDirective;
  refuses: 'resource' | 'images';
}

const imageOnly: ReadonlySet<RobotsDirective> = new Set(['noimageai', 'noimageindex']);

/**
 * Reads an `X-Robots-Tag` header (or a `<meta name="robots">` content) and says
 * what of the resource it forbids, for the directives in `policy.disallowed`.
 * Directives may be scoped to a crawler (`otherbot: noindex`); `none` is `noindex`.
 */
export function robotsRefusal(value: string | undefined, purpose: 'page' | 'image', policy: RobotsPolicy): RobotsRefusal | undefined {
  if (!value) return undefined;
  const present = directivesFor(value, policy.agentToken.toLowerCase());
  if (present.has('none')) present.add('noindex');
  const found = robotsDirectives.filter((directive) => present.has(directive) && policy.disallowed.has(directive));
  const ofResource = found.find((directive) => purpose === 'image' || !imageOnly.has(directive));
  if (ofResource) return { directive: ofResource, refuses: 'resource' };
  return found[0] ? { directive: found[0], refuses: 'images' } : undefined;
}

function directivesFor(value: string, agentToken: string): Set<string> {
  let scope: string | undefined;
  const directives = new Set<string>();
  for (const part of value.toLowerCase().split(',')) {
    const scoped = /^\s*([a-z0-9_-]+)\s*:\s*(.*)$/.exec(part);
    let directive = part.trim();
    if (scoped && scoped[1] !== 'unavailable_after' && scoped[1] !== 'max-snippet' && scoped[1] !== 'max-image-preview') {
      scope = scoped[1];
      directive = scoped[2]!.trim();
    }
    if (scope === undefined || scope === '*' || scope === agentToken) directives.add(directive);
  }
  return directives;
}
