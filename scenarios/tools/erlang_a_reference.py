#!/usr/bin/env python3
"""Independent reference values of the Erlang-A queue (M/M/c+M) for the tests of
`sim/src/queueing.rs` (`ERLANG_A_REFERENCE`).

Run from the repository root (needs mpmath only; about 15 seconds):

    python3 scenarios/tools/erlang_a_reference.py

Rates per minute, times in minutes. Computed at 30 digits by a route other
than the Rust code's: the stationary law pi of the birth-death chain (birth
lam, death min(k, c) mu + max(k - c, 0) theta) by exact products; an arrival
finding c + j - 1 in system waits at queue position j, and its offered wait V
is a sum of independent exponentials at rates c mu + i theta, i = 0..j-1, so
theta V = -ln U with U ~ Beta(c mu / theta, j) (Mellin transforms agree). Hence
with x = exp(-theta t) and alpha = c mu / theta:
- P(W > t | j) = x I_x(alpha, j)  (W = min(V, patience));
- P(served within t | j) = E[U; U >= x] = alpha/(alpha + j) (1 - I_x(alpha + 1, j));
- E[V; served | j] = E[V U] by quadrature in u, E[W | j] = integral of P(W > s | j).
The Rust code uses uniformization and closed forms instead.
"""
from mpmath import beta, betainc, exp, fsum, log, mp, mpf, nstr, quad

mp.dps = 30


def reference(c, lam, mu, theta, ts):
    lam, mu, theta = mpf(lam), mpf(mu), mpf(theta)
    w, k = [mpf(1)], 0
    while True:
        k += 1
        w.append(w[-1] * lam / (min(k, c) * mu + max(k - c, 0) * theta))
        if k > c + 5 and w[-1] < mpf(10) ** -40 * fsum(w):
            break
    total = fsum(w)
    pi = [x / total for x in w]
    below, q = fsum(pi[:c]), pi[c:]
    alpha = c * mu / theta
    js = [j for j in range(1, len(q) + 1) if q[j - 1] > mpf(10) ** -25]

    def served_wait(j):  # E[V U], U = exp(-theta V) ~ Beta(alpha, j)
        density = lambda u: u ** (alpha - 1) * (1 - u) ** (j - 1) / beta(alpha, j)
        return quad(lambda u: (-log(u) / theta) * u * density(u), [0, mpf(1) / 2, 1])

    def tail(j, s):  # P(W > s | j)
        x = exp(-theta * s)
        return x * betainc(alpha, j, 0, x, regularized=True)

    p_served = below + fsum(q[j - 1] * alpha / (alpha + j) for j in range(1, len(q) + 1))
    out = {
        "p_abandon": 1 - p_served,
        "p_wait": fsum(q),
        "mean_wait_served": fsum(q[j - 1] * served_wait(j) for j in js) / p_served,
        "mean_wait_all": fsum(q[j - 1] * quad(lambda s: tail(j, s), [0, 10, mp.inf]) for j in js),
        "mean_queue": fsum(q[j - 1] * (j - 1) for j in range(1, len(q) + 1)),
    }
    for t in ts:
        x = exp(-theta * t)
        out[f"P(W > {t})"] = fsum(q[j - 1] * tail(j, t) for j in range(1, len(q) + 1))
        out[f"P(served within {t})"] = below + fsum(
            q[j - 1] * alpha / (alpha + j) * (1 - betainc(alpha + 1, j, 0, x, regularized=True))
            for j in range(1, len(q) + 1)
        )
    return out


if __name__ == "__main__":
    cases = [
        (10, 1.2, 1 / 7, 1 / 3, [1 / 3, 1]),  # 9-8-8 contact centre
        (4, 1.0, 0.2, 0.5, [0.5, 2]),  # overload a = 5 on 4 servers
        (1, 0.9, 1.0, 0.25, [1, 3]),  # M/M/1+M
    ]
    for c, lam, mu, theta, ts in cases:
        print(f"c={c} lambda={lam} mu={mu} theta={theta}")
        for name, value in reference(c, lam, mu, theta, ts).items():
            print(f"  {name} = {nstr(value, 17)}")
