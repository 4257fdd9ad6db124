"""Extraction records the graph and export tests build on (this module holds no tests).

``seed_002()`` is seed article 002 (腾讯 and 国研中心/深圳三院 reach a strategic
cooperation) as the NLP should extract it: names, aliases, mention offsets
and evidence offsets are the article's own. ``earlier_report()`` is a
constructed, shorter report of an earlier cooperation of the same three
parties, in which they go by other names (国家感染性疾病临床医学研究中心 without
深圳, 腾讯公司), so that merging across articles has something to do.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from healthnews_nlp.models import ArticleExtraction, Entity, Mention, Relation

CST = timezone(timedelta(hours=8))

TENCENT = "腾讯"
CENTER = "国家感染性疾病临床医学研究中心"
CENTER_FULL = "深圳国家感染性疾病临床医学研究中心"
HOSPITAL = "深圳市第三人民医院"


def _mentions(*spans: tuple[int, int, str]) -> tuple[Mention, ...]:
    return tuple(Mention(start=s, end=e, text=t) for s, e, t in spans)


def _relation(head: str, head_type: str, type_: str, tail: str, tail_type: str, **fields: object) -> Relation:
    return Relation(head=head, head_type=head_type, type=type_, tail=tail, tail_type=tail_type, **fields)  # type: ignore[arg-type]


_SIGNING = (
    "9月22日下午，深圳国家感染性疾病临床医学研究中心（下称“国研中心”）、深圳市第三人民医院"
    "（下称“深圳三院”）与腾讯正式达成战略合作。"
)
_GUESTS = (
    "国家感染性疾病临床医学研究中心主任、深圳市第三人民医院党委书记刘磊，国家感染性疾病临床医学研究中心、"
    "深圳第三人民医院院长、党委副书记卢洪洲，国家感染性疾病临床医学研究中心副主任卢水华，"
    "腾讯云与智慧产业事业群副总裁张纾翔，腾讯智慧医疗总经理张国栋等嘉宾共同参与了协议签署。"
)


def seed_002() -> ArticleExtraction:
    """Seed 002 (2022-09-26): the three parties sign a strategic cooperation on 9月22日."""
    signed = date(2022, 9, 22)
    partners = dict(cue="达成战略合作", evidence=_SIGNING, evidence_start=33, evidence_end=100, date=signed)
    guests = dict(evidence=_GUESTS, evidence_start=100, evidence_end=235, date=signed)
    return ArticleExtraction(
        article="002_e6ba134a9c8dccee.txt",
        article_id="32b2bc4a6aa9eb09",
        source="seeds/002_e6ba134a9c8dccee.txt",
        title="从服务到传染病防治，腾讯牵手国研中心、深圳三院探索数字医疗新模式",
        date=datetime(2022, 9, 26, 6, 21, tzinfo=timezone.utc),
        entities=(
            Entity(
                name=CENTER_FULL,
                type="ORG",
                aliases=("国研中心", CENTER),
                mentions=_mentions((41, 58, CENTER_FULL), (14, 18, "国研中心"), (62, 66, "国研中心")),
            ),
            Entity(
                name=HOSPITAL,
                type="ORG",
                aliases=("深圳三院", "深圳第三人民医院"),
                mentions=_mentions((69, 78, HOSPITAL), (118, 127, HOSPITAL), (19, 23, "深圳三院"), (82, 86, "深圳三院")),
            ),
            Entity(name=TENCENT, type="ORG", mentions=_mentions((10, 12, TENCENT), (89, 91, TENCENT))),
            Entity(name="腾讯云与智慧产业事业群", type="ORG", mentions=_mentions((192, 203, "腾讯云与智慧产业事业群"))),
            Entity(name="刘磊", type="PERSON", mentions=_mentions((131, 133, "刘磊"))),
            Entity(name="卢洪洲", type="PERSON", mentions=_mentions((166, 169, "卢洪洲"))),
            Entity(name="张纾翔", type="PERSON", mentions=_mentions((206, 209, "张纾翔"))),
            Entity(name="深圳", type="LOC"),
        ),
        relations=(
            _relation(CENTER_FULL, "ORG", "PARTNERS_WITH", TENCENT, "ORG", **partners),
            _relation(HOSPITAL, "ORG", "PARTNERS_WITH", TENCENT, "ORG", **partners),
            _relation(CENTER_FULL, "ORG", "PARTNERS_WITH", HOSPITAL, "ORG", **partners),
            _relation("刘磊", "PERSON", "WORKS_FOR", HOSPITAL, "ORG", title="党委书记", **guests),
            _relation("刘磊", "PERSON", "WORKS_FOR", CENTER_FULL, "ORG", title="主任", **guests),
            _relation("卢洪洲", "PERSON", "WORKS_FOR", HOSPITAL, "ORG", title="院长、党委副书记", **guests),
            _relation("张纾翔", "PERSON", "WORKS_FOR", "腾讯云与智慧产业事业群", "ORG", title="副总裁", **guests),
            _relation("腾讯云与智慧产业事业群", "ORG", "PART_OF", TENCENT, "ORG", evidence=_GUESTS),
            _relation(HOSPITAL, "ORG", "LOCATED_IN", "深圳", "LOC"),
        ),
    )


_EARLIER = "7月20日，腾讯公司与深圳市第三人民医院、国家感染性疾病临床医学研究中心签约，共建传染病数字化防控平台。"
_FORUM = "论坛由深圳三院主办、国研中心承办，在深圳举行，深圳三院院长卢洪洲出席并致辞。"
FORUM = "传染病数字化防控论坛"


def earlier_report() -> ArticleExtraction:
    """A constructed report (2021-07-20) of an earlier agreement, under the parties' other names."""
    day = date(2021, 7, 20)
    signing = dict(cue="签约", evidence=_EARLIER, date=day)
    forum = dict(evidence=_FORUM, date=day)
    return ArticleExtraction(
        article="web_2021_0720.txt",
        article_id="web-2021-0720",
        source="corpus/web/web_2021_0720.txt",
        title="腾讯与深圳三院、国研中心共建传染病数字化防控平台",
        date=datetime(2021, 7, 20, 18, 30, tzinfo=CST),
        url="http://news.example.cn/2021/0720/szsy.html",
        entities=(
            Entity(name=TENCENT, type="ORG", aliases=("腾讯公司",)),
            Entity(name=HOSPITAL, type="ORG", aliases=("深圳三院",)),
            Entity(name=CENTER, type="ORG", aliases=("国研中心",)),
            Entity(name="卢洪洲", type="PERSON"),
            Entity(name=FORUM, type="EVENT"),
            Entity(name="深圳", type="LOC"),
        ),
        relations=(
            _relation(TENCENT, "ORG", "PARTNERS_WITH", HOSPITAL, "ORG", **signing),
            _relation(TENCENT, "ORG", "PARTNERS_WITH", CENTER, "ORG", **signing),
            _relation(HOSPITAL, "ORG", "PARTNERS_WITH", CENTER, "ORG", **signing),
            _relation("卢洪洲", "PERSON", "WORKS_FOR", HOSPITAL, "ORG", title="院长", **forum),
            _relation(HOSPITAL, "ORG", "ORGANIZES", FORUM, "EVENT", role="主办", **forum),
            _relation(CENTER, "ORG", "ORGANIZES", FORUM, "EVENT", role="承办", **forum),
            _relation(FORUM, "EVENT", "HELD_IN", "深圳", "LOC", **forum),
            _relation("卢洪洲", "PERSON", "PARTICIPATES_IN", FORUM, "EVENT", cue="出席", **forum),
        ),
    )


def seeds() -> list[ArticleExtraction]:
    """Both articles, the earlier first (as a corpus would be read in date order)."""
    return [earlier_report(), seed_002()]
