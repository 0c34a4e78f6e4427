-- Drops the analytics views before migrations 133-148 change the columns they read: the money columns of the
-- star facts (decimal(12,2) -> decimal(18,4), tables rebuilt by 139-141) and dim_customer.state (VARCHAR(16) ->
-- VARCHAR(64), 145). Redshift refuses to drop or retype a column or table while a view uses it, and a view's column
-- types cannot change in place (CREATE OR REPLACE VIEW fails). The migration runner applies every analytics/ view
-- again after any ddl migration ran, so they come back, with the new types, in the same deploy.
DROP VIEW IF EXISTS analytics.monthly_revenue;
DROP VIEW IF EXISTS analytics.category_leaders;
DROP VIEW IF EXISTS analytics.daily_sales_by_state;
DROP VIEW IF EXISTS analytics.delivery_performance;
DROP VIEW IF EXISTS analytics.payment_mix;
