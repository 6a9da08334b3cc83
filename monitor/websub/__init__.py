"""WebSub push for feeds that advertise a hub: discovery, subscriptions with leases, the callback server."""
from monitor.websub.callback import CallbackServer
from monitor.websub.discovery import Advertised, discover
from monitor.websub.signature import sign, valid_signature
from monitor.websub.subscriptions import Subscriptions

__all__ = ["Advertised", "CallbackServer", "Subscriptions", "discover", "sign", "valid_signature"]
