"""Leave-one-patient-out moves of the adjusted effect's stacked estimating equations,
solved block by block (``narvard.stats.did.jackknife_influence`` sets them up).

The equations are ordered μ (the team's covariate means, k of them), λ (the balancing
condition, k), then β of each measure (p each). Their Jacobian A = Σ A_i is block lower
triangular: μ's equations involve μ only, λ's involve μ and λ, each measure's λ and its own
β. A patient's part A_i has the same shape, so (A − A_i) x = ψ_i is solved by forward
substitution: the μ block is a multiple of I, the λ block is B minus one rank-one term
(Sherman–Morrison), the β blocks are p × p. That is the dense solve per patient
(``narvard.stats.did._leave_one_out``, which the tests compare with) in O(n k²) time and
O(n · size) memory instead of O(n · size³) and O(n · size²).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEAR_SINGULAR = 20.0  # a leave-one-out move this many times the sandwich term is not used


@dataclass(frozen=True)
class Equations:
    """The stacked equations' per-patient pieces: team patients first, then the pool.

    ``team_u``/``pool_u``: standardised balance covariates (None without estimated
    weights); ``weights``: 1 for team patients, the balancing weight e_i for the pool;
    ``scores``/``info``: per measure, each patient's unweighted score (n × p) and
    information (n × p × p) at the fitted β.
    """

    n_team: int
    weights: np.ndarray
    scores: list[np.ndarray]
    info: list[np.ndarray]
    team_u: np.ndarray | None = None
    pool_u: np.ndarray | None = None


def leave_one_out(eq: Equations) -> np.ndarray:
    """−(A − A_i)⁻¹ ψ_i for every patient i (n × size).

    Where the equations without patient i are (nearly) singular — the patient was alone
    in what made them solvable — the leave-one-out move is not defined, and the plain
    sandwich term −A⁻¹ψ_i is used instead.
    """
    sandwich = _moves(eq, remove=False)
    with np.errstate(all="ignore"):
        out = _moves(eq, remove=True)
        moved, plain = np.linalg.norm(out, axis=1), np.linalg.norm(sandwich, axis=1)
        wild = ~np.isfinite(moved) | (moved > NEAR_SINGULAR * np.maximum(plain, 1e-12))
    out[wild] = sandwich[wild]
    return out


def _moves(eq: Equations, remove: bool) -> np.ndarray:
    """−(A − r A_i)⁻¹ ψ_i with r = 1 (leave patient i out) or r = 0 (the sandwich)."""
    n, nt = len(eq.weights), eq.n_team
    r = 1.0 if remove else 0.0
    parts, lam = [], None
    if eq.team_u is not None:
        x_mu, lam = _balance_moves(eq, r)
        parts += [x_mu, lam]
    for scores, info in zip(eq.scores, eq.info, strict=True):
        w = eq.weights
        hessian = -np.einsum("i,ikl->kl", w, info)
        rhs = w[:, None] * scores
        if lam is not None:
            e, pool_u, pool_s = w[nt:], eq.pool_u, scores[nt:]
            cross = (e[:, None] * pool_s).T @ pool_u  # Σ_pool e_i s_i u_i' (p × k)
            rhs = rhs - lam @ cross.T
            rhs[nt:] += r * (e * np.einsum("ik,ik->i", pool_u, lam[nt:]))[:, None] * pool_s
        if remove:
            own = hessian[None] + (w[:, None, None] * info)
            parts.append(_batched_solve(own, rhs))
        else:
            parts.append(np.linalg.solve(hessian, rhs.T).T)
    x = np.column_stack(parts) if parts else np.zeros((n, 0))
    return -x


def _balance_moves(eq: Equations, r: float) -> tuple[np.ndarray, np.ndarray]:
    """The μ and λ parts of the solution (n × k each)."""
    n, nt = len(eq.weights), eq.n_team
    team_u, pool_u, e = eq.team_u, eq.pool_u, eq.weights[nt:]
    k = team_u.shape[1]
    mu = team_u.mean(axis=0)
    centred = pool_u - mu
    psi_mu = np.zeros((n, k))
    psi_mu[:nt] = team_u - mu
    psi_lam = np.zeros((n, k))
    psi_lam[nt:] = e[:, None] * centred
    # μ block: Σ_team (−I), less the patient's own −I when left out
    diagonal = np.full(n, -float(nt))
    diagonal[:nt] += r
    x_mu = psi_mu / diagonal[:, None]
    # λ block: ∂/∂μ is −Σ_pool e_i I; ∂/∂λ is B = Σ_pool e_i (u_i − μ) u_i'
    coupling = np.full(n, -float(e.sum()))
    coupling[nt:] += r * e
    rhs = psi_lam - coupling[:, None] * x_mu
    b = (e[:, None] * centred).T @ pool_u
    lam = np.linalg.solve(b, rhs.T).T
    if r:  # B − e_i (u_i − μ) u_i' for pool patients: Sherman–Morrison
        g = np.linalg.solve(b, (e[:, None] * centred).T).T
        lam_pool = lam[nt:]
        ratio = np.einsum("ik,ik->i", pool_u, lam_pool) / (1.0 - np.einsum("ik,ik->i", pool_u, g))
        lam[nt:] = lam_pool + g * ratio[:, None]
    return x_mu, lam


def _batched_solve(matrices: np.ndarray, rhs: np.ndarray, chunk: int = 50_000) -> np.ndarray:
    """Solve each small system; singular ones give NaN (then the sandwich is used)."""
    out = np.empty_like(rhs)
    for start in range(0, len(rhs), chunk):
        stop = min(start + chunk, len(rhs))
        try:
            out[start:stop] = np.linalg.solve(matrices[start:stop], rhs[start:stop, :, None])[
                ..., 0
            ]
        except np.linalg.LinAlgError:
            for i in range(start, stop):
                try:
                    out[i] = np.linalg.solve(matrices[i], rhs[i])
                except np.linalg.LinAlgError:
                    out[i] = np.nan
    return out
