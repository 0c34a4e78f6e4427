-- Schema star: the dimensional model (SCD2 dimensions, facts at order-item, order and payment grain).
CREATE SCHEMA IF NOT EXISTS star;
