"""Unit tests of the citizen item search (事项搜索): relevance, filters, updates, paging."""

from __future__ import annotations

import threading

import pytest

from ywtb.catalog.search import SearchDoc, SearchIndex

CITY = "510100"  # 成都市
COUNTY = "510104"  # 锦江区
PROVINCE = "510000"
NP, LP = "natural_person", "legal_person"

# dept short name -> (credit code, full name)
DEPTS = {
    "公安": ("11510104MB0000001A", "锦江区公安分局"),
    "市场监管": ("11510104MB0000002B", "锦江区市场监督管理局"),
    "民政": ("11510104MB0000003C", "锦江区民政局"),
    "人社": ("11510104MB0000004D", "锦江区人力资源和社会保障局"),
    "卫健": ("11510104MB0000005E", "锦江区卫生健康局"),
    "住建": ("11510104MB0000006F", "锦江区住房和城乡建设局"),
    "自然资源": ("11510100MB0000007G", "成都市规划和自然资源局"),
    "交通运输": ("11510100MB0000008H", "成都市交通运输局"),
    "教育": ("11510104MB0000009J", "锦江区教育局"),
    "税务": ("11510104MB0000010K", "国家税务总局成都市锦江区税务局"),
}

# (name, dept, item type, service objects, themes, online depth, keywords, tenant)
ROWS = [
    ("个体工商户设立登记", "市场监管", "01", (NP,), ("开办企业",), 4, "营业执照 个体户 开店", COUNTY),
    ("个体工商户变更登记", "市场监管", "01", (NP,), ("开办企业",), 4, "个体户 经营范围变更", COUNTY),
    ("个体工商户注销登记", "市场监管", "01", (NP,), ("企业注销",), 4, "个体户 歇业 关店", COUNTY),
    ("有限责任公司设立登记", "市场监管", "01", (LP,), ("开办企业",), 5, "营业执照 公司注册 开公司", COUNTY),
    ("有限责任公司变更登记", "市场监管", "01", (LP,), ("企业变更",), 5, "法定代表人变更 注册资本", COUNTY),
    (
        "食品经营许可",
        "市场监管",
        "01",
        (NP, LP),
        ("开办企业", "餐饮"),
        4,
        "食品经营许可证 餐馆 小吃店",
        COUNTY,
    ),
    ("结婚登记", "民政", "07", (NP,), ("婚姻登记",), 2, "结婚证 领证", COUNTY),
    ("离婚登记", "民政", "07", (NP,), ("婚姻登记",), 2, "离婚证", COUNTY),
    ("补领结婚证", "民政", "07", (NP,), ("婚姻登记",), 2, "结婚证遗失", COUNTY),
    ("出生医学证明", "卫健", "20", (NP,), ("生育收养",), 3, "新生儿 出生证", COUNTY),
    ("医师执业注册", "卫健", "01", (NP,), ("职业资格",), 5, "医师执业证书", CITY),
    ("医疗机构执业登记", "卫健", "01", (LP,), ("医疗卫生",), 4, "诊所 医疗机构执业许可证", CITY),
    ("居民身份证换领", "公安", "20", (NP,), ("户籍办理",), 3, "身份证到期 换证", COUNTY),
    ("居民身份证挂失申报", "公安", "20", (NP,), ("户籍办理",), 3, "身份证丢失", COUNTY),
    ("户口迁移", "公安", "07", (NP,), ("户籍办理",), 3, "迁户口 落户", COUNTY),
    ("机动车驾驶证换证", "公安", "20", (NP,), ("交通出行",), 6, "驾照到期 换驾照", CITY),
    ("机动车注册登记", "公安", "07", (NP, LP), ("交通出行",), 4, "新车上牌", CITY),
    ("社会保障卡申领", "人社", "20", (NP,), ("社会保障",), 6, "社保卡 办社保卡", COUNTY),
    ("失业保险金申领", "人社", "05", (NP,), ("社会保障", "就业创业"), 7, "失业金 领失业金", COUNTY),
    ("单位参保登记", "人社", "20", (LP,), ("社会保障",), 6, "企业社保开户", COUNTY),
    ("职工退休申请", "人社", "20", (NP,), ("社会保障",), 4, "养老金 退休", COUNTY),
    ("不动产登记", "自然资源", "07", (NP, LP), ("房产",), 4, "房产证 不动产权证书 过户", CITY),
    ("建设用地规划许可", "自然资源", "01", (LP,), ("工程建设",), 4, "用地规划", CITY),
    ("建筑工程施工许可", "住建", "01", (LP,), ("工程建设",), 5, "施工许可证 开工", COUNTY),
    ("商品房预售许可", "住建", "01", (LP,), ("房产",), 4, "预售证", COUNTY),
    ("住房公积金提取", "住建", "20", (NP,), ("住房保障",), 7, "公积金 提取公积金", CITY),
    ("道路运输经营许可", "交通运输", "01", (LP,), ("交通出行",), 4, "道路运输经营许可证 货运", CITY),
    ("出租汽车驾驶员从业资格", "交通运输", "01", (NP,), ("职业资格",), 4, "网约车 从业资格证", CITY),
    ("教师资格认定", "教育", "07", (NP,), ("职业资格", "教育"), 5, "教师资格证", COUNTY),
    ("民办学校办学许可", "教育", "01", (LP,), ("教育",), 3, "办学许可证 培训机构", COUNTY),
    ("义务教育入学", "教育", "20", (NP,), ("教育",), 6, "小学入学 初中入学 学位", COUNTY),
    ("纳税人登记", "税务", "20", (NP, LP), ("税收",), 6, "税务登记 办税", COUNTY),
    ("增值税发票领用", "税务", "20", (LP,), ("税收",), 7, "领发票 发票", COUNTY),
    ("个人所得税汇算清缴", "税务", "20", (NP,), ("税收",), 7, "个税 退税", PROVINCE),
]


