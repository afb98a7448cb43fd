"""Each payment step of the priority of payments, written once as a template of source lines.

A template writes its step in terms of a few primitives of the :class:`~.compile.Writer`
(``w.min``, ``w.max``, ``w.where``, ``w.pay``, ``w.mask``, ``w.guard``) and the loop's local
names (``cash``, ``reserve``, ``bal{k}``, ``idue{k}``, ``fdue{i}`` ...; amounts in currency
units). The writer turns them into plain Python on floats (one scenario) or numpy calls on
vectors of scenarios, where ``act`` (0/1 per scenario) masks what a step moves to the scenarios
in the order being run. ``w.guard`` is a one-scenario shortcut: the block it skips would move
nothing.
"""

from __future__ import annotations


def total(terms) -> str:
    """Python's sum() of locals, in its order (0 + a + b ...)."""
    return "(" + " + ".join(["0", *terms]) + ")"


class Context:
    """What a template may ask of the deal and the order it is written into."""

    def __init__(self, p, order, *, in_post: bool, has_turbo: bool, has_stop: bool):
        self.p = p
        self.in_post = in_post  # the post-default order
        self.turbo = "turbo" if has_turbo else None  # masks of trigger effects, where any exist
        self.stop_fee = "stop_fee" if has_stop else None
        self.senior = [i for i, f in enumerate(p.fees) if f.position == "senior"]
        self.named = {p.fee_index[s.partition(":")[2]] for s in order if s.startswith("fee:")}


def _pay_with_reserve(w, due: str, into: str) -> None:
    """Pay ``due`` from cash, then its shortfall from the reserve (senior fees, senior interest)."""
    w.pay(due, into)
    with w.guard(f"{due} - {into} > 0.0"):
        w(f"draw = {due} - {into}")
        w(f"draw = {w.min('draw', 'reserve')}")
        w.mask("draw")
        w("reserve = reserve - draw")
        w("r_out = r_out + draw")
        w(f"{into} = {into} + draw")


def senior_fees(w, cx: Context, _name: str) -> None:
    """Every senior fee without a step of its own, capped amounts first, in the deal's order."""
    p = cx.p
    which = [i for i in cx.senior if i not in cx.named]
    every = len(which) == len(cx.senior)
    if every and not w.vector:  # one scenario with cash for every fee: pay them all at once
        # tested as paid (cash less each fee in turn, >= 0), not as a sum: 0 + a + b + c <= cash
        # can hold while cash - a - b - c is -1e-14, which the vector run never pays
        rest = " - ".join(["cash", *(f"fdue{i}" for i in range(len(p.fees)))])
        with w.block(f"if {rest} >= 0.0:"):
            for i in range(len(p.fees)):
                w(f"cash -= fdue{i}")
                w(f"fpaid{i} = fpaid{i} + fdue{i}")
                w(f"fdue{i} = Z")
        w("else:")
        w.indent += 1
    for i in which:
        _pay_with_reserve(w, f"fdue{i}", "paid")
        w(f"fdue{i} = fdue{i} - paid")
        w(f"fpaid{i} = fpaid{i} + paid")
    w("pass")
    if every and not w.vector:
        w.indent -= 1


def fee(w, cx: Context, name: str) -> None:
    """One fee at its own position: its senior amount (the reserve covers a shortfall), or for a
    subordinated fee everything it is owed."""
    i = cx.p.fee_index[name]
    if cx.p.fees[i].position == "senior":
        _pay_with_reserve(w, f"fdue{i}", "paid")
        w(f"fdue{i} = fdue{i} - paid")
    else:
        w.pay(f"fexc{i}", "paid")
        w(f"fexc{i} = fexc{i} - paid")
    w(f"fpaid{i} = fpaid{i} + paid")


def fee_excess(w, cx: Context, _name: str) -> None:
    """Capped senior fees' excess, and subordinated fees without a step of their own."""
    fees = cx.p.fees
    owed = " or ".join(f"fexc{i}" for i in range(len(fees))) or "0"
    with w.guard(f"cash > 0.0 and ({owed})"):
        for i, f in enumerate(fees):
            if f.position != "senior" and i in cx.named:
                continue
            with w.guard(f"fexc{i} > 0.0"):
                w.pay(f"fexc{i}", "paid")
                w(f"fexc{i} = fexc{i} - paid")
                w(f"fpaid{i} = fpaid{i} + paid")
                if f.position == "senior" and f.cap is not None:  # paid below the notes
                    w("cx = cx + paid")


def reserve(w, cx: Context, _name: str) -> None:
    """Top the liquidity reserve up to its target (next period's senior fees and senior interest
    times the multiple), or release what is above it; the target is 0 after a default event and
    at the last payment date. Each scenario keeps its own target (for a reserve trigger)."""
    p = cx.p
    if cx.in_post:
        w("tgt = Z")
    else:
        notes = total(f"bal{k}" for k in range(len(p.names)))
        interest = total(f"bal{k} * cpx[{k}]" for k in p.top)
        w(f"nt = {notes}")
        w("fn = fnext[t]")
        w("cpx = cpn[tnext[t]]")
        target = f"multiple * ((tfixed * (nt > EPS) + trate * fn * nt) + {interest} * fn)"
        w(f"tgt = {w.where('final', '0.0', target)}")
    w(f"target = {w.where('act > 0', 'tgt', 'target')}" if w.masked else "target = tgt")
    w("gap = tgt - reserve")
    w(f"move = {w.where('gap < 0.0', 'gap', w.min('gap', 'cash'))}")
    w.mask("move")
    w("reserve = reserve + move")
    w("cash = cash - move")
    w(f"r_out = r_out - {w.min('move', '0.0')}")
    w(f"r_in = r_in + {w.max('move', '0.0')}")


