"""EPCIS 2.0 event repository (EPCIS 事件库): capture, validation, the CBV 2.0 event hash,
storage with query indexes, the REST binding under ``/epcis`` and access by business.

Conformance decisions (the OpenEPCIS corpus, ``../shared/datasets/epcis/openepcis``):

* Three documents of the corpus's "valid" set disagree with the GS1 EPCIS 2.0 JSON schema of
  2023; the server follows the standard's text and accepts them:
  ``AggregationEvent_with_persistentDisposition`` (persistentDisposition is a field of every
  event type in EPCIS 2.0 section 7.4.1, not only of ObjectEvent),
  ``SensorData_with_combined_events`` (an empty ``epcList``: the standard allows a list with
  no elements; the ObjectEvent still names its list),
  ``TransactionEvent_with_userExtensions`` (the content of a user extension is the
  extension's own business: only the extension's top-level name must be namespaced).
* A field directly inside a standard structure (event, ilmd, quantity element, sensor
  element, metadata, report, certification detail) is either a standard field or a
  namespaced user extension (``prefix:name`` with the prefix declared in a ``@context``, or
  a full URI); inside an extension anything goes.
"""
