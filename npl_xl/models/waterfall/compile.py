"""The period loop of a deal, generated from its orders and the step templates, compiled once per
deal structure and dialect.

:func:`runner` returns ``run(p, coll, cpn, last_only, S)`` for a :class:`~.plan._Plan`: the
deal's amounts are arguments, so one compiled loop serves every deal of the same structure
(orders, fee bases and caps, tranche kinds, triggers, supports). Two dialects of the same source:
one scenario on Python floats (``min``/``max`` as conditional expressions, one-scenario
shortcuts), many scenarios on numpy vectors (``np.minimum``, ``np.maximum``, ``np.where``), where
scenarios after a default event run the post-default order under a 0/1 mask ``act``.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from . import steps
from .plan import EPS

__all__ = ["runner", "Writer"]

_EFFECTS = ("post_default_order", "sequential_turbo", "stop_incentive_fee", "clean_up_call")


class Writer:
    """Source lines in one dialect: ``vector`` False (floats) or True (numpy vectors).

    ``masked``: the steps being written move amounts only where ``act`` is 1 (vector only)."""

    def __init__(self, vector: bool):
        self.vector = vector
        self.masked = False
        self.lines: list[str] = []
        self.indent = 0

    def __call__(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    # primitives: each returns an expression
    def min(self, a: str, b: str) -> str:
        """min(a, b) as Python computes it (b only when b < a)."""
        return f"MIN({a}, {b})" if self.vector else f"({b} if {b} < {a} else {a})"

    def max(self, a: str, b: str) -> str:
        """max(a, b) as Python computes it (b only when b > a)."""
        return f"MAX({a}, {b})" if self.vector else f"({b} if {b} > {a} else {a})"

    def where(self, cond: str, a: str, b: str) -> str:
        """a where cond holds, else b (one scenario: only the branch taken is evaluated)."""
        return f"WHERE({cond}, {a}, {b})" if self.vector else f"({a} if {cond} else {b})"

    def any(self, names: list[str]) -> str:
        """Whether any of these flags holds."""
        if not names:
            return "FALSE"
        return " | ".join(names) if self.vector else " or ".join(names)

    def and_not(self, a: str, b: str) -> str:
        return f"({a}) & ~{b}" if self.vector else f"({a}) and not {b}"

    # statements
    @contextmanager
    def block(self, header: str):
        """``header`` (an ``if``, ``else`` or ``for`` line) and the lines written inside."""
        self(header)
        self.indent += 1
        yield
        self("pass")
        self.indent -= 1

    @contextmanager
    def guard(self, cond: str):
        """One scenario: the block runs only when ``cond`` holds (it would move nothing else)."""
        if self.vector:
            yield
            return
        with self.block(f"if {cond}:"):
            yield

    def mask(self, var: str, block: str | None = None) -> None:
        """Vector: ``var`` (an amount moved) times the order's mask and 1 - ``block`` (a flag of
        a trigger effect that stops the step). One scenario: nothing (guards do it)."""
        if not self.vector:
            return
        factors = (["act"] if self.masked else []) + ([f"(1.0 - {block})"] if block else [])
        if factors:
            self(f"{var} = {var} * {' * '.join(factors)}")

    def pay(self, due: str, into: str, block: str | None = None) -> None:
        """``into`` = what cash pays of ``due``."""
        self(f"{into} = {self.min(due, 'cash')}")
        self.mask(into, block)
        self(f"cash = cash - {into}")


def runner(plan, vector: bool):
    """The compiled loop for ``plan``'s structure in one dialect (cached)."""
    key = (vector, *_structure(plan))
    fn = _CACHE.get(key)
    if fn is None:
        if len(_CACHE) >= 64:
            _CACHE.clear()
        namespace = {
            "EPS": EPS,
            "MIN": np.minimum,
            "MAX": np.maximum,
            "WHERE": np.where,
            "np": np,
        }
        code = compile(source(plan, vector), "<npl_xl waterfall>", "exec")
        exec(code, namespace)  # noqa: S102 - our own generated source
        fn = _CACHE[key] = namespace["run"]
    return fn


#: compiled loops by (dialect, deal structure)
_CACHE: dict = {}


def _structure(p) -> tuple:
    """Everything the generated source depends on (not the amounts, which are arguments)."""
    return (
        len(p.names),
        tuple(p.top),
        tuple(s is None for s in p.schedule),
        tuple(o and bool(r) for o, r in zip(p.on_outstanding, p.fixed_return)),
        any(b * r for b, r in zip(p.balance0, p.fixed_return)),
        tuple((f.name, f.basis, f.position, f.cap is None) for f in p.fees),
        tuple((t.test, t.effect) for t in p.triggers),
        tuple(p.pre),
        tuple(p.post),
        tuple(p.index),
        tuple((x.name, x.kind, x.covers) for x in p.supports),
    )


