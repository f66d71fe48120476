ALTER TABLE `offerings` ADD `price_tiers` text;--> statement-breakpoint
ALTER TABLE `offerings` ADD `conflicts` text;--> statement-breakpoint
ALTER TABLE `reference_models` ADD `price_tiers` text;--> statement-breakpoint
ALTER TABLE `reference_models` ADD `deprecation` text;--> statement-breakpoint
ALTER TABLE `reference_models` ADD `released_at` integer;