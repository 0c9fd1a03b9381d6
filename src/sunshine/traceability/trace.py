"""Trace (溯源): where a lot came from (backward, 来源可查) and where it went (forward, 去向
可追), over any number of hops, through the EPCIS event repository.

A *state* is "identifier ``x`` at party ``p``". A hop follows the lot's ObjectEvents from a
source party to a destination party (shipping and receiving describe the same movement and
are merged into one edge). At a party, a TransformationEvent (a central kitchen making
dishes of its ingredients) turns input lots into output lots without a hop; an
AggregationEvent that packed a lot into a case or pallet makes that parent's movements the
lot's own. A party is a business on the platform (resolved from its platform URN
``urn:sunshine:party:{code}`` or its PGLN) or an external party shown by its URI. The search
is breadth-first with a visited set of states, so a cycle (goods returned to their
supplier) ends. What it reads is kept for the trace (``_Reads``): a lot's movements, the
lots made of it or into it, what carried it and who a party is are each read once, with one
batch of index scans for all the lots a level meets first (``trace_repository``), however
many levels and states name them again (an LGTIN keeps its identity from producer to
caterer, so a three-tier trace of one lot reads its events once, not once per tier).

Who may trace what (DESIGN convention 4):

* A regulator starts from a lot, a ledger line or a supplier *of its jurisdiction*: the lot
  must have been moved by, or delivered to, a business the regulator covers (the ledger line
  and the supplier likewise). From there it sees the whole chain, across county and province
  borders: tracing a suspect batch to every holder is the point of the trace and of a recall
  (食品安全法 Art. 63; unverified reading, see ``../shared/regulations``). A regulator of a
  place the lot never touched gets "not found", like an unknown lot.
* A business traces its own lots one hop: where the lot at one of its businesses came from
  and where it sent it, through the events it may see (those it captured or is named in);
  its suppliers' suppliers and its customers' customers stay private to them.
* Nobody else traces.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from sunshine.auth.access import business_condition
from sunshine.auth.principal import Principal
from sunshine.core.errors import FieldProblem, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.time import SHANGHAI as LOCAL_TZ
from sunshine.registry.models import Business
from sunshine.traceability import lots
from sunshine.traceability import trace_repository as repo
from sunshine.traceability.epcis.identifiers import IdentifierError, normalise_id
from sunshine.traceability.epcis.repository import owners_of

MAX_DEPTH = 10
#: States per trace at most: a trace larger than this is cut (and says so) rather than
#: reading a province's whole ledger for one click.
MAX_STATES = 20_000


class Direction(StrEnum):
    BACKWARD = "backward"  # 来源: where it came from
    FORWARD = "forward"  # 去向: where it went
    BOTH = "both"


@dataclass(frozen=True)
class Start:
    """Where a trace begins: a lot (anywhere, or held at ``node``), or a supplier's
    shipments (``supplier_id``) in ``[start, end)``."""

    lots: tuple[str, ...] = ()
    node: str | None = None
    supplier_id: int | None = None
    period: tuple[datetime | None, datetime | None] = (None, None)
    shown: str = ""  # what the page says the trace started from (a lot, a supplier)


@dataclass
class Node:
    """A party of the trace: a business (``business``) or an external party (``uri``)."""

    key: str
    tier: int
    business: Business | None = None
    uri: str | None = None

    @property
    def name(self) -> str:
        return self.business.name if self.business else (self.uri or self.key)


@dataclass
class Edge:
    """Goods of one lot that went from one party to another (all the events that say so)."""

    lot: str
    source: str
    destination: str
    shipped: float = 0.0
    received: float = 0.0
    uom: str = ""
    first_at: datetime | None = None
    last_at: datetime | None = None
    event_ids: list[str] = field(default_factory=list)
    via: str | None = None  # the case or pallet that carried the lot
    kind: str = "move"  # or "transform": ``lot`` became ``destination`` lot at one party

    @property
    def quantity(self) -> float:
        """What arrived, where the receiver recorded it; what was shipped otherwise."""
        return self.received or self.shipped


@dataclass
class Transform:
    """At ``node``, input lot ``input`` became output lot ``output``."""

    node: str
    input: str
    output: str
    quantity: float | None
    uom: str | None
    at: datetime
    event_ids: list[str] = field(default_factory=list)


@dataclass
class TableRow:
    """One business touched by the trace: what it received and shipped, and when."""

    node: Node
    received: dict[str, float]
    shipped: dict[str, float]
    lots: list[str]
    first_at: datetime | None
    last_at: datetime | None


@dataclass
class TraceResult:
    start: Start
    direction: Direction
    depth: int
    nodes: dict[str, Node]
    edges: list[Edge]
    transforms: list[Transform]
    truncated: bool = False

    @property
    def tiers(self) -> list[list[Node]]:
        """Nodes by tier, left (furthest upstream) to right."""
        by_tier: dict[int, list[Node]] = defaultdict(list)
        for node in self.nodes.values():
            by_tier[node.tier].append(node)
        return [sorted(by_tier[t], key=lambda n: n.name) for t in sorted(by_tier)]

    def table(self) -> list[TableRow]:
        received: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        shipped: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        seen_lots: dict[str, set[str]] = defaultdict(set)
        moments: dict[str, list[datetime]] = defaultdict(list)
        for edge in self.edges:
            received[edge.destination][edge.uom] += edge.quantity
            shipped[edge.source][edge.uom] += edge.shipped or edge.quantity
            for key in (edge.source, edge.destination):
                seen_lots[key].add(edge.lot)
                moments[key] += [m for m in (edge.first_at, edge.last_at) if m]
        for t in self.transforms:
            seen_lots[t.node].update((t.input, t.output))
            moments[t.node].append(t.at)
        return [
            TableRow(
                node=node,
                received=dict(received[node.key]),
                shipped=dict(shipped[node.key]),
                lots=sorted(seen_lots[node.key]),
                first_at=min(moments[node.key], default=None),
                last_at=max(moments[node.key], default=None),
            )
            for tier in self.tiers
            for node in tier
        ]


# Starting points ---------------------------------------------------------------------------


def business_node(business_id: int) -> str:
    return f"b{business_id}"


def normalise_lot(value: str) -> str:
    """A lot as stored: an LGTIN in any spelling becomes its canonical Digital Link; the
    platform's private lot id is kept as given."""
    value = value.strip()
    if value.startswith(lots.PRIVATE_PREFIX):
        return value
    try:
        return normalise_id(value)
    except IdentifierError:
        raise ValidationFailed(
            [FieldProblem("lot", N_("{value} is not a lot identifier"), params={"value": value})]
        ) from None


