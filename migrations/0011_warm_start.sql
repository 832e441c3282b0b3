CREATE TABLE `warm_repositories` (
	`tenant_id` text NOT NULL,
	`repo_key` text NOT NULL,
	`repo` text NOT NULL,
	`enabled` integer NOT NULL,
	`updated_by` text,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `repo_key`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `warm_snapshots` (
	`tenant_id` text NOT NULL,
	`repo_key` text NOT NULL,
	`provider` text NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`prebuild_session_id` text,
	`build_started_at` text,
	`ref` text,
	`commit` text,
	`built_at` text,
	`head_commit` text,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `repo_key`, `provider`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `sessions` ADD `sandbox_start` text;