from streams.merge.merger import attack_key, merge_report

__all__ = ["attack_key", "merge_report"]
