export { loadCatalog, type Catalog, type CatalogOptions, type Emoji } from './openmoji-catalog.js';
export { startDemoSite, type DemoSite, type DemoSiteOptions } from './demo-site.js';
export { writeEvalImages } from './eval-images.js';
