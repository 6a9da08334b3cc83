from streams.detect.thresholds import matching_rules

__all__ = ["matching_rules"]
