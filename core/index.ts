// The ground floor every stage stands on: errors, option declarations, progress lines, reason
// counters and table formatting. No native code and no SQLite: importing it
// loads nothing heavy.
export { WitError } from './errors.js';
export {
  ProgressLine,
  TerminalLine,
  formatDuration,
  type ProgressField,
  type ProgressSink,
  type ProgressUpdate,
  type ProgressLineOptions,
} from './progress.js';
export { ReasonCounter } from './reason-counter.js';
export { formatCsv, formatRecord, formatTable, type Row } from './format.js';
export {
  checkOptions,
  choice,
  choices,
  decimal,
  mostDelayMillis,
  mostWorkers,
  nameList,
  optionTable,
  path,
  paths,
  resolveOptions,
  seedOption,
  text,
  texts,
  wholeNumber,
  wholeNumberList,
  yesNo,
  type GivenOptions,
  type OptionDeclaration,
  type OptionEntries,
  type OptionTable,
  type ResolvedOptions,
} from './options.js';
