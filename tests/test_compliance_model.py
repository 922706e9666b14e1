"""The learned second opinion (bot/compliance/model.py): trained from the labelled replies in
rules/labelled/, scored without scikit-learn, merged with the rules' findings."""

import gzip
import json

import pytest
from scipy.sparse import csr_matrix

from bot.compliance import Checker, training
from bot.compliance.checker import LEARNED
from bot.compliance.features import WORDS, normalised, terms
from bot.compliance.loading import checker, load_model, load_rules, model_file, rule_files
from bot.compliance.model import SCALE, SHIPPED, Model, read, write
from bot.compliance.text import Draft
from bot.errors import BadInput, ConfigError
from bot.render import data as render_data
from bot.render import message as render_message
from bot.render import text as render_text

MODEL = checker().model
# A reply no rule flags and the learned model does.
REFUSAL = ("Hello Marta,\n\nThe kettle was tested before it left us. Since the box has been "
           "thrown away, sending it back is really not an option for us.\n\nRegards,\nBen")


@pytest.fixture(scope="module")
def retrained():
    """The model trained afresh from the labelled replies in the repository."""
    return training.train(training.labelled_files())


def test_the_shipped_weights_are_what_the_labelled_replies_train(retrained):
    # Deterministic training: a changed labelled set, feature or setting without a retrained
    # model file fails here (`sellerbot rules train` writes it).
    shipped = read(SHIPPED)
    assert shipped["trained_on"] == retrained["trained_on"]
    assert shipped["terms"] == retrained["terms"]
    assert shipped == retrained


def test_the_model_file_is_small_and_written_the_same_every_time(retrained, tmp_path):
    assert SHIPPED.stat().st_size < 1_000_000
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    write(retrained, first)
    write(retrained, second)
    assert first.read_bytes() == second.read_bytes()
    assert read(first) == retrained


def test_the_scorer_computes_the_linear_models_decision_exactly():
    # The standard-library scorer against the same weights as a sparse matrix product: the
    # TF-IDF rows of training (training._tf_idf) and of checking (Model.vector) agree.
    rows = [row for path in training.labelled_files()[:2] for row in training.read_labelled(path)]
    counted = [terms(row.text, row.in_reply_to) for row in rows]
    index = MODEL.index
    matrix = csr_matrix(training._tf_idf(counted, index, MODEL.idf),
                        shape=(len(rows), len(index)))
    products = matrix @ csr_matrix(MODEL.columns).T
    for n, counts in enumerate(counted):
        ours = MODEL.scores(MODEL.vector(counts))
        for k, category in enumerate(MODEL.categories):
            assert ours[k] == pytest.approx(products[n, k] / SCALE + category.intercept,
                                            abs=1e-9)


def test_learned_findings_carry_their_category_sentence_evidence_and_words():
    # Every learned finding in two labelled sets: the model's categories only, the sentence
    # that weighed most (as typed) as its span, words (and word pairs) of the reply as its
    # evidence, and the finding's words for it.
    seen = 0
    for path in training.labelled_files()[:2]:
        for row in training.read_labelled(path):
            result = checker().check(row.text, in_reply_to=row.in_reply_to)
            draft = Draft(row.text)
            sentences = {draft.where(*span) for span in draft.sentences}
            for finding in (f for f in result.findings if f.rule == LEARNED):
                seen += 1
                assert finding.category in training.LEARNED
                assert (finding.start, finding.end) in sentences
                assert finding.evidence
                words = set(WORDS.findall(normalised(row.text)))
                assert all(set(e.split()) <= words for e in finding.evidence)
                shown = render_data.check_result(result)["findings"]
                assert any(s["rule"] == LEARNED and s["message"] and s["why"] and s["fix"]
                           and s["evidence"] == list(finding.evidence) for s in shown)
    assert seen >= 10


