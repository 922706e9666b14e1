"""The compliance engine: draft buyer replies checked against the rules in rules/compliance/.

Pure: the rules arrive compiled (bot/compliance_rules.py reads the files), the checks read
only the text they are given.
"""

from bot.domain.compliance.checker import Checker, Finding, Result
from bot.domain.compliance.rewrite import Removal
from bot.domain.compliance.rules import CATEGORIES, Example, Rule, compile_rule

__all__ = ["CATEGORIES", "Checker", "Example", "Finding", "Removal", "Result", "Rule",
           "compile_rule"]
