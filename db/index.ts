export { WitError, NotBuiltError } from './errors.js';
export { openDb, type OpenDbOptions, type WitDb } from './open.js';
export { latestVersion, migrations, type Migration } from './migrations.js';
export { ProgressLine, formatDuration, formatProgress, type ProgressSink, type ProgressUpdate, type ProgressLineOptions } from './progress.js';
export { ReasonCounter } from './reason-counter.js';
export { collectStats, formatStats, type DbStats, type HostFailures } from './stats.js';
export { runReadonlySql, type SqlResult } from './sql.js';
export { showRow, showKinds, type ShowKind, type ShowSection } from './show.js';
export { formatCsv, formatRecord, formatTable, type Row } from './format.js';
