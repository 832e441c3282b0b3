ALTER TABLE `sessions` ADD `sandbox_provider` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `sandbox_isolation` text;--> statement-breakpoint
ALTER TABLE `tenant_settings` ADD `sandbox_settings` text DEFAULT '{}' NOT NULL;