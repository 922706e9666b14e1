"""Check reply: a draft buyer reply checked against Amazon's messaging rules.

Read it top-down, in the order a draft goes through it:

- `text.py`: the draft folded for matching (invisible characters out, look-alike letters
  mapped, NFKC), split into sentences, every position mapped back to what the user typed.
- `checks/`: the check types a rule names, one module each: deterministic detectors (links,
  e-mail addresses, phone numbers, emoji, HTML, blank lines, capitals, length) and phrase
  checks (`phrases`, `words`, `window`, `only`).
- `rules.py`: a rule file compiled: its check, the conditions around it, severity and wording.
- `checker.py`: every rule run over a draft, findings merged into one result.
- `rewrite.py`: the compliant rewrite the findings allow.
- `loading.py`: the edge, where rules/compliance/*.yaml (and the seller's EXTRA_RULES) are read
  and validated; everything above it is pure and reads only the text it is given.
"""

from bot.compliance.checker import Checker, Finding, Result
from bot.compliance.rewrite import Removal
from bot.compliance.rules import CATEGORIES, Example, Rule, compile_rule

__all__ = ["CATEGORIES", "Checker", "Example", "Finding", "Removal", "Result", "Rule",
           "compile_rule"]
