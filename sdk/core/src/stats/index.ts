export * from './engine.ts';
export * from './model.ts';
export { BUY_THRESHOLDS, TRADE_WINDOW_MS, counters } from './shooter.ts';
export { clutchRating, playerTotals, statsView } from './view.ts';
