ALTER TABLE `offerings` ADD `canonical_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `offerings_canonical_id_idx` ON `offerings` (`canonical_id`,`provider_id`);