def line_lot(session: Session, line_id: int) -> tuple[str, int]:
    """The lot of a purchase-ledger line and the business that received it."""
    line = repo.ledger_line(session, line_id)
    if line is None:
        raise NotFoundError(N_("No such ledger line."))
    batch = lots.batch_of(batch_number=line.batch_number, production_date=line.production_date)
    if batch is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "line", N_("This ledger line names neither a batch nor a production date.")
                )
            ]
        )
    code = repo.supplier_code_of(session, line.supplier_id) or lots.external_supplier_code(
        line.supplier_id
    )
    lot = lots.lot_id(
        gtin=line.gtin,
        supplier_code=code,
        product_id=line.product_id,
        batch=batch,
        product_name=line.product_name,
    )
    return lot, line.business_id


def period_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Local days ``start`` through ``end`` as a half-open UTC interval."""
    low = datetime.combine(start, time.min, LOCAL_TZ) if start else None
    high = datetime.combine(end + timedelta(days=1), time.min, LOCAL_TZ) if end else None
    return low, high


# The search --------------------------------------------------------------------------------


class _Graph:
    """What the search has found so far, keyed as the result wants it."""

    def __init__(self) -> None:
        self.tiers: dict[str, int] = {}
        self.uris: dict[str, str] = {}
        self.edges: dict[tuple[str, str, str, str | None], Edge] = {}
        self.transforms: dict[tuple[str, str, str], Transform] = {}

    def place(self, node: str, tier: int) -> None:
        if node not in self.tiers or abs(tier) < abs(self.tiers[node]):
            self.tiers[node] = tier

    def add_move(self, lot: str, via: str | None, src: str, dst: str, m: repo.Movement) -> None:
        key = (lot, src, dst, via)
        edge = self.edges.get(key)
        if edge is None:
            edge = self.edges[key] = Edge(lot=lot, source=src, destination=dst, via=via)
        if m.event_id in edge.event_ids:
            return
        edge.event_ids.append(m.event_id)
        amount = m.quantity or 0.0
        if via is None:
            if m.biz_step == "receiving":
                edge.received += amount
            else:
                edge.shipped += amount
        edge.uom = edge.uom or (m.uom or "")
        edge.first_at = min(filter(None, (edge.first_at, m.event_time)))
        edge.last_at = max(filter(None, (edge.last_at, m.event_time)))

    def add_transform(self, node: str, t: repo.Transformation) -> None:
        key = (node, t.input, t.output)
        found = self.transforms.get(key)
        if found is None:
            found = self.transforms[key] = Transform(
                node=node, input=t.input, output=t.output, quantity=0.0, uom=t.uom, at=t.event_time
            )
        if t.event_id not in found.event_ids:
            found.event_ids.append(t.event_id)
            found.quantity = (found.quantity or 0.0) + (t.quantity or 0.0)


class _Reads:
    """What a trace has read, by lot and by party, so nothing is read twice (see the
    module docstring); one per trace, in its session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.moves: dict[str, list[repo.Movement]] = {}
        self.parents: dict[str, set[str]] = {}
        self.made: dict[bool, dict[str, list[repo.Transformation]]] = {True: {}, False: {}}
        self.owners: dict[str, str | None] = {}

    def movements(self, lot_ids: set[str]) -> list[repo.Movement]:
        """The movements of these identifiers that no error declaration withdrew."""
        missing = lot_ids - self.moves.keys()
        if missing:
            found = repo.movements(self.session, missing)
            withdrawn = repo.withdrawn_event_ids(
                self.session, {m.event_id for m in found if m.recorded_twice}
            )
            for lot in missing:
                self.moves[lot] = []
            for m in found:
                if m.event_id not in withdrawn:
                    self.moves[m.identifier].append(m)
        return [m for lot in lot_ids for m in self.moves[lot]]

    def carriers(self, lot_ids: set[str]) -> list[tuple[str, str]]:
        """``(child, parent)``: the cases and pallets these lots were packed into."""
        missing = lot_ids - self.parents.keys()
        if missing:
            for lot in missing:
                self.parents[lot] = set()
            for child, parent in repo.aggregation_parents(self.session, missing):
                self.parents[child].add(parent)
        return [(lot, parent) for lot in lot_ids for parent in sorted(self.parents[lot])]

    def transformations(self, lot_ids: set[str], *, forward: bool) -> list[repo.Transformation]:
        """What these lots were made into (forward) or made of (backward)."""
        known = self.made[forward]
        missing = lot_ids - known.keys()
        if missing:
            read = repo.transformations_from if forward else repo.transformations_into
            for lot in missing:
                known[lot] = []
            for t in read(self.session, missing):
                known[t.input if forward else t.output].append(t)
        return [t for lot in lot_ids for t in known[lot]]

    def nodes(self, graph: _Graph, values: set[str]) -> dict[str, str]:
        """The node of each party: its business, or the party's own URI (an external
        party, registered on ``graph`` so the result shows it)."""
        missing = values - self.owners.keys()
        if missing:
            owners = owners_of(self.session, missing)
            for value in missing:
                self.owners[value] = business_node(owners[value]) if value in owners else None
        keys: dict[str, str] = {}
        for value in values:
            node = self.owners[value]
            if node is None:
                graph.uris[value] = value
                node = value
            keys[value] = node
        return keys


