// Errors of the infrastructure adapters (event log, store, cache). Codes are shared by both
// adapters of a port, so callers never depend on which one is wired.
import { createError } from '../errors.ts';

export const UnknownTopic = createError('CLUTCH_EVENTLOG_UNKNOWN_TOPIC', 'topic %s does not exist; create it with ensureTopics first', 500);
export const NotAssigned = createError('CLUTCH_EVENTLOG_NOT_ASSIGNED', 'partition %s-%s is not assigned to this member (it was rebalanced away); its records will be redelivered to the new owner', 409);
export const SubscriptionClosed = createError('CLUTCH_EVENTLOG_CLOSED', 'the subscription or event log is closed', 500);
export const RecordTooLarge = createError('CLUTCH_EVENTLOG_RECORD_TOO_LARGE', '%s exceeds %s', 413);
