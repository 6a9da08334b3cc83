"""Logs, metrics and health: the edges an operator watches."""
