ALTER TABLE `github_installations` ADD `linked_by` text;--> statement-breakpoint
ALTER TABLE `github_repositories` ADD `default_branch` text;--> statement-breakpoint
CREATE INDEX `sessions_tenant_branch_idx` ON `sessions` (`tenant_id`,`branch`);