def make_doc(i: int, row: tuple, *, version: int = 1, **changes: object) -> SearchDoc:
    name, dept, item_type, objects, themes, depth, keywords, tenant = row
    code, dept_name = DEPTS[dept]
    doc = SearchDoc(
        item_id=f"item-{i:03d}",
        version=version,
        tenant=tenant,
        dept=code,
        dept_name=dept_name,
        name=name,
        basic_code=f"{int(item_type):02d}{i:010d}",
        item_type=item_type,
        service_objects=objects,
        themes=themes,
        online_depth=depth,
        keywords=keywords,
    )
    return SearchDoc(**{**doc.__dict__, **changes}) if changes else doc


DOCS = [make_doc(i, row) for i, row in enumerate(ROWS)]
TARGET = "个体工商户设立登记"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(DOCS)


def names(result) -> list[str]:
    return [h.doc.name for h in result.hits]


def test_catalogue_is_realistic():
    assert len(DOCS) >= 30
    assert len({d.dept_name for d in DOCS}) >= 10


@pytest.mark.parametrize("query", ["个体工商户设立登记", "个体工商户设立", "工商户设立"])
def test_name_matches_rank_first(index, query):
    assert names(index.search(query))[0] == TARGET


@pytest.mark.parametrize(
    ("query", "within"),
    [
        ("营业执照", 3),  # only in the keywords (the result's name)
        ("yyzz", 3),  # initials of a keyword
        ("gtgsh", 3),  # prefix of the name's initials
        ("gtgshsldj", 1),  # all initials
        ("getigongshanghu", 3),  # full pinyin prefix
        ("getigongshanghushelidengji", 1),
        ("GeTi GongShangHu", 3),  # capitals and blanks
        ("个体工商户设立登计", 1),  # one wrong character (a homophone)
        ("个体工商户设立登几", 1),  # one wrong character (another homophone)
        ("个体工商户设立等记", 3),  # one wrong character
        ("个休工商户", 3),  # one wrong character, not a homophone
        ("个体工商户设登记", 3),  # one missing character
        ("个体工商户设立登记记", 3),  # one extra character
        ("gtgsb", 3),  # one wrong letter in the initials
        ("getigongshanghushelidenji", 3),  # one missing letter in the full pinyin
        ("getigongshamghu", 3),  # one wrong letter in the full pinyin
        ("个体户 开店", 1),  # two keywords
    ],
)
def test_target_found_near_top(index, query, within):
    top = names(index.search(query, limit=within))
    assert TARGET in top, f"{query!r} gave {names(index.search(query, limit=5))}"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("结婚登记", "结婚登记"),
        ("结昏登记", "结婚登记"),
        ("jiehun", "结婚登记"),
        ("社保卡", "社会保障卡申领"),
        ("shebaoka", "社会保障卡申领"),
        ("shbzksl", "社会保障卡申领"),
        ("驾照", "机动车驾驶证换证"),
        ("身份证", "居民身份证换领"),
        ("不动产", "不动产登记"),
        ("budongchan", "不动产登记"),
        ("公积金", "住房公积金提取"),
        ("教师资格", "教师资格认定"),
        ("失业金", "失业保险金申领"),
        ("户口迁移", "户口迁移"),
        ("hukou", "户口迁移"),
        ("施工许可", "建筑工程施工许可"),
        ("结姻登记", "结婚登记"),  # short term, wrong character that is no homophone
        ("户口迁徙", "户口迁移"),
        ("jhaj", "结婚登记"),  # wrong letter inside short initials (no trigram survives)
        ("hkry", "户口迁移"),
        ("jhdj", "结婚登记"),
        ("danweicanbao", "单位参保登记"),
        ("danweicenbao", "单位参保登记"),  # another reading of the polyphone 参
        ("ＳＨＥＢＡＯＫＡ", "社会保障卡申领"),  # full-width capitals
    ],
)
def test_other_items_found_first(index, query, expected):
    assert names(index.search(query))[0] == expected, names(index.search(query, limit=5))


