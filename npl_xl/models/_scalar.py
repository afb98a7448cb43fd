"""One scenario of the waterfall as a plain Python loop generated from the deal's orders.

:class:`npl_xl.models.waterfall._Engine` runs any number of scenarios on numpy vectors; for one
scenario its per-period bookkeeping (state on an object, lists, dispatch per step) costs more than
the priority of payments itself. Here the same steps are written out as straight-line code on local
floats, once per deal *structure* (orders, fee bases and caps, tranche kinds, triggers; the amounts
are arguments), compiled and cached. Every line mirrors the engine's one-scenario branch operation
for operation, so the two agree bit for bit (tests/test_structures.py checks every record).
"""

from __future__ import annotations

__all__ = ["scalar_runner"]


def scalar_runner(plan):
    """The generated loop for ``plan`` (a ``waterfall._Plan``): ``fn(plan, coll, cpn, last_only)``
    returning the engine's rows and flags (one list each per period). Cached by the structure."""
    key = _structure(plan)
    fn = _CACHE.get(key)
    if fn is None:
        if len(_CACHE) >= 64:
            _CACHE.clear()
        fn = _CACHE[key] = _compiled(_source(plan))
    return fn


#: generated loops by deal structure
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
        tuple((t[1], t[3]) for t in p.triggers),
        tuple(p.pre),
        tuple(p.post),
        tuple(p.index),
        tuple((x[0], x[1], x[3]) for x in p.supports),
    )


def _compiled(source: str):
    namespace: dict = {}
    exec(compile(source, "<npl_xl scalar waterfall>", "exec"), namespace)  # noqa: S102
    return namespace["run"]


def _source(p) -> str:
    """Python source of the loop for the structure of ``p``."""
    K, F = len(p.names), len(p.fees)
    senior = [i for i, f in enumerate(p.fees) if f.position == "senior"]
    top = list(p.top)
    w = _Writer()
    w("from npl_xl.models.waterfall import EPS")
    w("def run(p, coll, cpn, last_only):")
    w.indent += 1
    _prologue(w, p)
    has_return = any(b * r for b, r in zip(p.balance0, p.fixed_return))
    effects = {e: [j for j, t in enumerate(p.triggers) if t[3] == e] for e in _EFFECTS}
    has_call = bool(effects["clean_up_call"])

    def any_of(js):
        return " or ".join(f"hit{j}" for j in js) if js else "False"

    w("for t in range(n):")
    w.indent += 1
    w("f = frac[t]")
    w(f"in_force = [{', '.join(f'hit{j}' for j in range(len(p.triggers)))}]")
    w(f"defaulted = {any_of(effects['post_default_order'])}")
    w(f"turbo = {any_of(effects['sequential_turbo'])}")
    w(f"stop_fee = ({any_of(effects['stop_incentive_fee'])}) | turbo")
    w(
        f"call_now = ({any_of(effects['clean_up_call'])}) and not called"
        if has_call
        else "call_now = False"
    )
    w("final = t == n - 1")
    w("c = coll[t]")
    w("keep = 1.0 - called" if has_call else "keep = 1.0")
    if has_call:
        w("if called:")
        w("    c = c * keep")
    _accruals(w, p, has_call, has_return)
    for j in range(len(p.supports)):
        w(f"sin{j} = sout{j} = 0.0")
        w(f"if sfr{j} or sir{j}:")
        w(f"    live = {_sum(f'bal{k}' for k in range(K))} > EPS")
        w(f"    sfee{j} = sfee{j} + (sfr{j} * slim{j} * live + sir{j} * sbal{j}) * f")
    w(f"irec = [{', '.join(f'idue{k}' for k in range(K))}]")
    if has_call:
        w(f"price = {_sum(f'bal{k}' for k in range(K))} + {_sum(f'idue{k}' for k in range(K))}")
        w("call_now = call_now & (rest[t] >= price)")
        w("final = final | call_now")
        w("call = price * call_now")
    else:
        w("call = 0.0")
    w("cash = c + call" if has_call else "cash = c")
    if p.base_cum is not None:
        w("cum = cum + c")
    w("r_out = r_in = inc = cx = 0.0")
    for k in range(K):
        w(f"ipaid{k} = ppaid{k} = rpaid{k} = 0.0")
    for i in range(F):
        w(f"fpaid{i} = 0.0")
    w("if defaulted:")
    w.indent += 1
    _steps(w, p, p.post, in_post=True, senior=senior, top=top)
    w.indent -= 1
    w("else:")
    w.indent += 1
    _steps(w, p, p.pre, in_post=False, senior=senior, top=top)
    w.indent -= 1
    for k in range(K):
        w(f"miss{k} = {_max(f'miss{k}', f'idue{k}')}")
    if has_call:
        w("called = called | call_now")
    for j, trig in enumerate(p.triggers):
        if has_call:
            w(f"hit{j} = hit{j} | (({_test(trig[1], j, top, K)}) and not called)")
        else:
            w(f"hit{j} = hit{j} | ({_test(trig[1], j, top, K)})")
    w("if last_only and t < n - 1:")
    w("    continue")
    row = (
        ["*irec"]
        + [f"ipaid{k}" for k in range(K)]
        + [f"ppaid{k}" for k in range(K)]
        + [f"rpaid{k}" for k in range(K)]
        + [f"bal{k}" for k in range(K)]
        + [f"fpaid{i}" for i in range(F)]
        + ["reserve", "r_out", "r_in", "inc", "cash", "cx"]
        + (["call", "c"] if has_call else [])
        + [f"sin{j}" for j in range(len(p.supports))]
        + [f"sout{j}" for j in range(len(p.supports))]
        + [f"sbal{j}" for j in range(len(p.supports))]
        + [f"miss{k}" for k in range(K)]
    )
    w(f"rows.append([{', '.join(row)}])")
    w("flags.append([defaulted, *in_force])")
    w.indent -= 1
    w("return rows, flags")
    return w.text()


