export * from './images/index.js';
