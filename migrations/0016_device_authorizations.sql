CREATE TABLE `device_authorizations` (
	`id` text PRIMARY KEY NOT NULL,
	`device_code_hash` text NOT NULL,
	`user_code_hash` text NOT NULL,
	`client_name` text NOT NULL,
	`requester_hash` text NOT NULL,
	`status` text NOT NULL,
	`interval_seconds` integer NOT NULL,
	`last_polled_at` integer,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`tenant_id` text,
	`user_id` text,
	`role` text,
	`key_expires_in_days` integer,
	`decided_at` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `device_authorizations_device_code_hash_unique` ON `device_authorizations` (`device_code_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `device_authorizations_user_code_hash_unique` ON `device_authorizations` (`user_code_hash`);--> statement-breakpoint
CREATE INDEX `device_authorizations_requester_idx` ON `device_authorizations` (`requester_hash`,`created_at`);--> statement-breakpoint
CREATE INDEX `device_authorizations_expiry_idx` ON `device_authorizations` (`expires_at`);