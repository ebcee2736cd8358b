"""Headers as teams write them (issue 15, "read the columns people write"): any case and spacing, common aliases,
and every column the table does not read listed instead of dropped in silence."""
import json

from services.common.settings import Settings
from services.importer import run
from services.importer.headers import normalised

from .kafka_stand_in import _Producer


def sent(kind: str) -> list[dict]:
    return [json.loads(v) for t, _, v in _Producer.sent if not t.endswith("dead-letter") and json.loads(v)["type"] == kind]


def test_case_spacing_and_aliases_name_the_seed_columns_and_the_rest_is_listed(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "KafkaProducer", _Producer)
    (tmp_path / "influencers.csv").write_text("ID,Name,Category,Gender,Follower Count,Platform,persona\n"
                                              "7,Asha,Fitness,F,12000,Instagram,athlete\n")
    (tmp_path / "posts.csv").write_text("Influencer_ID,Platform,Date,URL,Caption,Reach,Likes,Comments,Brand,post_id\n"
                                        "7,Instagram,2025-06-01,https://ig/p/1,hi,1000,50,5,Gritzo,p-1\n")
    outcome = run.import_dir(Settings(), tmp_path, progress=False)
    assert outcome.bad == []
    [influencer] = sent("influencer")
    assert (influencer["influencer_id"], influencer["follower_count"]) == ("7", 12000)
    [post] = sent("post")
    assert post["url"] == "https://ig/p/1"  # a mis-cased optional column was dropped before
    assert outcome.ignored == {"influencers.csv": ["persona"], "posts.csv": ["post_id"]}


def test_an_alias_yields_to_the_seed_name_when_both_are_there():
    names, unread = normalised("influencers.csv", ["id", "influencer_id", "name"])
    assert names == ["id", "influencer_id", "name"] and unread == ["influencer_id"]
    assert normalised("influencers.csv", ["Influencer ID", "name"])[0] == ["id", "name"]
