"""Open311 GeoReport v2 binding (https://wiki.open311.org/GeoReport_v2): 311 and 12345
systems file and follow complaints and whistleblower reports under ``/open311/v2``.

* ``services.py``: the catalogue (one service per complaint and report category) and discovery;
* ``filing.py``: POST requests onto the complaint and report services;
* ``following.py``: GET requests, GET requests/{id} and GET tokens/{token} by receipt code;
* ``incoming.py`` / ``formats.py``: parameters in, JSON and XML (and error arrays) out;
* ``clients.py`` / ``models.py``: the clients' API keys (``sunshine open311 add-client``).

Choices the spec leaves to a server: the ``service_request_id`` is the receipt code, issued
at once (every service is ``realtime``), so POST returns no token, and GET tokens/{token}
accepts a receipt code; GET requests without ids is refused with 400 rather than listing
recent requests, since complaints and reports are not published.
"""
