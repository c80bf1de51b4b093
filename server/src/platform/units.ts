// The billable units of the usage ledger (docs/usage.md). A module of its own so the configuration can
// check the meter mapping (CLUTCH_METER_EVENTS) without loading the HTTP side of usage.ts.
export const UNITS = ['api_call', 'live_message', 'live_minute', 'plugin_cpu_ms', 'ingest_payload'] as const;
export type Unit = (typeof UNITS)[number];
