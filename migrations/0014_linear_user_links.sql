CREATE TABLE `linear_user_links` (
	`organization_id` text NOT NULL,
	`linear_user_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`linked_at` integer NOT NULL,
	PRIMARY KEY(`organization_id`, `linear_user_id`),
	FOREIGN KEY (`organization_id`) REFERENCES `linear_installations`(`organization_id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
