"""Relations between the entities of one article, read sentence by sentence.

The rules follow how Chinese news states each relation:

- WORKS_FOR: ``<ORG><title>、<ORG><title><PERSON>`` chains (each organization
  with its own title), ``任命<PERSON>为<ORG><title>``, and teams named after
  their leader;
- PARTNERS_WITH: cooperation cues (``resources/relation_cues.tsv``) with the
  parties of the clause (国研中心、深圳三院与腾讯达成战略合作 → three pairs)
  or of ``A 携手 B、C``; officials sign for their organization, academics
  and experts for themselves;
- ORGANIZES: ``由A、B主办，C、D承办`` lists, the cue being the role;
- PARTICIPATES_IN: people and organizations acting in a sentence about an
  event (named, referred to by a ceremony's subject, or the article's main
  event referred to as 大会/会上);
- HELD_IN: ``<EVENT>在<LOC>举行``;
- LOCATED_IN / PART_OF: what names plainly state (深圳市第三人民医院 → 深圳,
  中国电信宁夏公司 → 中国电信, 复旦大学上海医学院 → 复旦大学) and ownership cues.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cached_property
from itertools import combinations

from healthnews_nlp.models import Relation
from healthnews_nlp.nlp.aliases import ResolvedEntity, normalized
from healthnews_nlp.nlp.rules import JOINT_HOSTING, ORGANIZER_VERBS, list_items
from healthnews_nlp.nlp.lexicons import Cue
from healthnews_nlp.nlp.view import Candidate, Spans, TextView, positions_after

#: Longest statement read as one sentence: a run of text without a sentence end (a table, a list,
#: a page that lost its punctuation) is read in pieces of this length, which keeps the relation
#: rules linear in the length of the text (news sentences stay far below it: 2,427 characters
#: the longest of 44,000 in the benchmark corpus).
MAX_SENTENCE = 1000
SENTENCE = re.compile(f"[^。！？；!?\n]{{1,{MAX_SENTENCE}}}[。！？；!?]?")
# The investors of one financing round, listed or by their roles in it.
INVESTOR_LIST = re.compile(r"(?:投资方|投资机构|参投方)(?:还|主要)?(?:包括|为|有|是)")
ROUND_ROLES = re.compile(r"(?:联合|共同)?(?:领投|跟投)|(?:联合|共同)投资")  # not 投资 alone: 腾讯投资 is a name
# A programme's line of organizers (主办单位：A、B) and the verbs of hosting an event oneself.
ROLE_LINE = re.compile(r"(主办|承办|协办|指导|支持)单位\s*[:：]")
HOSTING_VERBS = re.compile(r"举办|举行|召开")
# What may stand between two people of one list (and between an organization and its person).
PERSON_JOINERS = frozenset({"", "、", "和", "及", "与"})
CLAUSE_BREAKS = "，,：:。！？；!?\n"
DAY = re.compile(r"(?:((?:19|20)\d\d)年)?(\d{1,2})月(\d{1,2})日")
HONORIFICS = ("院士", "教授", "博士", "专家", "研究员", "科学家")
HELD_VERBS = ("举行", "召开", "举办", "开幕", "启幕", "开启", "落幕")
MEMBERSHIP_HEADS = ("联盟", "协会", "学会", "基金会", "商会", "促进会", "联合会")
UNIT_HEADS = ("学院", "医学院", "事业群", "事业部", "工作组", "分公司", "分院", "研究所", "实验室", "中心")
COOPERATION_OBJECT = re.compile(r"合作|协作|框架|战略|联盟|共建|备忘录|伙伴")
# 联合重组, 联手并购: parties that merge become one; that is not a partnership
MERGER = re.compile(r"重组|合并|并购|兼并")
COMMERCE = re.compile(r"合同|订单|收购|转让|划转|采购|销售|贷款|借款|投资协议|股权|认购|增持|减持|" + MERGER.pattern)
# 否认签约, 拒绝与B合作, 合作告吹: the sentence denies the cooperation it names (终止合作 ends one that was)
DENIAL = re.compile(r"否认|拒绝|告吹|叫停")
BRANCH_HEADS = ("公司", "分公司", "分院", "分中心", "分会", "办事处")
PARTNER_PREPOSITIONS = "与和同跟"
SEPARATELY = re.compile(r"分别|先后|相继")
# After an event's name: the event itself is launched, founded or signed in the sentence
LAUNCHED = re.compile(r"[”\s]*(?:正式)?(?:发布|成立|揭牌|签约|聘任|启动|。|$)")
# After an organization's name inside an event's: its own meeting (联盟2023年度论坛)
OWN_MEETING = re.compile(r"(?:\d{4})?(?:年度|年|第.届)?(?:论坛|年会|大会|峰会|学术会议)")
CEREMONY_HEADS = frozenset({"发布仪式", "聘任仪式", "签约仪式", "揭牌仪式", "启动仪式"})


def resolve_day(text: str, article_date: date | None) -> date | None:
    """The first day ``text`` gives (9月22日), in the article's year, rolled back past new year."""
    match = DAY.search(text)
    if not match:
        return None
    year = int(match[1]) if match[1] else (article_date.year if article_date else None)
    if year is None:
        return None
    try:
        day = date(year, int(match[2]), int(match[3]))
    except ValueError:
        return None
    if not match[1] and article_date and day > article_date + timedelta(days=31):
        try:
            day = day.replace(year=year - 1)  # a December day in a January article
        except ValueError:  # 2月29日 of a leap year: the year before has no such day
            pass
    return day