def test_a_learned_finding_is_shown_with_its_words_and_evidence():
    result = checker().check(REFUSAL)
    rules_only = Checker(load_rules(rule_files())).check(REFUSAL)
    assert rules_only.verdict == "ok"  # no rule is written for this wording
    finding = next(f for f in result.findings if f.rule == LEARNED)
    assert REFUSAL[finding.start:finding.end] == (
        "Since the box has been thrown away, sending it back is really not an option for us.")
    printed = render_text("check_reply", result=result)
    assert f"{finding.severity:5s} learned, characters {finding.start + 1}-{finding.end}" in printed
    assert render_message("learned", "title", category=finding.category) in printed
    assert "learned second opinion" in printed
    assert "Weighed most: " + ", ".join(f'"{e}"' for e in finding.evidence) in printed


def test_the_model_speaks_only_for_categories_the_rules_did_not_find():
    text = "We don't accept returns on sale items. Returns are not possible after opening."
    result = checker().check(text)
    assert "returns-policy" in [f.category for f in result.findings if f.rule != LEARNED]
    assert not [f for f in result.findings if f.rule == LEARNED
                and f.category == "returns-policy"]


def test_an_answer_to_the_buyer_is_never_an_unsolicited_confirmation():
    text = ("Hi Sam, your order shipped this morning with Royal Mail and should arrive on "
            "Thursday. Thank you for shopping with us!")
    draft = Draft(text)
    k = [c.name for c in MODEL.categories].index("order-confirmation")
    assert MODEL.scores(MODEL.vector(terms(text)))[k] >= MODEL.categories[k].threshold
    assert "order-confirmation" in checker().check(text).categories
    asked = "Has my order been sent yet?"
    assert "order-confirmation" not in checker().check(text, in_reply_to=asked).categories
    assert not [o for o in MODEL.opinions(Draft(text, asked)) if o.category == "order-confirmation"]
    assert [o for o in MODEL.opinions(draft) if o.category == "order-confirmation"]


@pytest.mark.parametrize("text", ["", "   ", "\U0001f642", "!!! ...", "555-0100"])
def test_a_draft_without_words_gets_no_learned_opinion(text):
    assert MODEL.opinions(Draft(text)) == []


def test_the_context_is_part_of_what_the_model_reads():
    assert terms("Thanks!")["ctx:unsolicited"] == 1
    answered = terms("Thanks!", "Where is my parcel?")
    assert answered["ctx:reply"] == 1 and answered["q:parcel"] == 1 and "ctx:unsolicited" not in answered


def test_look_alikes_and_digits_read_as_the_rules_read_them():
    # A Cyrillic o, a zero-width space, full-width letters; digits generalised.
    assert normalised("N\u043e re\u200bturns, order ＡＢＣ 123-4567") == "no returns, order abc 000-0000"


def test_a_bad_labelled_line_is_named_and_nothing_is_trained(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text('{"text": "Fine.", "labels": []}\nnot json\n', encoding="utf-8")
    with pytest.raises(BadInput) as error:
        training.train([path])
    assert error.value.code == "labelled_bad_line" and error.value.params["line"] == 2
    path.write_text('{"text": "Fine.", "labels": ["rudeness"]}\n', encoding="utf-8")
    with pytest.raises(BadInput) as error:
        training.read_labelled(path)
    assert error.value.params == {"path": str(path), "line": 1, "label": "rudeness"}


def test_a_sellers_labelled_replies_and_model_are_used(tmp_path):
    assert model_file(tmp_path) == SHIPPED
    (tmp_path / "mine.jsonl").write_text('{"text": "Fine.", "labels": []}\n', encoding="utf-8")
    assert training.labelled_files(tmp_path)[-1] == tmp_path / "mine.jsonl"
    write(read(SHIPPED), tmp_path / SHIPPED.name)
    assert model_file(tmp_path) == tmp_path / SHIPPED.name


@pytest.mark.parametrize("content", [b"", b"not gzip", gzip.compress(b"{not json"),
                                     gzip.compress(json.dumps({"format": 99}).encode())])
def test_a_broken_model_file_stops_start_up_with_its_name(tmp_path, content):
    path = tmp_path / "model.json.gz"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as error:
        load_model(path)
    assert error.value.params["path"] == str(path)


def test_a_checker_without_the_model_is_the_rules_alone():
    assert Checker(load_rules(rule_files())).model is None
    assert isinstance(MODEL, Model)