def test_ranking_tiers(index):
    # exact name before name prefix before substring before keyword
    hits = names(index.search("结婚登记"))
    assert hits[0] == "结婚登记"
    ranked = names(index.search("结婚证"))
    assert ranked[0] == "补领结婚证"  # name substring beats keyword matches
    assert "结婚登记" in ranked  # keyword match found too
    scores = [h.score for h in index.search("登记").hits]
    assert scores == sorted(scores, reverse=True)
    # ties broken by the shorter name
    tie = [h for h in index.search("登记").hits if h.score == index.search("登记").hits[0].score]
    assert [len(h.doc.name) for h in tie] == sorted(len(h.doc.name) for h in tie)


def test_department_name_matches_its_items(index):
    result = index.search("民政局", limit=50)
    assert set(names(result)) == {"结婚登记", "离婚登记", "补领结婚证"}


def test_nonsense_finds_nothing(index):
    assert index.search("量子计算机").total == 0
    assert index.search("xqzv").total == 0


def test_service_object_filter(index):
    assert "结婚登记" in names(index.search("登记", limit=50))
    legal = index.search("登记", service_object=LP, limit=50)
    assert legal.total > 0
    assert "结婚登记" not in names(legal)
    assert all(LP in h.doc.service_objects for h in legal.hits)


def test_theme_filter(index):
    result = index.search("", theme="婚姻登记", limit=50)
    assert sorted(names(result)) == sorted(["结婚登记", "离婚登记", "补领结婚证"])
    assert index.search("个体工商户", theme="开办企业").total == 2  # 设立 and 变更, not 注销


def test_dept_filter(index):
    code = DEPTS["公安"][0]
    result = index.search("证", dept=code, limit=50)
    assert result.total >= 3
    assert {h.doc.dept for h in result.hits} == {code}


def test_tenant_filter_accepts_one_code_or_several(index):
    county = index.search("", tenant=COUNTY, limit=100)
    assert {h.doc.tenant for h in county.hits} == {COUNTY}
    assert "不动产登记" not in names(county)  # a city item
    several = index.search("", tenant=[COUNTY, CITY, PROVINCE], limit=100)
    assert several.total == len(DOCS)
    assert index.search("不动产", tenant=(t for t in [CITY])).total == 1
    assert index.search("", tenant="999999").total == 0


def test_min_online_depth_filter(index):
    result = index.search("", min_online_depth=7, limit=50)
    assert sorted(names(result)) == sorted(
        ["失业保险金申领", "住房公积金提取", "增值税发票领用", "个人所得税汇算清缴"]
    )
    assert index.search("个体工商户", min_online_depth=5).total == 0


def test_filters_combine_with_typo_search(index):
    assert names(index.search("个休工商户", service_object=NP))[:3].count(TARGET) == 1
    assert index.search("个休工商户", service_object=LP).total == 0


def test_empty_query_lists_by_name(index):
    result = index.search("", limit=10)
    assert result.total == len(DOCS)
    listed = names(index.search("", limit=100))
    assert listed == sorted(listed)
    assert all(h.score == 0.0 for h in result.hits)


def test_pagination_and_total(index):
    everything = index.search("登记", limit=100)
    assert everything.total == len(everything.hits) >= 8
    first = index.search("登记", limit=3)
    second = index.search("登记", limit=3, offset=3)
    assert first.total == second.total == everything.total
    assert names(first) + names(second) == names(everything)[:6]
    assert index.search("登记", offset=everything.total).hits == []


def test_upsert_replaces_version_and_remove_hides():
    index = SearchIndex(DOCS)
    assert len(index) == len(DOCS)
    renamed = make_doc(0, ROWS[0], version=2, name="个体工商户开业登记", keywords="营业执照")
    index.upsert(renamed)
    assert len(index) == len(DOCS)
    hits = index.search("开业登记").hits
    assert hits[0].doc.item_id == "item-000" and hits[0].doc.version == 2
    assert index.search("开店").total == 0  # the old keywords are gone from the index
    assert index.search("个体工商户设立登记").hits[0].doc.name != TARGET
    index.upsert(make_doc(0, ROWS[0], version=1))  # a late, older event is ignored
    assert index.search("开业登记").hits[0].doc.version == 2
    index.remove("item-000")
    assert len(index) == len(DOCS) - 1
    assert "item-000" not in {h.doc.item_id for h in index.search("开业登记").hits}
    assert index.search("", theme="开办企业", limit=50).total == 3
    index.remove("item-000")  # unknown id: no error
    index.upsert(make_doc(99, ROWS[6], name="涉外结婚登记"))
    assert names(index.search("涉外"))[0] == "涉外结婚登记"


def test_concurrent_readers_and_writers():
    index = SearchIndex(DOCS)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(200):
                index.search("个休工商户")
                index.search("yyzz", tenant=[COUNTY, CITY])
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    def write() -> None:
        try:
            for v in range(2, 200):
                index.upsert(make_doc(0, ROWS[0], version=v))
                index.remove("item-001")
                index.upsert(make_doc(1, ROWS[1], version=v))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(3)] + [threading.Thread(target=write)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert index.search(TARGET).hits[0].doc.version == 199
