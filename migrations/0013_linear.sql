CREATE TABLE `linear_installations` (
	`organization_id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`organization_name` text NOT NULL,
	`app_user_id` text NOT NULL,
	`access_token` text NOT NULL,
	`refresh_token` text,
	`expires_at` integer,
	`installed_by` text,
	`installed_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`installed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `linear_installations_tenant_idx` ON `linear_installations` (`tenant_id`);
--> statement-breakpoint
CREATE TABLE `linear_team_repositories` (
	`tenant_id` text NOT NULL,
	`team_id` text NOT NULL,
	`owner` text NOT NULL,
	`name` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `team_id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `linear_agent_sessions` (
	`agent_session_id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`issue_id` text NOT NULL,
	`issue_identifier` text,
	`issue_url` text,
	`tenant_id` text NOT NULL,
	`session_id` text NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `linear_agent_sessions_session_idx` ON `linear_agent_sessions` (`tenant_id`,`session_id`);
