"""Notifications (通知): the in-app inbox, email over SMTP and SMS through a gateway.

Other domains register their message kinds (:func:`sunshine.notifications.kinds.register_kind`)
and call :func:`sunshine.notifications.service.notify` inside their transaction; the
deliveries go out after it commits.
"""
