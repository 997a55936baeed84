export { loadCatalog, type Catalog, type CatalogOptions, type Emoji } from './openmoji-catalog.js';
export { startDemoSite, type DemoSite, type DemoSiteOptions } from './demo-site.js';
export { writeEvalImages } from './eval-images.js';
export { demoPaths, runDemo, type DemoFigures, type DemoOptions, type DemoResult } from './run-demo.js';
export { demoProfiles, type DemoProfile } from './demo-profile.js';
export { formatDemoSummary } from './demo-summary.js';
export { evalClassFolder, evalClassName } from './class-names.js';
