export { writeReport, type ReportOptions, type WrittenReport } from './write-report.js';
