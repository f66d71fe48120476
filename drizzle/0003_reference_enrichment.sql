CREATE TABLE `reference_models` (
	`source` text NOT NULL,
	`provider_id` text NOT NULL,
	`model_key` text NOT NULL,
	`canonical_id` text NOT NULL,
	`context_length` integer,
	`max_output_tokens` integer,
	`input_modalities` text,
	`output_modalities` text,
	`capabilities` text,
	`pricing` text,
	PRIMARY KEY(`source`, `provider_id`, `model_key`)
);
--> statement-breakpoint
CREATE INDEX `reference_models_canonical_idx` ON `reference_models` (`canonical_id`,`source`);--> statement-breakpoint
ALTER TABLE `offerings` ADD `upstream` text;--> statement-breakpoint
ALTER TABLE `offerings` ADD `sources` text;