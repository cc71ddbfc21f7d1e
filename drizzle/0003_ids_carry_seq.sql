-- An event id carries its seq (src/spool/event-id.ts): lookups by id go by the primary key, and
-- each append saves one B-tree insert (+2-7% acks/s in test/bench/ab.ts pairs).
-- Ids stored before keep a small index of their own, written once here.
CREATE TABLE IF NOT EXISTS `legacy_ids` (
	`id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL
);
--> statement-breakpoint
INSERT OR IGNORE INTO `legacy_ids` (`id`, `seq`) SELECT `id`, `seq` FROM `events`;
--> statement-breakpoint
DROP INDEX IF EXISTS `events_id_unique`;
