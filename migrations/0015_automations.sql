CREATE TABLE `automation_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`automation_id` text NOT NULL,
	`at` text NOT NULL,
	`trigger_id` text NOT NULL,
	`dedupe_key` text,
	`outcome` text NOT NULL,
	`reason` text,
	`session_id` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`automation_id`) REFERENCES `automations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `automation_runs_newest_idx` ON `automation_runs` (`tenant_id`,`automation_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `automation_runs_dedupe_idx` ON `automation_runs` (`automation_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `automation_runs_started_idx` ON `automation_runs` (`automation_id`,`outcome`,`at`);--> statement-breakpoint
CREATE TABLE `automations` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`enabled` integer NOT NULL,
	`trigger_kind` text NOT NULL,
	`trigger` text NOT NULL,
	`repo` text NOT NULL,
	`agent` text,
	`model` text,
	`prompt_template` text NOT NULL,
	`filter` text,
	`dedupe_key` text,
	`max_runs_per_hour` integer NOT NULL,
	`max_concurrent` integer NOT NULL,
	`acting_user_id` text NOT NULL,
	`paused_reason` text,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`secret_ciphertext` text,
	`previous_secret_ciphertext` text,
	`previous_secret_until` text,
	`created_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`last_run_at` text,
	`next_run_at` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`acting_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `automations_tenant_idx` ON `automations` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `automations_next_run_idx` ON `automations` (`next_run_at`);--> statement-breakpoint
ALTER TABLE `sessions` ADD `automation_id` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `automation_name` text;--> statement-breakpoint
CREATE INDEX `sessions_tenant_automation_idx` ON `sessions` (`tenant_id`,`automation_id`,`status`);--> statement-breakpoint
ALTER TABLE `api_keys` ADD `scope` text;