// Typed data access for this stage's tables; filled in by the stage that owns them.
export {};
