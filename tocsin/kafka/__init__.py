"""Kafka plumbing for Tocsin: the local broker, topics and clients."""