def _prologue(w, p) -> None:
    """The deal's amounts as locals, and the state before the first period."""
    K = len(p.names)
    # constants of this deal
    for k in range(K):
        w(f"bal{k} = p.balance0[{k}] + 0.0")
        w(f"fr{k} = p.fixed_return[{k}]")
        w(f"R{k} = p.balance0[{k}] * p.fixed_return[{k}]")
        w(f"sched{k} = p.schedule[{k}]")
        w(f"idue{k} = rdue{k} = pcum{k} = miss{k} = 0.0")
    for i in range(len(p.fees)):
        w(f"fa{i} = p.fees[{i}].amount")
        w(f"fr_{i} = p.fees[{i}].rate")
        w(f"cap{i} = p.fees[{i}].cap")
        w(f"fdue{i} = fexc{i} = 0.0")
    T = len(p.triggers)
    for j in range(T):
        w(f"hit{j} = False")
        w(f"thr{j} = p.triggers[{j}][2]")
    for j in range(len(p.supports)):
        w(f"slim{j}, sfr{j}, sir{j} = p.supports[{j}][2], p.supports[{j}][4], p.supports[{j}][5]")
        w(f"sbal{j} = sused{j} = sfee{j} = 0.0")
    w("frac = p.frac")
    w("rest = p.rest")
    w("base_cum = p.base_cum")
    w("notes0 = sum(p.balance0)")
    w("reserve = p.reserve0 + 0.0")
    w("target = 0.0")
    w("called = False")
    w("cum = 0.0")
    w("share = p.incentive_share")
    w("multiple = p.reserve_multiple")
    w("tfixed, trate = p.target_fixed, p.target_rate")
    w("n = len(coll)")
    w("rows = []")
    w("flags = []")


def _accruals(w, p, has_call: bool, has_return: bool) -> None:
    """New fees (capped, subordinated to the excess), interest and fixed returns of the period."""
    K = len(p.names)
    # fees accrue
    w(f"notes = {_sum(f'bal{k}' for k in range(K))}")
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
            w(f"capped = new{i} if new{i} <= cap{i} else cap{i}")
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


_EFFECTS = ("post_default_order", "sequential_turbo", "stop_incentive_fee", "clean_up_call")


def _sum(terms) -> str:
    """Python's sum() of locals, in its order (0 + a + b ...)."""
    return "(" + " + ".join(["0", *terms]) + ")"


def _test(test: str, j: int, top: list, K: int) -> str:
    if test == "senior_interest_unpaid":
        return f"{_sum(f'idue{k}' for k in top)} > max(thr{j}, EPS)"
    if test == "notes_below":
        return f"{_sum(f'bal{k}' for k in range(K))} < thr{j} * notes0"
    if test == "reserve_below_target":
        return f"reserve < thr{j} * target - EPS"
    return f"(cum < thr{j} * base_cum[t]) & (base_cum[t] > EPS)"


