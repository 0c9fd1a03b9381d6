"""Message ids the extractor cannot find on its own.

``python scripts/i18n.py extract`` finds ``_("...")`` calls, the label dictionaries and
literal strings that reach ``_()`` through loops, ``{% set %}``, macro/function parameters,
dataclass fields and template variables. A string computed at run time (read from the
database, built from pieces, passed through a helper in another module) is not found: mark it
here with ``N_("...")`` so that it lands in the catalogs and gets translated.
``python scripts/i18n.py unresolved`` lists the ``_()`` calls that need this.

``N_`` (defined in :mod:`sunshine.core.i18n`, re-exported here) can also be imported and used
where such a string is defined::

    from sunshine.core.i18n import N_

    TITLE = N_("Import businesses")  # translated later with _(TITLE)
"""

from __future__ import annotations

from sunshine.core.i18n import N_

__all__ = ["EXTRA_MSGIDS", "N_"]

#: Extra message ids, kept sorted. Each is an English msgid as passed to ``_()``.
EXTRA_MSGIDS: tuple[str, ...] = ()
