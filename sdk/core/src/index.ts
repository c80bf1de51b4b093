export * from './events.ts';
export * from './live-summary.ts';
export * from './random.ts';
export * from './titles.ts';
export * from './uuid.ts';
export * from './validate.ts';
export * from './stats/index.ts';
