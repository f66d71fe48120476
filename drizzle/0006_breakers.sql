CREATE TABLE `breakers` (
	`provider` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`opened_at` integer,
	`retry_at` integer,
	`last_error` text,
	`last_failure_at` integer,
	`last_success_at` integer
);
