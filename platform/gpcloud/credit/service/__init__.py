"""Every read and write of credit goes through here: records, appeals, checks, lists."""

from gpcloud.credit.service.checks import CheckResult, barred_experts, check

__all__ = ["CheckResult", "barred_experts", "check"]