@dataclass
class _Hop:
    """The movements of a level, each with its resolved source and destination nodes."""

    moves: list[tuple[repo.Movement, str, str]]
    carriers: dict[str, set[str]]  # parent identifier -> lots it carried


def _hop(reads: _Reads, graph: _Graph, lot_ids: set[str]) -> _Hop:
    """Every movement of these lots (and of what carried them), with party nodes."""
    carriers: dict[str, set[str]] = defaultdict(set)
    for child, parent in reads.carriers(lot_ids):
        if parent not in lot_ids:
            carriers[parent].add(child)
    found = [m for m in reads.movements(lot_ids | set(carriers)) if m.source and m.destination]
    keys = reads.nodes(graph, {v for m in found for v in (m.source, m.destination) if v})
    moves = [
        (m, keys[m.source], keys[m.destination])
        for m in found
        if m.source and m.destination and keys[m.source] != keys[m.destination]
    ]
    return _Hop(moves=moves, carriers=carriers)


def _lots_moved(m: repo.Movement, hop: _Hop) -> list[tuple[str, str | None]]:
    """``(lot, via)`` for a movement: the lot itself, or the lots its parent carried."""
    if m.identifier in hop.carriers:
        return [(lot, m.identifier) for lot in sorted(hop.carriers[m.identifier])]
    return [(m.identifier, None)]