def source(p, vector: bool) -> str:
    """Python source of the period loop for the structure of ``p``."""
    w = Writer(vector)
    with w.block("def run(p, coll, cpn, last_only, S):"):
        _prologue(w, p)
        with w.block("for t in range(n):"):
            _period(w, p)
        w("return rows, flags")
    return w.text()


def _period(w, p) -> None:  # noqa: C901 - one period, in the order it runs
    """One period: effects of the triggers in force, accruals, the call, the order's steps, the
    trigger tests and the period's records."""
    K, F, J = len(p.names), len(p.fees), len(p.supports)
    vector = w.vector
    effects = {e: [f"hit{j}" for j, t in enumerate(p.triggers) if t.effect == e] for e in _EFFECTS}
    has_call = bool(effects["clean_up_call"])
    has_post = bool(effects["post_default_order"])
    has_turbo = bool(effects["sequential_turbo"])
    has_stop = has_turbo or bool(effects["stop_incentive_fee"])
    has_return = any(b * r for b, r in zip(p.balance0, p.fixed_return))
    notes = steps.total(f"bal{k}" for k in range(K))

    w("f = frac[t]")
    w(f"in_force = [{', '.join(f'hit{j}' for j in range(len(p.triggers)))}]")
    w(f"defaulted = {w.any(effects['post_default_order'])}")
    w(f"turbo = {w.any(effects['sequential_turbo'])}")
    w(f"stop_fee = ({w.any(effects['stop_incentive_fee'])}) | turbo")
    w(f"call_now = {w.and_not(w.any(effects['clean_up_call']), 'called') if has_call else 'FALSE'}")
    w("final = t == n - 1")
    if has_call:  # after the call, collections belong to the buyer
        w("keep = 1.0 - called")
        w("c = coll[t] * keep")
    else:
        w("c = coll[t]")
    _accruals(w, p, has_call, has_return)
    for j in range(J):
        w(f"sin{j} = sout{j} = Z")
        w(f"if sfr{j} or sir{j}:")
        w(f"    live = {notes} > EPS")
        w(f"    sfee{j} = sfee{j} + (sfr{j} * slim{j} * live + sir{j} * sbal{j}) * f")
    for k in range(K):
        w(f"idue_start{k} = idue{k}")
    if has_call:  # the seller pays notes and interest, if the pool left is worth it
        w(f"price = {notes} + {steps.total(f'idue{k}' for k in range(K))}")
        w("call_now = call_now & (rest[t] >= price)")
        w("final = final | call_now")
        w("call = price * call_now")
        w("cash = c + call")
    else:
        w("cash = c")
    for j in p.accounts:  # released at the last payment date and after a default event
        with w.guard("final or defaulted"):
            w(f"release = {w.where('final | defaulted', f'sbal{j}', '0.0')}")
            w("cash = cash + release")
            w(f"sbal{j} = sbal{j} - release")
            w(f"sin{j} = sin{j} + release")
    if p.base_cum is not None:  # a collections-ratio trigger keeps count
        w("cum = cum + c")
    w("r_out = r_in = inc = cx = Z")
    for k in range(K):
        w(f"ipaid{k} = ppaid{k} = rpaid{k} = Z")
    for i in range(F):
        w(f"fpaid{i} = Z")

    def order(steps_, in_post: bool) -> None:
        cx = steps.Context(p, steps_, in_post=in_post, has_turbo=has_turbo, has_stop=has_stop)
        steps.write_order(w, cx, steps_)

    if not has_post:
        order(p.pre, False)
    elif not vector:
        with w.block("if defaulted:"):
            order(p.post, True)
        with w.block("else:"):
            order(p.pre, False)
    else:  # scenarios after a default event run the post-default order, masked
        with w.block("if not defaulted.any():"):
            order(p.pre, False)
        with w.block("else:"):
            w("post_mask = defaulted.astype(float)")
            w.masked = True
            w("act = 1.0 - post_mask")
            order(p.pre, False)
            w("act = post_mask")
            order(p.post, True)
            w.masked = False
    for k in range(K):
        w(f"miss{k} = {w.max(f'miss{k}', f'idue{k}')}")
    if has_call:
        w("called = called | call_now")
    for j, trig in enumerate(p.triggers):
        test = _TESTS[trig.test].format(
            j=j,
            notes=notes,
            top=steps.total(f"idue{k}" for k in p.top),
        )
        w(f"hit{j} = hit{j} | ({w.and_not(test, 'called') if has_call else test})")
    w("if last_only and t < n - 1:")
    w("    continue")
    row = _row(p)
    if vector:  # into the table made for the records: each period's arrays are freed at once
        w(f"np.stack([{', '.join(row)}], out=rows[t - t0])")
        w("flags.append([defaulted, *in_force])")
    else:  # one list per period, the flags last
        w(f"rows.append([{', '.join(row + ['defaulted', '*in_force'])}])")


