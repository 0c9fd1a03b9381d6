"""Risk (风险): the business-level risk signals the domains record, for the risk grading
(风险分级) and for the regulator's picture of a business.

Art. 27 of the 风险分级管理办法 adjusts next year's level by the year's supervision record
(inspections, sampling, violations, incidents, recalls). Each domain that learns such a
fact records one :class:`~sunshine.risk.models.RiskSignal` through
:func:`sunshine.risk.service.record_signal`; the grading reads them back. Sunshine Kitchen
is the first source (confirmed violations and repeated ones); sampling, inspections and
complaints add their own kinds in :mod:`.enums` and their weights in :mod:`.weights`.

Modules: :mod:`.enums`, :mod:`.weights` (the kinds' weights, data), :mod:`.models`,
:mod:`.access` (who sees which signals), :mod:`.repository`, :mod:`.service`,
:mod:`.labels`, :mod:`.schemas`, :mod:`.api` (``/api/v1/risk``).
"""
