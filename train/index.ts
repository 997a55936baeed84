export * from './engine/index.js';
export * from './eval/index.js';
