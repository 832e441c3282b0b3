-- Model calls now live in each session's Durable Object (session/model-calls.ts) and the month's
-- spend in the tenant's meter DO. Calls not yet rolled up are added to usage_daily first, so none is
-- lost; the cursors then restart at 0, as they now count the session DO's call sequence.
INSERT INTO `usage_daily` (`tenant_id`, `day`, `user_id`, `repo`, `agent`, `provider`, `model`, `calls`,
  `input_tokens`, `output_tokens`, `cache_read_tokens`, `cache_creation_tokens`, `cost_usd`)
SELECT mu.tenant_id, substr(mu.created_at, 1, 10), mu.user_id,
  CASE json_extract(s.repo, '$.kind') WHEN 'github'
    THEN json_extract(s.repo, '$.owner') || '/' || json_extract(s.repo, '$.name')
    ELSE 'local:' || json_extract(s.repo, '$.path') END,
  s.agent, mu.provider, mu.model, count(*), sum(mu.input_tokens), sum(mu.output_tokens),
  sum(mu.cache_read_tokens), sum(mu.cache_creation_tokens), sum(mu.cost_usd)
FROM `model_usage` mu JOIN `sessions` s ON s.id = mu.session_id AND s.tenant_id = mu.tenant_id
WHERE mu.rowid > coalesce((SELECT c.last_usage_rowid FROM `usage_rollup_cursors` c
  WHERE c.session_id = mu.session_id AND c.tenant_id = mu.tenant_id), 0)
GROUP BY mu.tenant_id, substr(mu.created_at, 1, 10), mu.user_id, mu.session_id, mu.provider, mu.model
ON CONFLICT (`tenant_id`, `day`, `user_id`, `repo`, `agent`, `provider`, `model`) DO UPDATE SET
  `calls` = `calls` + excluded.`calls`,
  `input_tokens` = `input_tokens` + excluded.`input_tokens`,
  `output_tokens` = `output_tokens` + excluded.`output_tokens`,
  `cache_read_tokens` = `cache_read_tokens` + excluded.`cache_read_tokens`,
  `cache_creation_tokens` = `cache_creation_tokens` + excluded.`cache_creation_tokens`,
  `cost_usd` = `cost_usd` + excluded.`cost_usd`;--> statement-breakpoint
DELETE FROM `usage_rollup_cursors`;--> statement-breakpoint
DROP TABLE `model_usage`;