def _transform_closure(
    reads: _Reads,
    graph: _Graph,
    states: set[tuple[str, str]],
    visited: set[tuple[str, str]],
    *,
    forward: bool,
    tier: int,
) -> set[tuple[str, str]]:
    """Add the lots made of (forward) or into (backward) the lots at their parties."""
    frontier = set(states)
    while frontier:
        rows = reads.transformations({lot for lot, _ in frontier}, forward=forward)
        fresh: set[tuple[str, str]] = set()
        for t in rows:
            node = business_node(t.business_id)
            near, far = (t.input, t.output) if forward else (t.output, t.input)
            if (near, node) not in frontier:
                continue
            graph.add_transform(node, t)
            graph.place(node, tier)
            state = (far, node)
            if state not in visited:
                visited.add(state)
                fresh.add(state)
        states |= fresh
        frontier = fresh
    return states


def _origins(reads: _Reads, hop: _Hop, lot_ids: set[str], *, forward: bool) -> set[tuple[str, str]]:
    """Where a trace from a bare lot starts: forward, the parties that shipped it and never
    received it (its producers); backward, those that received it and never passed it on
    (its last holders). A lot that only circulates starts everywhere it was; one that never
    moved, where it was made or used."""
    sources: dict[str, set[str]] = defaultdict(set)
    targets: dict[str, set[str]] = defaultdict(set)
    for m, src, dst in hop.moves:
        for lot, _ in _lots_moved(m, hop):
            if lot in lot_ids:
                sources[lot].add(src)
                targets[lot].add(dst)
    states: set[tuple[str, str]] = set()
    unmoved: set[str] = set()
    for lot in lot_ids:
        ends = (sources[lot] - targets[lot]) if forward else (targets[lot] - sources[lot])
        ends = ends or (sources[lot] if forward else targets[lot])
        states |= {(lot, node) for node in ends}
        if not ends:
            unmoved.add(lot)
    if unmoved:
        made = reads.transformations(unmoved, forward=True) + reads.transformations(
            unmoved, forward=False
        )
        for t in made:
            for lot in {t.input, t.output} & unmoved:
                states.add((lot, business_node(t.business_id)))
    return states


