-- Schema ops: the migration ledger, load audit and other operational records of the warehouse.
CREATE SCHEMA IF NOT EXISTS ops;
