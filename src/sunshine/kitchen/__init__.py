"""Sunshine Kitchen (阳光厨房 / 明厨亮灶): kitchen cameras, the alerts their vision workers
raise, and what businesses and regulators do with them.

The tables live in :mod:`.camera_models` (cameras) and :mod:`.alert_models` (alerts, their
actions, camera health spans) rather than the usual ``models.py``: ``kitchen/models/`` is the
folder of the shipped detector files (ONNX weights and model cards), and a module of the same
name could not sit beside it.

Other modules: :mod:`.rules` (the pure rule engine the workers run), :mod:`.policy` (which
alerts apply in which area, with sources), :mod:`.camera_forms` (checking a camera's
settings), :mod:`.cameras` (cameras: add, change, remove), :mod:`.service` (what the vision
workers call, and the alerts' review), :mod:`.risk_signals` (what confirmed and repeated
violations tell the risk grading), :mod:`.statistics`, :mod:`.api` (``/api/v1/kitchen``).
No video library is imported here; the workers are in :mod:`sunshine.workers.vision`.
"""
