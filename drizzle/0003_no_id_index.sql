-- An event id carries its seq (src/spool/event-id.ts): lookups by id go by the primary key, and
-- each append saves one B-tree insert (+2-7% acks/s in test/bench/ab.ts pairs).
DROP INDEX `events_id_unique`;