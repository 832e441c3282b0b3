CREATE TABLE `github_trigger_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`claimed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `github_trigger_keys_claimed_idx` ON `github_trigger_keys` (`claimed_at`);--> statement-breakpoint
CREATE INDEX `github_webhook_deliveries_received_idx` ON `github_webhook_deliveries` (`received_at`);--> statement-breakpoint
CREATE INDEX `sessions_status_updated_idx` ON `sessions` (`status`,`updated_at`);