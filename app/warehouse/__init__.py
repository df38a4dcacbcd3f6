"""The DuckDB warehouse: connection, schema, SQL models (raw_ → stg_ → mart_) and query functions."""