def search(
    session: Session,
    *,
    start_states: set[tuple[str, str]],
    forward: bool,
    depth: int,
    graph: _Graph | None = None,
    allowed_events: set[int] | None = None,
    from_origins: bool | None = None,
    reads: _Reads | None = None,
) -> _Graph:
    """Breadth-first from ``start_states`` (``(lot, node)``; node ``*``: the bare lot) up to
    ``depth`` hops, forward or backward. ``allowed_events`` limits the hops to those events
    (a business's own view). A bare lot starts where it started (``from_origins``, the
    default forward) or where it ended (backward). ``reads`` shares what was read with
    another search of the same trace (the other direction). Returns the graph found."""
    graph = graph or _Graph()
    reads = reads or _Reads(session)
    sign = 1 if forward else -1
    visited = set(start_states)
    for _, node in start_states:
        if node != "*":
            graph.place(node, 0)
    frontier = set(start_states)
    bare = {lot for lot, node in frontier if node == "*"}
    if bare:
        # A trace from a bare lot starts where the lot starts (or ends, backward).
        frontier = {s for s in frontier if s[1] != "*"} | _origins(
            reads,
            _hop(reads, graph, bare),
            bare,
            forward=forward if from_origins is None else from_origins,
        )
        visited |= frontier
        for _, node in frontier:
            graph.place(node, 0)
    for level in range(1, depth + 1):
        frontier = _transform_closure(
            reads, graph, frontier, visited, forward=forward, tier=sign * (level - 1)
        )
        lot_ids = {lot for lot, _ in frontier}
        if not lot_ids:
            break
        hop = _hop(reads, graph, lot_ids)
        nxt: set[tuple[str, str]] = set()
        for m, src, dst in hop.moves:
            if allowed_events is not None and m.event_pk not in allowed_events:
                continue
            near, far = (src, dst) if forward else (dst, src)
            for lot, via in _lots_moved(m, hop):
                if (lot, near) not in frontier:
                    continue
                graph.add_move(lot, via, src, dst, m)
                graph.place(far, sign * level)
                state = (lot, far)
                if state not in visited:
                    visited.add(state)
                    nxt.add(state)
        if len(visited) > MAX_STATES:
            break
        frontier = nxt
    return graph


# The service -------------------------------------------------------------------------------


def _check_depth(depth: int) -> int:
    if not 1 <= depth <= MAX_DEPTH:
        raise ValidationFailed(
            [
                FieldProblem(
                    "depth",
                    N_("The depth is between {low} and {high} hops."),
                    params={"low": 1, "high": MAX_DEPTH},
                )
            ]
        )
    return depth


def resolve_start(
    session: Session,
    *,
    lot: str | None = None,
    line_id: int | None = None,
    supplier: str | None = None,
    period: tuple[date | None, date | None] = (None, None),
) -> Start:
    """The starting point named by a form: exactly one of a lot, a ledger line or a supplier
    (its public code)."""
    given = [x for x in (lot, line_id, supplier) if x not in (None, "")]
    if len(given) != 1:
        raise ValidationFailed(
            [FieldProblem("lot", N_("Give one of a lot, a ledger line or a supplier."))]
        )
    if lot:
        value = normalise_lot(lot)
        return Start(lots=(value,), shown=value)
    if line_id is not None:
        value, business_id = line_lot(session, line_id)
        return Start(lots=(value,), node=business_node(business_id), shown=value)
    assert supplier is not None
    business = repo.business_by_code(session, supplier)
    if business is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "supplier", N_("No business has the code {code}."), params={"code": supplier}
                )
            ]
        )
    return Start(supplier_id=business.id, period=period_bounds(*period), shown=business.name)


def _supplier_states(session: Session, start: Start, *, forward: bool) -> set[tuple[str, str]]:
    assert start.supplier_id is not None
    values = repo.party_values_of(session, start.supplier_id)
    low, high = start.period
    pks = repo.party_events(
        session,
        values=values,
        direction="source" if forward else "destination",
        start=low,
        end=high,
    )
    node = business_node(start.supplier_id)
    return {(identifier, node) for _, identifier in repo.event_identifiers(session, pks)}


def _start_states(session: Session, start: Start, *, forward: bool) -> set[tuple[str, str]]:
    if start.supplier_id is not None:
        return _supplier_states(session, start, forward=forward)
    return {(lot, start.node or "*") for lot in start.lots}


