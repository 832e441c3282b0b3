CREATE TABLE `model_usage` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`session_id` text NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`status` integer NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cache_read_tokens` integer DEFAULT 0 NOT NULL,
	`cache_creation_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`month` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `model_usage_tenant_session_idx` ON `model_usage` (`tenant_id`,`session_id`);--> statement-breakpoint
CREATE INDEX `model_usage_tenant_month_idx` ON `model_usage` (`tenant_id`,`month`);--> statement-breakpoint
ALTER TABLE `tenant_settings` ADD `model_settings` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `tenant_settings` ADD `budget_settings` text DEFAULT '{}' NOT NULL;