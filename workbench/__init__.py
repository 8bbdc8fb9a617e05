"""创新工作室评审工作台: the review and scoring workbench of the Wuxi Federation of Trade Unions."""

from workbench.config import DEFAULT_ROUND, Round, RoundConfigError, load_round

__all__ = ["DEFAULT_ROUND", "Round", "RoundConfigError", "load_round"]
