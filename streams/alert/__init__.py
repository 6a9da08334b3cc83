from streams.alert.alerts import record_alert, revised_alert, threshold_alert

__all__ = ["record_alert", "revised_alert", "threshold_alert"]
