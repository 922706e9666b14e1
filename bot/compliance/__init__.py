"""Check reply: a draft buyer reply checked against Amazon's messaging rules.

Read it top-down, in the order a draft goes through it:

- `text.py`: the draft folded for matching (invisible characters out, look-alike letters
  mapped, NFKC), split into sentences, every position mapped back to what the user typed.
- `checks/`: the check types a rule names, one module each: deterministic detectors (links,
  e-mail addresses, phone numbers, emoji, HTML, blank lines, capitals, length) and phrase
  checks (`phrases`, `words`, `window`, `only`).
- `rules.py`: a rule file compiled: its check, the conditions around it, severity and wording.
- `features.py` and `model.py`: the learned second opinion, one linear model per kind of
  wording over the draft's words and character n-grams, for what no rule was written for.
- `language.py`: whether the draft is in English, which the wording rules read; one mostly in
  another language is at best a warning that says so.
- `checker.py`: every rule run over a draft, then the model for the categories the rules found
  nothing of, merged into one result.
- `rewrite.py`: the compliant rewrite the findings allow.
- `loading.py`: the edge, where rules/compliance/*.yaml (and the seller's EXTRA_RULES) are read
  and validated and the model's weights (model.json.gz) loaded; everything above it is pure
  and reads only the text it is given.
- `training.py`: `sellerbot rules train`, the model learned from rules/labelled/ (scikit-learn,
  an optional extra; checking needs none of it).
"""

from bot.compliance.checker import Checker, Finding, Result
from bot.compliance.rewrite import Removal
from bot.compliance.rules import CATEGORIES, Example, Rule, compile_rule

__all__ = ["CATEGORIES", "Checker", "Example", "Finding", "Removal", "Result", "Rule",
           "compile_rule"]
