ALTER TABLE `offerings` ADD `prompt_price` real;--> statement-breakpoint
ALTER TABLE `offerings` ADD `completion_price` real;--> statement-breakpoint
CREATE INDEX `offerings_prompt_price_idx` ON `offerings` (`prompt_price`);--> statement-breakpoint
CREATE INDEX `offerings_completion_price_idx` ON `offerings` (`completion_price`);--> statement-breakpoint
CREATE INDEX `offerings_context_length_idx` ON `offerings` (`context_length`);--> statement-breakpoint
CREATE INDEX `offerings_created_idx` ON `offerings` (`created`);