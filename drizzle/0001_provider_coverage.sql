ALTER TABLE `offerings` ADD `capabilities` text;--> statement-breakpoint
ALTER TABLE `offerings` ADD `deprecation` text;--> statement-breakpoint
ALTER TABLE `providers` ADD `last_warning` text;