def _pay(w, due: str, into: str) -> None:
    """``into`` = what cash pays of ``due``."""
    w(f"{into} = {due} if {due} <= cash else cash")
    w(f"cash = cash - {into}")


def _pay_with_reserve(w, due: str, into: str) -> None:
    _pay(w, due, into)
    w(f"if {due} - {into} > 0.0:")
    w(f"    draw = {due} - {into}")
    w("    draw = draw if draw <= reserve else reserve")
    w("    reserve = reserve - draw")
    w("    r_out = r_out + draw")
    w(f"    {into} = {into} + draw")


def _steps(w, p, order, *, in_post: bool, senior: list, top: list) -> None:  # noqa: C901
    K = len(p.names)
    named = {p.fee_index[s.partition(":")[2]] for s in order if s.startswith("fee:")}
    which = [i for i in senior if i not in named]
    if not order:
        w("pass")
    for step in order:
        kind, _, name = step.partition(":")
        if kind == "senior_fees":
            if len(which) == len(senior):  # every senior fee: the engine pays them at once
                w(f"if {_sum(f'fdue{i}' for i in range(len(p.fees)))} <= cash:")
                w.indent += 1
                for i in range(len(p.fees)):
                    w(f"cash -= fdue{i}")
                    w(f"fpaid{i} = fpaid{i} + fdue{i}")
                    w(f"fdue{i} = 0.0")
                w("pass")
                w.indent -= 1
                w("else:")
                w.indent += 1
            for i in which:
                _pay_with_reserve(w, f"fdue{i}", "paid")
                w(f"fdue{i} = fdue{i} - paid")
                w(f"fpaid{i} = fpaid{i} + paid")
            if not which:
                w("pass")
            if len(which) == len(senior):
                w.indent -= 1
        elif kind == "fee":
            i = p.fee_index[name]
            if p.fees[i].position == "senior":
                _pay_with_reserve(w, f"fdue{i}", "paid")
                w(f"fdue{i} = fdue{i} - paid")
            else:
                _pay(w, f"fexc{i}", "paid")
                w(f"fexc{i} = fexc{i} - paid")
            w(f"fpaid{i} = fpaid{i} + paid")
        elif kind == "fee_excess":
            pay = [i for i, f in enumerate(p.fees) if f.position == "senior" or i not in named]
            w(f"if cash > 0.0 and ({' or '.join(f'fexc{i}' for i in range(len(p.fees))) or 0}):")
            w.indent += 1
            for i in pay:
                w(f"if fexc{i} > 0.0:")
                w.indent += 1
                _pay(w, f"fexc{i}", "paid")
                w(f"fexc{i} = fexc{i} - paid")
                w(f"fpaid{i} = fpaid{i} + paid")
                if p.fees[i].position == "senior" and p.fees[i].cap is not None:
                    w("cx = cx + paid")
                w.indent -= 1
            w("pass")
            w.indent -= 1
        elif kind == "reserve":
            if in_post:
                w("target = 0.0")
            else:
                w("if final:")
                w("    target = 0.0")
                w("else:")
                w.indent += 1
                w("fn = frac[t + 1] if t + 1 < n else 0.0")
                w(f"nt = {_sum(f'bal{k}' for k in range(K))}")
                w("cpx = cpn[t + 1 if t + 1 < n - 1 else n - 1]")
                w("fees = tfixed * (nt > EPS) + trate * fn * nt")
                w(f"interest = {_sum(f'bal{k} * cpx[{k}]' for k in top)} * fn")
                w("target = multiple * (fees + interest)")
                w.indent -= 1
            w("gap = target - reserve")
            w("move = gap if gap < 0.0 else (gap if gap < cash else cash)")
            w("reserve += move")
            w("cash -= move")
            w("if move < 0.0:")
            w("    r_out = r_out - move")
            w("else:")
            w("    r_in = r_in + move")
        elif kind == "interest":
            k = p.index[name]
            w(f"due = idue{k}")
            (_pay_with_reserve if k in top else _pay)(w, "due", "paid")
            w(f"idue{k} = due - paid")
            w(f"ipaid{k} = ipaid{k} + paid")
        elif kind == "principal":
            k = p.index[name]
            w("if cash > 0.0:")
            w.indent += 1
            if p.schedule[k] is None or in_post:
                w(f"due = bal{k}")
            else:
                w("if final | turbo:")
                w(f"    due = bal{k}")
                w("else:")
                w(f"    due = sched{k}[t] - pcum{k}")
                w("    due = due if not (0.0 > due) else 0.0")
                w(f"    due = due if due <= bal{k} else bal{k}")
            _pay(w, "due", "paid")
            w(f"bal{k} = bal{k} - paid")
            w(f"pcum{k} = pcum{k} + paid")
            w(f"ppaid{k} = ppaid{k} + paid")
            w.indent -= 1
        elif kind == "fixed_return":
            k = p.index[name]
            w("if cash > 0.0 and not turbo:")
            w.indent += 1
            _pay(w, f"rdue{k}", "paid")
            w(f"rdue{k} = rdue{k} - paid")
            w(f"rpaid{k} = rpaid{k} + paid")
            w.indent -= 1
        elif kind == "incentive_fee":
            w("if cash > 0.0 and not stop_fee:")
            w("    fee = share * cash")
            w("    cash = cash - fee")
            w("    inc = inc + fee")
        elif kind in ("draw", "repay", "trap"):
            _support_step(w, p, kind, p.support_index[name], in_post)
        else:  # pragma: no cover - the deal validates step kinds
            raise ValueError(f"unknown step {step!r}")


