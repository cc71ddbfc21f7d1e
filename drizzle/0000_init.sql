CREATE TABLE `events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`token` text NOT NULL,
	`env` text NOT NULL,
	`body` blob NOT NULL,
	`size` integer NOT NULL,
	`received_at` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_attempt_at` integer,
	`last_status` integer,
	`last_error` text,
	`cloud_event_id` text,
	`delivered_at` integer,
	`warnings` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id_unique` ON `events` (`id`);--> statement-breakpoint
CREATE INDEX `events_lane` ON `events` (`status`,`token`,`env`,`seq`);--> statement-breakpoint
CREATE INDEX `events_delivered` ON `events` (`status`,`delivered_at`) WHERE status = 'delivered';