"""In-process benchmark of the citizen item search (事项搜索) over 10,000 generated items.

usage: uv run python services/catalog/bench/search_bench.py [--items 10000] [--queries 2000] [--seed 7] [--json]

Prints the index build time and memory (tracemalloc), then p50 / p99 latency and throughput of
mixed queries: Chinese, full pinyin, initials, typos, with and without filters, and this process's
RSS; --json prints one JSON object instead (for tools/bench.py). Not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import time
import tracemalloc
from collections import defaultdict

from ywtb.catalog.search import SearchDoc, SearchIndex
from ywtb.catalog.search.text import pinyin_forms
from ywtb.common.testing.rss import mib, rss_bytes

NP, LP = "natural_person", "legal_person"

# (stem, department, item type, service objects, themes, keywords)
STEMS = [
    ("个体工商户设立登记", "市场监督管理局", "01", (NP,), ("开办企业",), "营业执照 个体户 开店"),
    ("个体工商户变更登记", "市场监督管理局", "01", (NP,), ("开办企业",), "个体户 经营范围"),
    ("个体工商户注销登记", "市场监督管理局", "01", (NP,), ("企业注销",), "个体户 歇业"),
    ("有限责任公司设立登记", "市场监督管理局", "01", (LP,), ("开办企业",), "营业执照 公司注册"),
    ("有限责任公司变更登记", "市场监督管理局", "01", (LP,), ("企业变更",), "法定代表人 注册资本"),
    ("农民专业合作社设立登记", "市场监督管理局", "01", (LP,), ("开办企业",), "合作社 营业执照"),
    ("食品经营许可", "市场监督管理局", "01", (NP, LP), ("开办企业", "餐饮"), "食品经营许可证 餐馆"),
    ("食品生产许可", "市场监督管理局", "01", (LP,), ("生产制造",), "食品生产许可证 SC"),
    ("药品经营许可", "市场监督管理局", "01", (LP,), ("医疗卫生",), "药店 药品经营许可证"),
    ("特种设备使用登记", "市场监督管理局", "01", (LP,), ("安全生产",), "电梯 锅炉"),
    ("结婚登记", "民政局", "07", (NP,), ("婚姻登记",), "结婚证 领证"),
    ("离婚登记", "民政局", "07", (NP,), ("婚姻登记",), "离婚证"),
    ("补领婚姻登记证", "民政局", "07", (NP,), ("婚姻登记",), "结婚证遗失"),
    ("社会团体成立登记", "民政局", "07", (LP,), ("社会组织",), "社团 协会"),
    ("最低生活保障审核", "民政局", "05", (NP,), ("社会救助",), "低保 救助"),
    ("殡葬补贴申领", "民政局", "05", (NP,), ("身后事",), "丧葬费 火化"),
    ("出生医学证明签发", "卫生健康委员会", "20", (NP,), ("生育收养",), "新生儿 出生证"),
    ("医师执业注册", "卫生健康委员会", "01", (NP,), ("职业资格",), "医师执业证书"),
    ("护士执业注册", "卫生健康委员会", "01", (NP,), ("职业资格",), "护士执业证书"),
    ("医疗机构执业登记", "卫生健康委员会", "01", (LP,), ("医疗卫生",), "诊所 医疗机构执业许可证"),
    ("生育登记", "卫生健康委员会", "20", (NP,), ("生育收养",), "生育服务证 准生证"),
    ("居民身份证换领", "公安局", "20", (NP,), ("户籍办理",), "身份证到期 换证"),
    ("居民身份证补领", "公安局", "20", (NP,), ("户籍办理",), "身份证丢失"),
    ("户口迁移", "公安局", "07", (NP,), ("户籍办理",), "迁户口 落户"),
    ("出生登记", "公安局", "07", (NP,), ("户籍办理", "生育收养"), "新生儿落户 上户口"),
    ("机动车驾驶证换证", "公安局", "20", (NP,), ("交通出行",), "驾照到期 换驾照"),
    ("机动车注册登记", "公安局", "07", (NP, LP), ("交通出行",), "新车上牌"),
    ("普通护照签发", "公安局", "01", (NP,), ("出入境",), "办护照 出国"),
    ("往来港澳通行证签发", "公安局", "01", (NP,), ("出入境",), "港澳通行证 签注"),
    ("无犯罪记录证明", "公安局", "20", (NP,), ("证明开具",), "无犯罪证明 政审"),
    ("社会保障卡申领", "人力资源和社会保障局", "20", (NP,), ("社会保障",), "社保卡"),
    ("失业保险金申领", "人力资源和社会保障局", "05", (NP,), ("社会保障", "就业创业"), "失业金"),
    ("单位参保登记", "人力资源和社会保障局", "20", (LP,), ("社会保障",), "企业社保开户"),
    ("职工退休申请", "人力资源和社会保障局", "20", (NP,), ("社会保障",), "养老金 退休"),
    ("工伤认定", "人力资源和社会保障局", "07", (NP, LP), ("社会保障",), "工伤 职业病"),
    ("就业创业证申领", "人力资源和社会保障局", "20", (NP,), ("就业创业",), "失业登记 就业证"),
    ("不动产登记", "自然资源和规划局", "07", (NP, LP), ("房产",), "房产证 不动产权证书 过户"),
    ("不动产抵押登记", "自然资源和规划局", "07", (NP, LP), ("房产",), "抵押 贷款"),
    ("建设用地规划许可", "自然资源和规划局", "01", (LP,), ("工程建设",), "用地规划"),
    ("建设工程规划许可", "自然资源和规划局", "01", (LP,), ("工程建设",), "规划许可证"),
    ("建筑工程施工许可", "住房和城乡建设局", "01", (LP,), ("工程建设",), "施工许可证 开工"),
    ("商品房预售许可", "住房和城乡建设局", "01", (LP,), ("房产",), "预售证"),
    ("建筑业企业资质认定", "住房和城乡建设局", "01", (LP,), ("工程建设",), "资质证书"),
    ("住房公积金提取", "住房公积金管理中心", "20", (NP,), ("住房保障",), "公积金"),
    ("公共租赁住房申请", "住房和城乡建设局", "05", (NP,), ("住房保障",), "公租房 廉租房"),
    ("道路运输经营许可", "交通运输局", "01", (LP,), ("交通出行",), "道路运输经营许可证 货运"),
    ("出租汽车驾驶员从业资格", "交通运输局", "01", (NP,), ("职业资格",), "网约车 从业资格证"),
    ("道路货物运输驾驶员从业资格", "交通运输局", "01", (NP,), ("职业资格",), "货车司机 从业资格证"),
    ("教师资格认定", "教育局", "07", (NP,), ("职业资格", "教育"), "教师资格证"),
    ("民办学校办学许可", "教育局", "01", (LP,), ("教育",), "办学许可证 培训机构"),
    ("义务教育入学", "教育局", "20", (NP,), ("教育",), "小学入学 学位"),
    ("纳税人登记", "税务局", "20", (NP, LP), ("税收",), "税务登记"),
    ("增值税发票领用", "税务局", "20", (LP,), ("税收",), "领发票"),
    ("个人所得税汇算清缴", "税务局", "20", (NP,), ("税收",), "个税 退税"),
    ("契税申报", "税务局", "04", (NP, LP), ("税收", "房产"), "买房 交契税"),
    ("排污许可", "生态环境局", "01", (LP,), ("生态环境",), "排污许可证"),
    ("建设项目环境影响评价审批", "生态环境局", "01", (LP,), ("生态环境", "工程建设"), "环评"),
    ("取水许可", "水务局", "01", (LP,), ("生态环境",), "取水"),
    ("文化娱乐场所经营许可", "文化广电旅游局", "01", (LP,), ("文化旅游",), "KTV 歌舞厅"),
    ("旅行社设立许可", "文化广电旅游局", "01", (LP,), ("文化旅游",), "旅行社业务经营许可证"),
    ("林木采伐许可", "林业局", "01", (NP, LP), ("农林牧渔",), "采伐证 砍树"),
    ("动物防疫条件合格证核发", "农业农村局", "01", (LP,), ("农林牧渔",), "养殖场"),
    ("城市道路占用挖掘许可", "城市管理局", "01", (LP,), ("市政",), "占道 挖路"),
    ("户外广告设置许可", "城市管理局", "01", (LP,), ("市政",), "广告牌 招牌"),
    ("退役军人优待证申领", "退役军人事务局", "20", (NP,), ("退役军人",), "优待证"),
]
QUALIFIERS = [
    "",
    "",
    "",
    "（首次申请）",
    "（变更）",
    "（延续）",
    "（注销）",
    "（补办）",
    "（遗失补领）",
    "（跨省通办）",
    "（简易程序）",
    "（告知承诺制）",
    "（容缺受理）",
    "（分支机构）",
    "（全程网办）",
]
# tenants: 4 cities with 8 counties each, plus the province
CITIES = ["510100", "510300", "510400", "510500"]
TENANTS = ["510000", *CITIES, *[c[:4] + f"{n:02d}" for c in CITIES for n in range(4, 12)]]
COMMON_CHARS = (
    "的一是在人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后"
)


def generate_items(n: int, rng: random.Random) -> list[SearchDoc]:
    docs = []
    for i in range(n):
        stem, dept_name, item_type, objects, themes, keywords = STEMS[i % len(STEMS)]
        tenant = rng.choice(TENANTS)
        qualifier = rng.choice(QUALIFIERS)
        docs.append(
            SearchDoc(
                item_id=f"bench-{i:05d}",
                version=rng.randint(1, 5),
                tenant=tenant,
                dept=f"11{tenant}MB{(i % len(STEMS)):08d}",
                dept_name=f"{tenant}{dept_name}",
                name=stem + qualifier,
                basic_code=f"{item_type}{i:010d}",
                item_type=item_type,
                service_objects=objects,
                themes=themes,
                online_depth=rng.randint(1, 7),
                keywords=keywords,
            )
        )
    return docs


def _typo_cn(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    kind = rng.choice(["wrong", "missing", "extra"])
    if kind == "wrong":
        return text[:i] + rng.choice(COMMON_CHARS) + text[i + 1 :]
    if kind == "missing":
        return text[:i] + text[i + 1 :]
    return text[:i] + rng.choice(COMMON_CHARS) + text[i:]


def _typo_letters(text: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(text))
    return text[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + text[i + 1 :]


def generate_queries(n: int, rng: random.Random) -> list[tuple[str, str, dict, str]]:
    """(kind, query, filters, the stem the query was made from)."""
    queries = []
    for _ in range(n):
        stem, _, _, objects, themes, keywords = rng.choice(STEMS)
        forms = pinyin_forms(stem)
        kind = rng.choice(["chinese", "substring", "keyword", "pinyin", "initials", "typo_cn", "typo_py"])
        if kind == "chinese":
            q = stem
        elif kind == "substring":
            start = rng.randrange(0, max(1, len(stem) - 2))
            q = stem[start : start + rng.randint(2, 4)]
        elif kind == "keyword":
            q = rng.choice(keywords.split())
        elif kind == "pinyin":
            q = forms.full[0][: rng.randint(6, len(forms.full[0]))]
        elif kind == "initials":
            q = forms.initials[0][: rng.randint(3, len(forms.initials[0]))]
        elif kind == "typo_cn":
            q = _typo_cn(stem, rng)
        else:
            q = _typo_letters(forms.initials[0] if rng.random() < 0.5 else forms.full[0], rng)
        filters: dict = {}
        if rng.random() < 0.4:
            city = rng.choice(CITIES)
            filters["tenant"] = ["510000", city, city[:4] + f"{rng.randint(4, 11):02d}"]
        if rng.random() < 0.2:
            filters["service_object"] = rng.choice(objects)
        if rng.random() < 0.1:
            filters["theme"] = rng.choice(themes)
        if rng.random() < 0.1:
            filters["min_online_depth"] = rng.randint(2, 6)
        queries.append((kind + ("+filters" if filters else ""), q, filters, stem))
    return queries


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object (for tools/bench.py)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    docs = generate_items(args.items, rng)
    queries = generate_queries(args.queries, rng)

    pinyin_forms.cache_clear()
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    index = SearchIndex(docs)
    traced_build_s = time.perf_counter() - started
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del index
    pinyin_forms.cache_clear()
    gc.collect()
    started = time.perf_counter()
    index = SearchIndex(docs)
    build_s = time.perf_counter() - started
    rss_built = rss_bytes(os.getpid())
    say = (lambda *_: None) if args.json else print
    say(f"items indexed: {len(index)}  distinct names: {len({d.name for d in docs})}")
    say(f"build: {build_s:.2f} s (under tracemalloc {traced_build_s:.2f} s)")
    say(f"memory: index {current / 2**20:.1f} MiB retained, {peak / 2**20:.1f} MiB peak while building")

    for _, q, f, _ in queries[:50]:  # warm-up
        index.search(q, **f)
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    totals: list[int] = []
    found: dict[str, list[bool]] = defaultdict(list)  # the query's own stem among the first 3 hits
    started = time.perf_counter()
    for kind, q, f, stem in queries:
        t0 = time.perf_counter()
        result = index.search(q, limit=20, **f)
        elapsed = (time.perf_counter() - t0) * 1000
        latencies.append(elapsed)
        by_kind[kind.split("+")[0]].append(elapsed)
        totals.append(result.total)
        found[kind.split("+")[0]].append(any(h.doc.name.startswith(stem) for h in result.hits[:3]))
    wall = time.perf_counter() - started
    if args.json:
        report = {
            "benchmark": "search_bench",
            "items": len(index),
            "queries": len(latencies),
            "build_s": round(build_s, 2),
            "index_mib": round(current / 2**20, 1),
            "p50_ms": round(pct(latencies, 50), 2),
            "p99_ms": round(pct(latencies, 99), 2),
            "queries_per_s": round(len(latencies) / wall),
            "own_stem_in_top3_pct": round(100 * sum(sum(v) for v in found.values()) / len(latencies), 1),
            "rss_mib": {"bench": {"idle": mib(rss_built), "peak": mib(rss_bytes(os.getpid()))}},
        }
        print(json.dumps(report, ensure_ascii=False))
        return
    print(
        f"queries: {len(latencies)}  p50 {pct(latencies, 50):.2f} ms  p99 {pct(latencies, 99):.2f} ms  "
        f"max {max(latencies):.2f} ms  mean {statistics.fmean(latencies):.2f} ms  "
        f"throughput {len(latencies) / wall:.0f} q/s (one thread)"
    )
    print(f"hits per query: median {statistics.median(totals):.0f}, zero-hit queries {totals.count(0)}")
    for kind, values in sorted(by_kind.items()):
        hit3 = 100 * sum(found[kind]) / len(found[kind])
        print(
            f"  {kind:10} n={len(values):4}  p50 {pct(values, 50):6.2f} ms  p99 {pct(values, 99):6.2f} ms"
            f"  own stem in top 3: {hit3:5.1f} %"
        )
    print(f"RSS of this process: {mib(rss_built):.0f} MiB with the index built")


if __name__ == "__main__":
    main()
