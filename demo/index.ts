export type { Catalog, CatalogOptions, Emoji } from './openmoji-catalog.js';
export type { DemoSite, DemoSiteOptions } from './demo-site.js';
export { runDemo, type DemoFigures, type DemoOptions, type DemoResult } from './run-demo.js';
export type { DemoProfile } from './demo-profile.js';
export { formatDemoSummary } from './demo-summary.js';