def _find(text: str, word: str, start: int, end: int) -> int:
    """Where ``word`` first stands in ``text[start:end]``, or ``end``."""
    position = text.find(word, start, end)
    return end if position < 0 else position

class RelationFinder:
    """Finds the relations of one article from its chosen mentions and resolved entities."""

    def __init__(
        self,
        view: TextView,
        mentions: list[Candidate],
        entities: list[ResolvedEntity],
        article_date: date | None = None,
    ) -> None:
        self.view = view
        self.text = view.text
        self.article_date = article_date
        self.entities = entities
        self.entity_at = {span: e for e in entities for span in e.spans}
        self.mentions = sorted((m for m in mentions if (m.start, m.end) in self.entity_at), key=lambda m: m.start)
        self._mention_starts = [m.start for m in self.mentions]
        self._mention_by_end = {m.end: m for m in self.mentions}
        self._mention_spans = Spans((m.start, m.end) for m in self.mentions)
        self._title_spans = Spans((s, e) for e, s in view.titles.items())
        self._sentences = [match.span() for match in SENTENCE.finditer(self.text)]
        self._sentence_starts = [start for start, _ in self._sentences]
        self.found: dict[tuple[str, str, str], Relation] = {}
        self.dated: set[tuple[str, str, str]] = set()  # found relations whose statement gives a day
        self.main_event = self._main_event()
        self._referred: dict[tuple[int, int], ResolvedEntity | None] = {}
        self.event_dates = {id(e): self._first_day(e) for e in entities if e.label == "EVENT"}

    # --- driver ------------------------------------------------------------------------------

    def find(self) -> list[Relation]:
        for start, end in self._sentences:
            mentions = self._mentions_in(start, end)
            if mentions:
                self._sentence(start, end, mentions)
        self._from_names()
        return list(self.found.values())

    def _sentence(self, start: int, end: int, mentions: list[Candidate]) -> None:
        self._works_for(start, end, mentions)
        self._partners(start, end, mentions)
        self._co_investors(start, end, mentions)
        self._organizes(start, end, mentions)
        self._participates(start, end, mentions)
        self._held_in(start, end, mentions)
        self._located_by_context(start, end, mentions)

    # --- helpers -----------------------------------------------------------------------------

    def _mentions_in(self, start: int, end: int) -> list[Candidate]:
        """The mentions inside ``start:end``, found by bisection (a long text has thousands)."""
        return [m for m in self._mentions_starting_in(start, end) if m.end <= end]

    def _mentions_starting_in(self, start: int, end: int) -> list[Candidate]:
        """The mentions that start inside ``start:end``, in order, without scanning the others."""
        first = bisect_left(self._mention_starts, start)
        return self.mentions[first : bisect_left(self._mention_starts, end, first)]

    def _add(
        self,
        head: ResolvedEntity,
        relation: str,
        tail: ResolvedEntity,
        evidence: tuple[int, int],
        *,
        cue: str | None = None,
        title: str | None = None,
        role: str | None = None,
        day: date | None = None,
    ) -> None:
        if head is tail:
            return
        if relation == "PARTNERS_WITH" and head.name > tail.name:
            head, tail = tail, head
        key = (head.name, relation, tail.name)
        sentence = self.text[evidence[0] : evidence[1]]
        stated_day = day or resolve_day(sentence, self.article_date)
        if key in self.found and (key in self.dated or stated_day is None):
            return  # the first statement stays, unless a later one gives the day (9月22日) it lacked
        if stated_day is not None:
            self.dated.add(key)
        self.found[key] = Relation(
            head=head.name,
            head_type=head.label,  # type: ignore[arg-type]
            type=relation,  # type: ignore[arg-type]
            tail=tail.name,
            tail_type=tail.label,  # type: ignore[arg-type]
            cue=cue,
            evidence=sentence.strip(),
            evidence_start=evidence[0],
            evidence_end=evidence[1],
            date=stated_day or self.article_date,
            title=title or None,
            role=role,
        )

    def _entity(self, mention: Candidate) -> ResolvedEntity:
        return self.entity_at[(mention.start, mention.end)]

    def _cues(self, start: int, end: int, relation: str) -> Iterator[tuple[int, int, Cue]]:
        """Cue occurrences in ``start:end`` (longest first, not overlapping, not inside a mention)."""
        taken: list[tuple[int, int]] = []
        for cue in self.view.lexicons.relation_cues:
            if cue.relation != relation:
                continue
            position = self.text.find(cue.word, start, end)
            while position >= 0:
                cue_end = position + len(cue.word)
                # 联合 in 联合创始人 is part of a title
                inside = self._mention_spans.covers(position, cue_end) or self._title_spans.covers(position, cue_end)
                overlapping = any(a < cue_end and position < b for a, b in taken)
                organizer_role = self.text.startswith(("承办", "主办", "协办"), cue_end)  # 联合承办: co-hosts
                if not inside and not overlapping and not organizer_role and not self.text.startswith("伙伴", cue_end):
                    taken.append((position, cue_end))
                    yield position, cue_end, cue
                position = self.text.find(cue.word, cue_end, end)

    def _clause_start(self, position: int, floor: int) -> int:
        return max([floor] + [self.text.rfind(b, floor, position) + 1 for b in CLAUSE_BREAKS])

    def _clause_end(self, position: int, ceiling: int) -> int:
        ends = [self.text.find(b, position, ceiling) for b in CLAUSE_BREAKS]
        return min([ceiling] + [e for e in ends if e >= 0])

    # --- WORKS_FOR ---------------------------------------------------------------------------

    def affiliations(self, person: Candidate, floor: int) -> list[tuple[Candidate, str]]:
        """``(org mention, title)`` of the ``<ORG><title>、<ORG><title>`` chain before a person."""
        text, titles, by_end = self.text, self.view.titles, self._mention_by_end
        chain: list[tuple[Candidate, str]] = []
        position = title_end = person.start
        while position > floor and person.start - position <= 40:
            while position > floor and text[position - 1] == " ":
                position -= 1
            mention = by_end.get(position)
            if mention is not None and mention.label == "ORG":
                # not the end of a definition: 中国电信集团有限公司（以下简称“中国电信”）副总经理
                title = text[mention.end : title_end].lstrip("”’」』）)").strip("、 ")
                if title and title_end not in titles and not any(t <= title_end and title_end - t < 2 for t in titles):
                    break
                chain.append((mention, title or (chain[-1][1] if chain else "")))
                position = title_end = mention.start
                if position > floor and text[position - 1] == "、":
                    position -= 1
                    title_end = position
                continue
            if mention is not None or text[position - 1] in CLAUSE_BREAKS:
                break
            position -= 1
        return [(m, t) for m, t in chain if t]

    def _works_for(self, start: int, end: int, mentions: list[Candidate]) -> None:
        for person in (m for m in mentions if m.label == "PERSON"):
            for org, title in self.affiliations(person, start):
                self._add(self._entity(person), "WORKS_FOR", self._entity(org), (start, end), title=title, cue=title)
        for org, people in self._people_named_after(mentions):
            for person, title in people:
                self._add(self._entity(person), "WORKS_FOR", self._entity(org), (start, end), title=title, cue=title)
        sentence = self.text[start:end]
        for match in re.finditer(r"(?:任命|聘任|聘请|推选|选举)", sentence):
            after = [m for m in mentions if m.start >= start + match.end()]
            people = [m for m in after if m.label == "PERSON"]
            for person in people[:1]:
                rest = [m for m in after if m.start > person.end and m.label == "ORG"]
                if rest and self.text[person.end : rest[0].start].endswith("为"):
                    title_end = self._title_after(rest[0].end)
                    if title_end:
                        title = self.text[rest[0].end : title_end]
                        self._add(self._entity(person), "WORKS_FOR", self._entity(rest[0]), (start, end), title=title, cue=match.group())

    def _people_named_after(
        self, mentions: list[Candidate]
    ) -> Iterator[tuple[Candidate, list[tuple[Candidate, str]]]]:
        """``<ORG><PERSON>(、<PERSON>)*<title>``: the people right after an organization, each with
        the title after them or, when none, the next one of the list (四川省肿瘤医院韩泳涛、彭林教授)."""
        text = self.text
        for index, org in enumerate(mentions):
            if org.label != "ORG":
                continue
            people: list[tuple[Candidate, str]] = []
            position = org.end
            for mention in mentions[index + 1 :]:
                if mention.label != "PERSON" or text[position : mention.start].strip() not in PERSON_JOINERS:
                    break
                if not people and mention.start != org.end:
                    break  # the first person follows the organization directly
                title_end = self._title_starting.get(mention.end, mention.end)
                people.append((mention, text[mention.end : title_end]))
                position = title_end
            titles = [title for _, title in people]
            for at in range(len(titles) - 2, -1, -1):
                titles[at] = titles[at] or titles[at + 1]
            named = [(person, title) for (person, _), title in zip(people, titles) if title]
            if named:
                yield org, named

    @cached_property
    def _title_starting(self) -> dict[int, int]:
        """Titles as start → end."""
        return {start: end for end, start in self.view.titles.items()}

    def _title_after(self, position: int) -> int:
        for end, start in self.view.titles.items():
            if start == position:
                return end
        return 0

    # --- PARTNERS_WITH -----------------------------------------------------------------------

    def _party(self, mention: Candidate, floor: int) -> Candidate | None:
        """Who acts: an organization, or a person who is an academic or expert (officials sign for their organization)."""
        if mention.label == "ORG":
            return mention
        if mention.label != "PERSON":
            return None
        chain = self.affiliations(mention, floor)
        honoured = any(self.text.startswith(h, mention.end) for h in HONORIFICS) or any(
            t.endswith(HONORIFICS) for _, t in chain
        )
        if honoured:
            return mention
        return chain[-1][0] if chain else None

    def _parties(self, start: int, end: int) -> list[Candidate]:
        mentions = self._mentions_in(start, end)
        affiliated = {id(org) for m in mentions if m.label == "PERSON" for org, _ in self.affiliations(m, start)}
        parties = []
        entities = set()  # ids of the parties' entities: one party per entity
        for mention in mentions:
            if mention.label == "ORG" and id(mention) in affiliated:
                continue  # an affiliation of a person in the clause, not a party itself
            party = self._party(mention, start)
            if party is not None and id(self._entity(party)) not in entities:
                entities.add(id(self._entity(party)))
                parties.append(party)
        return parties

    def _partners(self, start: int, end: int, mentions: list[Candidate]) -> None:
        for cue_start, cue_end, cue in self._cues(start, end, "PARTNERS_WITH"):
            clause_start = self._clause_start(cue_start, start)
            before = self._parties(clause_start, cue_start)
            if cue.reading == "agreement" and not COOPERATION_OBJECT.search(self.text, cue_end, self._clause_end(cue_end, end)):
                continue
            if cue.reading != "transitive" and COMMERCE.search(self.text, clause_start, self._clause_end(cue_end, end)):
                continue  # 签约 a supply contract, an order, a share transfer: trade, not cooperation
            if DENIAL.search(self.text, clause_start, self._clause_end(cue_end, end)):
                continue
            if self._only_objects(before):  # 佛山照明认为，与普瑞光电的合作…: the subject leads the sentence
                before = self._subject_before(clause_start, start) + before
            if cue.reading == "transitive":
                if MERGER.match(self.text, cue_end):
                    continue
                after = self._parties(cue_end, self._clause_end(cue_end, end))
                after = [m for m in after if m.label == "ORG"]
                gap = self.text[cue_end : after[0].start].strip() if after else ""
                if gap not in {"", "了"} and not gap.endswith("的"):
                    after = []  # 联手打造X, 联合中标X: an adverb; X is the deal, not a partner (携手…的B is B)
                subject = [m for m in before if m.label == "ORG"] or self._subject_before(clause_start, start)
                parties = subject + after  # 谷歌、Facebook将与X联手; A携手B、C
            else:
                parties = before
            for a, b in self._pairs(parties, clause_start, cue_start):
                self._add(self._entity(a), "PARTNERS_WITH", self._entity(b), (start, end), cue=cue.word)

    def _co_investors(self, start: int, end: int, mentions: list[Candidate]) -> None:
        """Investors of one round partner (Settled cases: financing rounds): 本轮投资方包括A、B、C;
        A领投，B、C跟投; A、B联合投资. The company invested in gets no relation."""
        orgs = [m for m in mentions if m.label == "ORG"]
        for match in INVESTOR_LIST.finditer(self.text, start, end):
            clause_end = min(self._clause_end(match.end(), end), _find(self.text, "等", match.end(), end))
            listed = [m for m in orgs if match.end() <= m.start and m.end <= clause_end]
            self._partner_all(listed, (start, end), match.group())
        roles = list(ROUND_ROLES.finditer(self.text, start, end))
        investors = [
            org
            for match in roles
            for item_start, item_end in list_items(self.view, match.start())
            for org in orgs
            if item_start <= org.start and org.end <= item_end
        ]
        if roles:
            self._partner_all(investors, (start, end), roles[0].group())

    def _partner_all(self, parties: list[Candidate], evidence: tuple[int, int], cue: str) -> None:
        entities = list({id(e): e for e in map(self._entity, parties)}.values())
        for a, b in combinations(entities, 2):
            self._add(a, "PARTNERS_WITH", b, evidence, cue=cue)

    def _only_objects(self, parties: list[Candidate]) -> bool:
        """The clause's parties follow 与/和/同/跟 (将与B、C合作): the subject is outside the clause."""
        return bool(parties) and parties[0].start > 0 and self.text[parties[0].start - 1] in PARTNER_PREPOSITIONS

    def _pairs(self, parties: list[Candidate], clause_start: int, cue_start: int) -> list[tuple[Candidate, Candidate]]:
        """Every pair acts together, unless 分别/先后 says each acted with the other side on its own.

        A、B先后与C签约 and C与A、B分别签约 make A–C and B–C partners, not A–B.
        """
        if not SEPARATELY.search(self.text, clause_start, cue_start):
            return list(combinations(parties, 2))
        # the first 与/同/跟 with parties on both sides (和 only failing those: it also joins a list)
        joints = sorted(
            (i for i in range(clause_start, cue_start) if self.text[i] in PARTNER_PREPOSITIONS),
            key=lambda i: (self.text[i] == "和", i),
        )
        sides = [([p for p in parties if p.end <= j], [p for p in parties if p.start > j]) for j in joints]
        left, right = next(((a, b) for a, b in sides if a and b), (parties, []))
        return [(a, b) for a in left for b in right]

    def _subject_before(self, clause_start: int, floor: int) -> list[Candidate]:
        """The organization that leads the sentence (由中国电子牵头，联合…)."""
        within = self._mentions_starting_in(floor, clause_start)
        earlier = [m for m in within if m.end <= clause_start and m.label == "ORG"]
        return earlier[-1:]

    # --- ORGANIZES ---------------------------------------------------------------------------

    def _organizes(self, start: int, end: int, mentions: list[Candidate]) -> None:
        for match in ORGANIZER_VERBS.finditer(self.text, start, end):
            event = self._event_for(match.start(), match.end(), start, end, mentions)
            if event is None:
                continue
            hosts = [
                org
                for item_start, item_end in list_items(self.view, match.start())
                for org in mentions
                if org.label == "ORG" and item_start <= org.start and org.end <= item_end
            ]
            for org in hosts:
                self._add(
                    self._entity(org), "ORGANIZES", event, (start, end),
                    role=match.group(), cue=match.group(), day=self.event_dates.get(id(event)),
                )
            if match.group() in JOINT_HOSTING:
                for a, b in combinations(hosts, 2):
                    self._add(self._entity(a), "PARTNERS_WITH", self._entity(b), (start, end), cue=match.group())
        self._organizers_listed(start, end, mentions)
        self._hosts(start, end, mentions)

    def _organizers_listed(self, start: int, end: int, mentions: list[Candidate]) -> None:
        """主办单位：A、B (a programme's lines): each organizes the event the line is about."""
        for match in ROLE_LINE.finditer(self.text, start, end):
            event = self._referred_event(start, end)
            if event is None:
                continue
            for org in (m for m in mentions if m.label == "ORG" and m.start >= match.end()):
                self._add(
                    self._entity(org), "ORGANIZES", event, (start, end),
                    role=match.group(1), cue=match.group(), day=self.event_dates.get(id(event)),
                )

    def _hosts(self, start: int, end: int, mentions: list[Candidate]) -> None:
        """<ORG>(在…)举办/举行/召开<EVENT>: the clause's acting organization hosts the event."""
        for match in HOSTING_VERBS.finditer(self.text, start, end):
            clause_start = self._clause_start(match.start(), start)
            clause_end = self._clause_end(match.end(), end)
            before = [m for m in mentions if clause_start <= m.start and m.end <= match.start()]
            events = [m for m in mentions if m.label == "EVENT" and match.end() <= m.start < clause_end]
            if not events or any(m.label == "EVENT" for m in before):
                continue  # the event is the subject (…大会在北京召开): no host named
            hosts = self._acting_orgs(clause_start, match.start())
            if hosts:
                event = self._entity(events[0])
                self._add(
                    self._entity(hosts[0]), "ORGANIZES", event, (start, end),
                    role=match.group(), cue=match.group(), day=self.event_dates.get(id(event)),
                )

    def _event_for(
        self, cue_start: int, cue_end: int, start: int, end: int, mentions: list[Candidate]
    ) -> ResolvedEntity | None:
        after = [m for m in mentions if m.label == "EVENT" and m.start >= cue_end]
        if after:  # 由A指导，B主办，C承办的<EVENT>
            return self._entity(after[0])
        before = [m for m in mentions if m.label == "EVENT" and m.end <= cue_start]
        if before:
            return self._entity(before[-1])
        if any(r in self.text[start:cue_start] for r in self.view.lexicons.event_references):
            return self._referred_event(start, end)
        return None

    # --- PARTICIPATES_IN ---------------------------------------------------------------------

    def _participates(self, start: int, end: int, mentions: list[Candidate]) -> None:
        cues = list(self._cues(start, end, "PARTICIPATES_IN"))
        if not cues:
            return
        sentence = self.text[start:end]
        events = {id(self._entity(m)): self._entity(m) for m in mentions if m.label == "EVENT"}
        for entity, stem in self._stems:
            if any(LAUNCHED.match(sentence, end) for end in positions_after(sentence, stem)):
                events[id(entity)] = entity
        people_events = dict(events)
        referred = self._referred_event(start, end)
        if referred is not None:
            people_events[id(referred)] = referred
        for person in (m for m in mentions if m.label == "PERSON"):
            for event in people_events.values():
                self._add(self._entity(person), "PARTICIPATES_IN", event, (start, end),
                          cue=cues[0][2].word, day=self.event_dates.get(id(event)))
        main = [referred] if referred and any(r in sentence for r in self.view.lexicons.event_references) else []
        for cue_start, cue_end, cue in cues:
            if cue.reading != "act":
                continue
            clause_start = self._clause_start(cue_start, start)
            clause_end = self._clause_end(cue_end, end)
            named = [self._entity(m) for m in mentions if m.label == "EVENT" and clause_start <= m.start < clause_end]
            for party in self._acting_orgs(clause_start, cue_start):
                for event in [*named, *main]:
                        self._add(self._entity(party), "PARTICIPATES_IN", event, (start, end),
                                  cue=cue.word, day=self.event_dates.get(id(event)))

    def _acting_orgs(self, start: int, end: int) -> list[Candidate]:
        """Organizations named as actors of a clause: not a person's affiliation, not inside quotes."""
        inside = self._mentions_in(start, end)
        people = [m for m in inside if m.label == "PERSON"]
        affiliated = {id(org) for person in people for org, _ in self.affiliations(person, start)}
        quoted = [(q.start(), q.end()) for q in re.finditer(r"“[^”]*”", self.text[start:end])]
        return [
            m
            for m in inside
            if m.label == "ORG" and id(m) not in affiliated
            and not any(a <= m.start - start and m.end - start <= b for a, b in quoted)
        ]

    @cached_property
    def _stems(self) -> list[tuple[ResolvedEntity, str]]:
        """The events that have a ceremony's subject, with it (worked out once, not per sentence)."""
        heads = sorted(self.view.lexicons.ceremony_heads | CEREMONY_HEADS, key=len, reverse=True)
        stems = [(e, self._stem(e, heads)) for e in self.entities if e.label == "EVENT"]
        return [(event, stem) for event, stem in stems if stem]

    @staticmethod
    def _stem(event: ResolvedEntity, heads: list[str]) -> str:
        """A ceremony's subject (成都市卫健委…资源场景 of …资源场景发布仪式): naming it refers to the ceremony."""
        name = normalized(event.name)
        for head in heads:
            if name.endswith(head) and len(name) - len(head) >= 4:
                return name[: -len(head)]
        return ""

    def _referred_event(self, start: int, end: int) -> ResolvedEntity | None:
        """The event a sentence speaks of without naming it: for 本次大会, 此次论坛, 大会上, the last
        event named before the sentence ends whose name ends with that head word (a 动员大会 after
        the 奥运会 it prepares); otherwise the article's main event."""
        if (start, end) not in self._referred:
            self._referred[(start, end)] = self._find_referred_event(start, end)
        return self._referred[(start, end)]

    def _find_referred_event(self, start: int, end: int) -> ResolvedEntity | None:
        sentence = self.text[start:end]
        heads = [h for h in self.view.lexicons.event_heads if h in sentence and len(h) >= 2]
        named = [
            (max(s for s, _ in event.spans if s < end), event)
            for event in self._events
            if any(s < end for s, _ in event.spans) and normalized(event.name).endswith(tuple(heads))
        ] if heads else []
        return max(named, key=lambda item: item[0])[1] if named else self.main_event

    @cached_property
    def _events(self) -> list[ResolvedEntity]:
        return [e for e in self.entities if e.label == "EVENT"]

    def _main_event(self) -> ResolvedEntity | None:
        events = [e for e in self.entities if e.label == "EVENT"]
        ceremonies = self.view.lexicons.ceremony_heads
        named = [e for e in events if not any(normalized(e.name).endswith(c) for c in ceremonies)]
        candidates = named or events
        return min(candidates, key=lambda e: min(e.spans)) if candidates else None

    def _first_day(self, event: ResolvedEntity) -> date | None:
        start = min(event.spans)[0]
        index = bisect_right(self._sentence_starts, start) - 1
        if index >= 0 and start < self._sentences[index][1]:
            sentence_start, sentence_end = self._sentences[index]
            return resolve_day(self.text[sentence_start:sentence_end], self.article_date)
        return None

    # --- HELD_IN and LOCATED_IN --------------------------------------------------------------

    def _held_in(self, start: int, end: int, mentions: list[Candidate]) -> None:
        by_start = {m.start: m for m in mentions}
        anchors: list[tuple[int, ResolvedEntity]] = [(m.end, self._entity(m)) for m in mentions if m.label == "EVENT"]
        referred = self._referred_event(start, end)
        if referred is not None:
            for reference in self.view.lexicons.event_references:
                position = self.text.find(reference, start, end)
                if position >= 0:
                    anchors.append((position + len(reference), referred))
        for position, event in anchors:
            while position < end and self.text[position] in " ”」』\"":
                position += 1
            if self.text.startswith("活动", position):  # “青春健康行”活动在…举行
                position += 2
            if self.text[position : position + 1] not in {"在", "于"}:
                continue
            position += 1
            places = []
            while position in by_start and by_start[position].label == "LOC":
                places.append(by_start[position])
                position = by_start[position].end
                if self.text[position : position + 1] == "、":
                    position += 1
            if not places and position in by_start and by_start[position].label == "ORG":
                # premises: …活动在衢州市妇幼保健院举行 (Settled cases: venues)
                places.append(by_start[position])
                position = by_start[position].end
            rest = self.text[position : position + 4].lstrip("的")
            if places and rest.startswith(HELD_VERBS):
                for place in places:
                    self._add(event, "HELD_IN", self._entity(place), (start, end),
                              cue=rest[:2], day=self.event_dates.get(id(event)))

    def _located_by_context(self, start: int, end: int, mentions: list[Candidate]) -> None:
        """<ORG>作为<LOC>…: 腾讯作为中国最大的互联网综合服务提供商之一."""
        by_start = {m.start: m for m in mentions}
        for org in (m for m in mentions if m.label == "ORG"):
            if self.text.startswith("作为", org.end):
                place = by_start.get(org.end + 2)
                if place is not None and place.label == "LOC":
                    self._add(self._entity(org), "LOCATED_IN", self._entity(place), (start, end), cue="作为")
        for cue_start, cue_end, _ in self._cues(start, end, "PART_OF"):
            owners = [m for m in mentions if m.label == "ORG" and m.end <= cue_start and m.end >= cue_start - 1]
            owned = [m for m in mentions if m.label == "ORG" and cue_end <= m.start <= cue_end + 2]
            for owner in owners:
                for unit in owned:
                    self._add(self._entity(unit), "PART_OF", self._entity(owner), (start, end), cue=self.text[cue_start:cue_end])

    # --- relations stated by names -----------------------------------------------------------

    def _from_names(self) -> None:
        self._organizer_by_name()
        orgs = [e for e in self.entities if e.label == "ORG"]
        places = _PlaceForms(self, [e for e in self.entities if e.label == "LOC" and self._local(e)])
        surfaces = _Surfaces({normalized(s): e for e in orgs for s in e.surfaces})
        people: dict[str, list[ResolvedEntity]] = {}
        for person in (e for e in self.entities if e.label == "PERSON"):
            people.setdefault(normalized(person.name), []).append(person)
        for org in orgs:
            evidence = min(org.spans)
            sentence = self._sentence_of(evidence[0])
            name = normalized(org.name)
            place = places.leading(name)
            if place is not None:
                self._add(org, "LOCATED_IN", place, sentence, cue="name")
            self._parent_by_name(org, name, surfaces, places, sentence)
            team = re.match(r"^(.{2,4}?)(院士|教授|博士|专家)?团队$", name)
            if team:
                for person in people.get(team.group(1), ()):
                    self._add(person, "WORKS_FOR", org, sentence, cue="团队")

    def _organizer_by_name(self) -> None:
        """An organization's own forum or congress (中国智慧医院联盟年度论坛) is organized by it.

        The organizations' names are looked up in each event's name (its substrings up to the
        longest name), not each name searched in each event: that was quadratic in the
        entities of an article.
        """
        orgs = [e for e in self.entities if e.label == "ORG"]
        owners: dict[str, list[int]] = {}  # surface -> indices of the organizations written so
        for index, org in enumerate(orgs):
            for surface in {normalized(s) for s in org.surfaces}:
                if surface:
                    owners.setdefault(surface, []).append(index)
        longest = max(map(len, owners), default=0)
        for event in (e for e in self.entities if e.label == "EVENT"):
            name = normalized(event.name)
            found: set[int] = set()
            for start in range(len(name)):
                for end in range(start + 1, min(len(name), start + longest) + 1):
                    written = owners.get(name[start:end])
                    if written and OWN_MEETING.match(name, end):
                        found.update(written)
            for index in sorted(found):  # in the organizations' order, as they were looked for
                self._add(orgs[index], "ORGANIZES", event, self._sentence_of(min(event.spans)[0]),
                          role="举办", cue="name", day=self.event_dates.get(id(event)))

    def _local(self, place: ResolvedEntity) -> bool:
        found = self.view.gazetteer.lookup(place.name)
        return found is None or found.level not in {"country", "region"}

    def _place_forms(self, place: ResolvedEntity) -> set[str]:
        forms = {normalized(s) for s in place.surfaces}
        found = self.view.gazetteer.lookup(place.name)
        if found is not None:
            forms |= {found.name, found.qualified_name} | ({found.short} if found.short else set())
        return forms

    def _parent_by_name(
        self, org: ResolvedEntity, name: str, surfaces: _Surfaces, places: _PlaceForms, sentence: tuple[int, int]
    ) -> None:
        if name.endswith(MEMBERSHIP_HEADS):
            return
        org_heads = self.view.lexicons.org_heads
        for surface, parent in surfaces.prefixes_of(name):
            if parent is org or len(surface) < 2:
                continue
            rest = name[len(surface) :]
            place_length = self.view.place_prefix(rest)
            if place_length and rest[place_length:].endswith(BRANCH_HEADS):  # 中国电信 + 宁夏 + 公司
                self._add(org, "PART_OF", parent, sentence, cue="name")
                for place in places.written(rest[:place_length]):
                    self._add(org, "LOCATED_IN", place, sentence, cue="name")
            elif rest.endswith(UNIT_HEADS) or not any(rest.endswith(h) for h in org_heads):
                if not self.view.place_prefix(name) or self.view.place_prefix(name) < len(surface):
                    self._add(org, "PART_OF", parent, sentence, cue="name")
        for offset in range(1, len(name) - 2):  # 中电 + 四川 + 数据服务有限公司 → 中电数据服务有限公司
            length = self.view.place_prefix(name[offset:])
            if length:
                parent = surfaces.get(name[:offset] + name[offset + length :])
                if parent is not None and parent is not org:
                    self._add(org, "PART_OF", parent, sentence, cue="name")
                    for place in places.written(name[offset : offset + length]):
                        self._add(org, "LOCATED_IN", place, sentence, cue="name")

    def _sentence_of(self, position: int) -> tuple[int, int]:
        """The sentence around ``position``; in a run of text without a sentence end, its piece.

        Pieces are those :meth:`find` reads (:data:`MAX_SENTENCE`): a text that lost its
        punctuation would otherwise make the whole text the evidence of every relation.
        """
        start, end = self.view.sentence_bounds(position)
        if end - start <= MAX_SENTENCE:
            return start, end
        index = bisect_right(self._sentence_starts, position) - 1
        if index >= 0 and position < self._sentences[index][1]:
            return self._sentences[index]
        return position, min(end, position + MAX_SENTENCE)


