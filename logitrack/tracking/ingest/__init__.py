"""Position ingestion: the device directory, the group-commit writer, the OsmAnd endpoints."""
