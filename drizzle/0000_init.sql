CREATE TABLE `catalog_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`updated_at` integer
);
--> statement-breakpoint
CREATE TABLE `offerings` (
	`id` text PRIMARY KEY NOT NULL,
	`provider_id` text NOT NULL,
	`provider_model_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`created` integer,
	`owned_by` text,
	`context_length` integer,
	`max_output_tokens` integer,
	`input_modalities` text,
	`output_modalities` text,
	`supported_parameters` text,
	`extra` text,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`refresh_run_id` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `offerings_provider_id_idx` ON `offerings` (`provider_id`,`id`);--> statement-breakpoint
CREATE TABLE `pricing` (
	`offering_id` text NOT NULL,
	`component` text NOT NULL,
	`usd` text NOT NULL,
	`source` text DEFAULT 'upstream' NOT NULL,
	PRIMARY KEY(`offering_id`, `component`),
	FOREIGN KEY (`offering_id`) REFERENCES `offerings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `providers` (
	`id` text PRIMARY KEY NOT NULL,
	`last_attempt_at` integer,
	`last_success_at` integer,
	`last_error` text,
	`last_duration_ms` integer,
	`skipped_items` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `refresh_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`trigger` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`catalog_version` integer,
	`results` text
);
