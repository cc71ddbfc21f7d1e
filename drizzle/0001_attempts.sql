CREATE TABLE `attempts` (
	`id` integer PRIMARY KEY NOT NULL,
	`event_seq` integer NOT NULL,
	`at` integer NOT NULL,
	`status` integer,
	`verdict` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `attempts_event` ON `attempts` (`event_seq`,`at`);--> statement-breakpoint
CREATE TRIGGER `attempts_cleanup` AFTER DELETE ON `events` BEGIN DELETE FROM `attempts` WHERE `event_seq` = old.seq; END;
