CREATE TABLE `slack_installations` (
	`team_id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`team_name` text NOT NULL,
	`bot_user_id` text NOT NULL,
	`bot_token` text NOT NULL,
	`installed_by` text,
	`installed_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`installed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `slack_installations_tenant_idx` ON `slack_installations` (`tenant_id`);
--> statement-breakpoint
CREATE TABLE `slack_user_links` (
	`team_id` text NOT NULL,
	`slack_user_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`linked_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `slack_user_id`),
	FOREIGN KEY (`team_id`) REFERENCES `slack_installations`(`team_id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `slack_channel_repositories` (
	`team_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`owner` text NOT NULL,
	`name` text NOT NULL,
	PRIMARY KEY(`team_id`, `channel_id`),
	FOREIGN KEY (`team_id`) REFERENCES `slack_installations`(`team_id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `slack_threads` (
	`team_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`thread_ts` text NOT NULL,
	`tenant_id` text NOT NULL,
	`session_id` text NOT NULL,
	PRIMARY KEY(`team_id`, `channel_id`, `thread_ts`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `slack_threads_session_idx` ON `slack_threads` (`tenant_id`,`session_id`);
