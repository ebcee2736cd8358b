"""Influencer attribution services: ingest (HTTP → Kafka), attribution and aggregator (Faust)."""