def interest(w, cx: Context, name: str) -> None:
    """A tranche's interest with arrears; the most senior tranches' from the reserve if short."""
    k = cx.p.index[name]
    w(f"due = idue{k}")
    if k in cx.p.top:
        _pay_with_reserve(w, "due", "paid")
    else:
        w.pay("due", "paid")
    w(f"idue{k} = due - paid")
    w(f"ipaid{k} = ipaid{k} + paid")


def _scheduled(w, cx: Context, k: int, into: str) -> None:
    """``into`` = tranche k's scheduled principal still due this period (its balance at most)."""
    w(f"{into} = sched{k}[t] - pcum{k}")
    w(f"{into} = {w.min(w.max(into, '0.0'), f'bal{k}')}")


def principal(w, cx: Context, name: str) -> None:
    """A tranche's principal: its balance (pass-through, after a default event, at the last
    payment date or under a turbo), else what its schedule has due."""
    k = cx.p.index[name]
    with w.guard("cash > 0.0"):
        if cx.p.schedule[k] is None or cx.in_post:
            w(f"due = bal{k}")
        else:
            _scheduled(w, cx, k, "due")
            w(f"due = {w.where('final | turbo', f'bal{k}', 'due')}")
        w.pay("due", "paid")
        w(f"bal{k} = bal{k} - paid")
        w(f"pcum{k} = pcum{k} + paid")
        w(f"ppaid{k} = ppaid{k} + paid")


def fixed_return(w, cx: Context, name: str) -> None:
    """A tranche's fixed return due (not under a turbo)."""
    k = cx.p.index[name]
    with w.guard("cash > 0.0 and not turbo"):
        w.pay(f"rdue{k}", "paid", block=cx.turbo)
        w(f"rdue{k} = rdue{k} - paid")
        w(f"rpaid{k} = rpaid{k} + paid")


def incentive_fee(w, cx: Context, _name: str) -> None:
    """The servicer's share of the cash left (not when a trigger stops it)."""
    with w.guard("cash > 0.0 and not stop_fee"):
        w("fee = share * cash")
        w.mask("fee", block=cx.stop_fee)
        w("cash = cash - fee")
        w("inc = inc + fee")


def draw(w, cx: Context, name: str) -> None:
    """Draw a facility, guarantee or account for what its covered items still lack after the cash
    and the reserve's share (a facility not at the last payment date: nothing later repays it)."""
    p = cx.p
    j = p.support_index[name]
    kind, covers = p.supports[j].kind, p.supports[j].covers
    w("need = res = 0.0")
    if "senior_fees" in covers:
        w(f"x = {total(f'fdue{i}' for i in cx.senior)}")
        w("need, res = need + x, res + x")
    if "senior_interest" in covers:
        w(f"x = {total(f'idue{k}' for k in p.top)}")
        w("need, res = need + x, res + x")
    if "senior_principal" in covers:  # when due: scheduled, or all at the last payment date
        for k in p.top:
            w("x = 0.0")
            if p.schedule[k] is not None and not cx.in_post:
                _scheduled(w, cx, k, "x")
            w(f"need = need + {w.where('final', f'bal{k}', 'x')}")
    covered_by_reserve = w.min("reserve", "res")
    w(f"short = {w.max(f'need - cash - {covered_by_reserve}', '0.0')}")
    if kind == "excess_spread_account":
        w(f"avail = sbal{j}")
    elif kind == "guarantee":
        w(f"avail = {w.max(f'slim{j} - sused{j}', '0.0')}")
    else:
        w(f"avail = {w.where('final', '0.0', w.max(f'slim{j} - sbal{j}', '0.0'))}")
    w(f"draw = {w.min('short', 'avail')}")
    w.mask("draw")
    w("cash = cash + draw")
    if kind == "excess_spread_account":
        w(f"sbal{j} = sbal{j} - draw")
    else:
        w(f"sbal{j} = sbal{j} + draw")
        w(f"sused{j} = sused{j} + draw")
    w(f"sin{j} = sin{j} + draw")


def repay(w, cx: Context, name: str) -> None:
    """Pay a facility's or guarantee's fees and interest, then what is drawn."""
    j = cx.p.support_index[name]
    w.pay(f"sfee{j}", "paid")
    w(f"sfee{j} = sfee{j} - paid")
    w("fees = paid")
    w.pay(f"sbal{j}", "paid")
    w(f"sbal{j} = sbal{j} - paid")
    w(f"sout{j} = sout{j} + (fees + paid)")


def trap(w, cx: Context, name: str) -> None:
    """Trap cash in the excess-spread account up to its target (not at the last payment date)."""
    j = cx.p.support_index[name]
    room = w.min(w.max(f"slim{j} - sbal{j}", "0.0"), "cash")
    w(f"move = {w.where('final', '0.0', room)}")
    w.mask("move")
    w("cash = cash - move")
    w(f"sbal{j} = sbal{j} + move")
    w(f"sout{j} = sout{j} + move")


#: step kind (the part of an order's step before ":") -> its template
STEPS = {
    "senior_fees": senior_fees,
    "fee": fee,
    "fee_excess": fee_excess,
    "reserve": reserve,
    "interest": interest,
    "principal": principal,
    "fixed_return": fixed_return,
    "incentive_fee": incentive_fee,
    "draw": draw,
    "repay": repay,
    "trap": trap,
}


def write_order(w, cx: Context, order) -> None:
    """The steps of one priority of payments, in its order."""
    w("pass")
    for step in order:
        kind, _, name = step.partition(":")
        if kind not in STEPS:  # pragma: no cover - the deal validates step kinds
            raise ValueError(f"unknown step {step!r}")
        STEPS[kind](w, cx, name)