def _start_businesses(reads: _Reads, start: Start) -> set[int]:
    """The businesses a starting point touches (for the scope check)."""
    if start.supplier_id is not None:
        return {start.supplier_id}
    if start.node is not None:
        return {int(start.node[1:])}
    lot_ids = set(start.lots)
    hop = _hop(reads, _Graph(), lot_ids)
    nodes = {n for _, src, dst in hop.moves for n in (src, dst)}
    nodes |= {
        business_node(t.business_id)
        for t in reads.transformations(lot_ids, forward=True)
        + reads.transformations(lot_ids, forward=False)
    }
    return {int(n[1:]) for n in nodes if n.startswith("b") and n[1:].isdigit()}


def trace(
    *,
    session: Session,
    actor: Principal,
    start: Start,
    direction: Direction,
    depth: int,
) -> TraceResult:
    """Trace ``start`` as ``actor`` may (see the module docstring)."""
    depth = _check_depth(depth)
    scope = business_condition(actor)
    reads = _Reads(session)
    touched = _start_businesses(reads, start)
    mine = repo.businesses_in_scope(session, touched, scope)
    if actor.is_regulator:
        if not mine:
            raise NotFoundError(N_("Nothing in your jurisdiction matches this trace."))
        allowed = None
    elif actor.is_enterprise:
        if not mine:
            raise NotFoundError(N_("Nothing in your jurisdiction matches this trace."))
        depth = 1
        if start.node is None and start.supplier_id is None:
            start = Start(lots=start.lots, node=business_node(min(mine)), shown=start.shown)
        allowed = None  # narrowed per direction below
    else:
        raise ForbiddenError(N_("Tracing is for regulators and businesses."))
    graph = _Graph()
    for forward in _directions(direction):
        states = _start_states(session, start, forward=forward)
        if actor.is_enterprise:
            allowed = _own_events(reads, states, scope)
        search(
            session,
            start_states=states,
            forward=forward,
            depth=depth,
            graph=graph,
            allowed_events=allowed,
            # Both ways from a bare lot: from its origin, so the tiers read left to right.
            from_origins=True if direction is Direction.BOTH else None,
            reads=reads,
        )
    if start.supplier_id is not None:
        graph.place(business_node(start.supplier_id), 0)
    return _result(session, graph, start=start, direction=direction, depth=depth)


def _own_events(
    reads: _Reads, states: set[tuple[str, str]], scope: ColumnElement[bool]
) -> set[int]:
    """The events of these lots a business may see (its one-hop view)."""
    found = reads.movements({lot for lot, _ in states})
    return repo.visible_event_pks(reads.session, {m.event_pk for m in found}, scope)


def _directions(direction: Direction) -> Iterable[bool]:
    if direction is Direction.BOTH:
        return (False, True)
    return (direction is Direction.FORWARD,)


def _result(
    session: Session, graph: _Graph, *, start: Start, direction: Direction, depth: int
) -> TraceResult:
    ids = {int(k[1:]) for k in graph.tiers if k.startswith("b") and k[1:].isdigit()}
    loaded = {business_node(b.id): b for b in repo.businesses(session, ids)}
    nodes = {
        key: Node(key=key, tier=tier, business=loaded.get(key), uri=graph.uris.get(key))
        for key, tier in graph.tiers.items()
        if key != "*"
    }
    edges = sorted(
        graph.edges.values(),
        key=lambda e: (nodes[e.source].tier, e.first_at or datetime.min.replace(tzinfo=LOCAL_TZ)),
    )
    return TraceResult(
        start=start,
        direction=direction,
        depth=depth,
        nodes=nodes,
        edges=edges,
        transforms=list(graph.transforms.values()),
        truncated=len(graph.tiers) > MAX_STATES,
    )


def holders(result: TraceResult) -> dict[int, float]:
    """Businesses that received goods of the trace, with what they received (recalls)."""
    out: dict[int, float] = defaultdict(float)
    for edge in result.edges:
        node = result.nodes.get(edge.destination)
        if node is not None and node.business is not None:
            out[node.business.id] += edge.quantity
    return dict(out)