class _Surfaces:
    """The organizations of an article by the names they are written with, in the order found.

    :meth:`prefixes_of` finds the names a longer name starts with by looking up its
    prefixes, not by trying every name of the article (quadratic in long texts).
    """

    def __init__(self, surfaces: dict[str, ResolvedEntity]) -> None:
        self._surfaces = surfaces
        self._rank = {surface: rank for rank, surface in enumerate(surfaces)}
        self._longest = max(map(len, surfaces), default=0)

    def get(self, surface: str) -> ResolvedEntity | None:
        return self._surfaces.get(surface)

    def prefixes_of(self, name: str) -> list[tuple[str, ResolvedEntity]]:
        """``(surface, organization)`` for every surface ``name`` starts with, in the order found."""
        found = [name[:length] for length in range(1, min(len(name), self._longest) + 1)]
        known = sorted((s for s in found if s in self._surfaces), key=self._rank.__getitem__)
        return [(surface, self._surfaces[surface]) for surface in known]


class _PlaceForms:
    """The places of an article by every form they are written in (surfaces, gazetteer names)."""

    def __init__(self, finder: RelationFinder, places: list[ResolvedEntity]) -> None:
        self._places: dict[str, list[ResolvedEntity]] = {}  # form -> places, in article order
        for place in places:
            for form in finder._place_forms(place):
                self._places.setdefault(form, []).append(place)
        self._longest = max(map(len, self._places), default=0)

    def written(self, form: str) -> list[ResolvedEntity]:
        """The places written ``form``, in the article's order."""
        return self._places.get(form, [])

    def leading(self, name: str) -> ResolvedEntity | None:
        """The place of the longest form (two characters or more) that ``name`` starts with and goes past."""
        for length in range(min(len(name) - 1, self._longest), 1, -1):
            places = self._places.get(name[:length])
            if places:
                return places[0]
        return None
