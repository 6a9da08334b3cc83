from streams.alert.alerts import record_alert, threshold_alert

__all__ = ["record_alert", "threshold_alert"]
