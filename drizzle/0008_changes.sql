CREATE TABLE `changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`catalog_version` integer NOT NULL,
	`at` integer NOT NULL,
	`provider_id` text NOT NULL,
	`offering_id` text NOT NULL,
	`canonical_id` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `changes_at_idx` ON `changes` (`at`);--> statement-breakpoint
CREATE INDEX `changes_version_idx` ON `changes` (`catalog_version`);--> statement-breakpoint
CREATE INDEX `changes_provider_idx` ON `changes` (`provider_id`,`id`);