def _row(p) -> list[str]:
    """The locals recorded each period, in RECORDS order (the flags apart)."""
    K, F, J = len(p.names), len(p.fees), len(p.supports)
    has_call = any(t.effect == "clean_up_call" for t in p.triggers)
    return (
        [f"idue_start{k}" for k in range(K)]
        + [f"ipaid{k}" for k in range(K)]
        + [f"ppaid{k}" for k in range(K)]
        + [f"rpaid{k}" for k in range(K)]
        + [f"bal{k}" for k in range(K)]
        + [f"fpaid{i}" for i in range(F)]
        + ["reserve", "r_out", "r_in", "inc", "cash", "cx"]
        + (["call", "c"] if has_call else [])
        + [f"sin{j}" for j in range(J)]
        + [f"sout{j}" for j in range(J)]
        + [f"sbal{j}" for j in range(J)]
        + [f"miss{k}" for k in range(K)]
    )


#: each trigger's test at the end of the period (the loop's locals)
_TESTS = {
    "senior_interest_unpaid": "{top} > thx{j}",
    "notes_below": "{notes} < thr{j} * notes0",
    "reserve_below_target": "reserve < thr{j} * target - EPS",
    "cumulative_collections_ratio": "(cum < thr{j} * base_cum[t]) & (base_cum[t] > EPS)",
}


def _prologue(w, p) -> None:
    """The deal's amounts as locals, and the state before the first period."""
    if w.vector:
        w("Z = np.zeros(S)")
        w("FALSE = np.zeros(S, dtype=bool)")
    else:
        w("Z = 0.0")
        w("FALSE = False")
    for k in range(len(p.names)):
        w(f"bal{k} = p.balance0[{k}] + Z")
        w(f"fr{k} = p.fixed_return[{k}]")
        w(f"R{k} = p.balance0[{k}] * p.fixed_return[{k}]")
        w(f"sched{k} = p.schedule[{k}]")
        w(f"idue{k} = rdue{k} = pcum{k} = miss{k} = Z")
    for i in range(len(p.fees)):
        w(f"fa{i} = p.fees[{i}].amount")
        w(f"fr_{i} = p.fees[{i}].rate")
        w(f"cap{i} = p.fees[{i}].cap")
        w(f"fdue{i} = fexc{i} = Z")
    for j in range(len(p.triggers)):
        w(f"hit{j} = FALSE")
        w(f"thr{j} = p.triggers[{j}].threshold")
        w(f"thx{j} = max(thr{j}, EPS)")
    for j in range(len(p.supports)):
        w(f"x = p.supports[{j}]")
        w(f"slim{j}, sfr{j}, sir{j} = x.limit, x.fee_rate, x.interest_rate")
        w(f"sbal{j} = sused{j} = sfee{j} = Z")
    w("frac = p.frac")
    w("n = len(coll)")
    w("fnext = frac[1:n] + [0.0]")
    w("tnext = list(range(1, n)) + [n - 1]")
    w("rest = p.rest")
    w("base_cum = p.base_cum")
    w("notes0 = sum(p.balance0)")
    w("reserve = p.reserve0 + Z")
    w("target = Z")
    w("called = FALSE")
    w("cum = Z")
    w("share = p.incentive_share")
    w("multiple = p.reserve_multiple")
    w("tfixed, trate = p.target_fixed, p.target_rate")
    if w.vector:  # the records' table, (periods, columns, scenarios)
        w("t0 = n - 1 if last_only else 0")
        w(f"rows = np.empty((n - t0, {len(_row(p))}, S))")
    else:
        w("rows = []")
    w("flags = []" if w.vector else "flags = None")


def _accruals(w, p, has_call: bool, has_return: bool) -> None:
    """New fees (capped, subordinated to the excess), interest and fixed returns of the period."""
    K = len(p.names)
    w(f"notes = {steps.total(f'bal{k}' for k in range(K))}")
    w("live = notes > EPS")
    w("acc = f * notes")
    for i, fee in enumerate(p.fees):
        if fee.basis == "collections":
            expr = f"(fr_{i} * coll[t] if fr_{i} else 0.0)" + (" * keep" if has_call else "")
            w(f"new{i} = {expr} + 0.0 * live + 0.0 * acc")
        elif fee.basis == "fixed":
            w(f"new{i} = 0.0 + fa{i} * live + 0.0 * acc")
        else:
            w(f"new{i} = 0.0 + 0.0 * live + fr_{i} * acc")
        if fee.position == "senior" and fee.cap is not None:
            w(f"capped = {w.min(f'new{i}', f'cap{i}')}")
            w(f"fexc{i} = fexc{i} + (new{i} - capped)")
            w(f"new{i} = capped")
        if fee.position != "senior":
            w(f"fexc{i} = fexc{i} + new{i}")
            w(f"new{i} = 0.0")
        w(f"fdue{i} = fdue{i} + new{i}")
    w("cp = cpn[t]")
    for k in range(K):
        w(f"idue{k} = idue{k} + bal{k} * cp[{k}] * f")
    if has_return:
        for k in range(K):
            r = f"bal{k} * fr{k}" if p.on_outstanding[k] and p.fixed_return[k] else f"R{k}"
            w(f"rdue{k} = rdue{k} + {r} * f")