def _min(a: str, b: str) -> str:
    """min(a, b) as Python computes it (b only when b < a)."""
    return f"({b} if {b} < {a} else {a})"


def _max(a: str, b: str) -> str:
    """max(a, b) as Python computes it (b only when b > a)."""
    return f"({b} if {b} > {a} else {a})"


def _support_step(w, p, kind: str, j: int, in_post: bool) -> None:
    """draw / repay / trap of support ``j``, as the engine's steps of the same names."""
    _, sk, _, covers, _, _ = p.supports[j]
    if kind == "repay":
        _pay(w, f"sfee{j}", "paid")
        w(f"sfee{j} = sfee{j} - paid")
        w("fees = paid")
        _pay(w, f"sbal{j}", "paid")
        w(f"sbal{j} = sbal{j} - paid")
        w(f"sout{j} = sout{j} + (fees + paid)")
        return
    if kind == "trap":
        w(f"release = sbal{j} if final else 0.0")
        w(f"move = {_min(_max(f'slim{j} - sbal{j}', '0.0'), 'cash')}")
        w("move = 0.0 if final else move")
        w("cash = cash + release - move")
        w(f"sbal{j} = sbal{j} - release + move")
        w(f"sin{j} = sin{j} + release")
        w(f"sout{j} = sout{j} + move")
        return
    w("need = res = 0.0")
    senior = [i for i, f in enumerate(p.fees) if f.position == "senior"]
    if "senior_fees" in covers:
        w(f"x = {_sum(f'fdue{i}' for i in senior)}")
        w("need, res = need + x, res + x")
    if "senior_interest" in covers:
        w(f"x = {_sum(f'idue{k}' for k in p.top)}")
        w("need, res = need + x, res + x")
    if "senior_principal" in covers:
        for k in p.top:
            w("x = 0.0")
            if p.schedule[k] is not None and not in_post:
                w(f"x = {_min(_max(f'sched{k}[t] - pcum{k}', '0.0'), f'bal{k}')}")
            w(f"need = need + (bal{k} if final else x)")
    covered_by_reserve = _min("reserve", "res")
    w(f"short = {_max(f'need - cash - {covered_by_reserve}', '0.0')}")
    if sk == "excess_spread_account":
        w(f"avail = sbal{j}")
    elif sk == "guarantee":
        w(f"avail = {_max(f'slim{j} - sused{j}', '0.0')}")
    else:
        w(f"avail = {_max(f'slim{j} - sbal{j}', '0.0')}")
    w(f"draw = {_min('short', 'avail')}")
    w("cash = cash + draw")
    if sk == "excess_spread_account":
        w(f"sbal{j} = sbal{j} - draw")
    else:
        w(f"sbal{j} = sbal{j} + draw")
        w(f"sused{j} = sused{j} + draw")
    w(f"sin{j} = sin{j} + draw")


class _Writer:
    def __init__(self):
        self.lines: list[str] = []
        self.indent = 0

    def __call__(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
