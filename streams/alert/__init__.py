from streams.alert.alerts import threshold_alert

__all__ = ["threshold_alert"]
