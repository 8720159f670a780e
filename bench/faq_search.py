"""FAQ search speed and ranking quality on 50,000 Chinese articles, on SQLite and PostgreSQL.

Generates a knowledge base the size of a large appliance maker's: articles for 16 product
categories, their models and their typical faults (question, cause-and-fix answer, tags),
phrased in many ways, plus 16 hand-written articles that are the expected answers of the
quality queries below. The generator leaves out the exact (product, fault) pairs of those
16, so each quality query has one right answer, while the corpus is full of near misses:
the same fault on other products (热水器漏水 against 洗衣机漏水) and other faults of the same
product.

Then it times ``search_articles`` — the function the agent console and the API call —
for the quality queries and a few hundred agent-style queries (short keywords and long
descriptions as typed during a call), after a warm-up, and prints p50/p95/p99 and the
ranking quality (hit@1, hit@3, mean reciprocal rank).

    .venv/bin/python bench/faq_search.py [--articles 50000] [--db sqlite|postgres|both]

PostgreSQL uses the database ``aftersales_fu_bench`` on BENCH_PG (default
postgres://postgres@127.0.0.1:5432), dropped and created afresh.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "aftersales_fu_bench"

# -- the quality set: query -> the question of the one expected top answer -------------------------
GOLD = [
    # (category, fault key left out of the generated corpus, question, answer, tags)
    (
        "洗衣机",
        "漏水",
        "洗衣机底部漏水怎么办",
        "先断电关水龙头。底部漏水多为排水管接口松动、排水泵密封圈老化或内桶与外桶之间的波纹管破损。"
        "检查排水管卡箍是否拧紧；若漏水来自机器内部，请预约技术员上门更换密封件。",
        "漏水, 排水管",
    ),
    (
        "空调",
        "不制冷",
        "空调开机后不制冷是什么原因",
        "请确认模式为制冷、设定温度低于室温，并清洗过滤网。外机不启动或运行后出风仍不凉，"
        "可能是制冷剂不足或压缩机故障，需要上门检测加氟。",
        "制冷, 加氟",
    ),
    (
        "冰箱",
        "冷藏室结冰",
        "冰箱冷藏室结冰怎么处理",
        "冷藏室后壁结冰多因温度档位过低或门封不严。把温控调到中间档，检查门封条是否变形，"
        "食物不要贴住后壁；化冰后排水孔堵塞要疏通。",
        "结冰, 门封",
    ),
    (
        "热水器",
        "E4",
        "热水器显示E4故障代码是什么意思",
        "E4表示出水温度过高保护。请关闭电源五分钟后重新开机；若反复出现，温控器或传感器可能损坏，请报修。",
        "故障代码, E4",
    ),
    (
        "油烟机",
        "噪音大",
        "油烟机噪音大怎么办",
        "油烟机运转时声音大，常因风轮积油失衡或固定螺丝松动。请清洗风轮、拧紧外壳螺丝；"
        "电机有异响需更换电机。",
        "噪音, 风轮",
    ),
    (
        "电视",
        "有声音无图像",
        "电视有声音没有图像怎么办",
        "有伴音但屏幕黑屏，多为背光灯条或电源板故障。先检查信号源和亮度设置，排除后请预约上门维修背光。",
        "黑屏, 背光",
    ),
    (
        "洗碗机",
        "洗不干净",
        "洗碗机洗不干净是什么原因",
        "检查喷臂喷孔是否堵塞、过滤网是否清洁、洗涤剂和光亮剂是否足量，碗碟摆放不要遮挡喷臂。",
        "洗涤效果",
    ),
    (
        "燃气灶",
        "打不着火",
        "燃气灶打不着火怎么办",
        "听到打火声但不着火，先检查燃气阀门是否打开、电池是否有电，清理点火针和火盖上的油污与积水。",
        "点火, 电池",
    ),
    (
        "政策",
        "保修期计算",
        "保修期从哪天开始计算",
        "整机保修期自发票开具之日起计算；无发票的按出厂日期后三个月起算。需要安装的产品自安装调试完成之日起计算。",
        "保修, 发票",
    ),
    (
        "净水器",
        "更换滤芯",
        "净水器滤芯多久更换一次",
        "PP棉滤芯建议3到6个月更换，活性炭滤芯6到12个月，RO膜2到3年；水质差的地区应缩短周期。",
        "滤芯, 更换周期",
    ),
    (
        "扫地机器人",
        "不回充",
        "扫地机器人找不到充电座不回充怎么办",
        "充电座两侧0.5米、前方1.5米内不要放东西；擦拭机器和充电座的充电弹片，并确认充电座通电。",
        "回充, 充电座",
    ),
    (
        "微波炉",
        "不加热",
        "微波炉转盘转但是不加热怎么办",
        "能运转却不加热，常见为磁控管或高压二极管损坏。此类部件带高压，请勿自行拆机，请预约上门维修。",
        "磁控管, 加热",
    ),
    (
        "空调",
        "外机不转",
        "空调外机风扇不转怎么回事",
        "外机风扇不转可能是风扇电容失效、电机损坏或外机主板故障。请断电后联系售后检测，不要用手拨动风扇。",
        "外机, 风扇电机",
    ),
    (
        "洗衣机",
        "不脱水",
        "洗衣机不脱水是什么原因",
        "衣物放置不均会导致脱水不启动，请摊开衣物重新脱水；排水不畅或门锁故障也会导致不脱水。",
        "脱水, 门锁",
    ),
    (
        "冰箱",
        "异味",
        "冰箱里有异味怎么去除",
        "清理变质食物，用温水加小苏打擦拭内胆，放置活性炭或柠檬片；熟食生食分开密封存放。",
        "除味, 清洁",
    ),
    (
        "电热水壶",
        "漏电",
        "电热水壶漏电跳闸怎么办",
        "立即停止使用并拔下插头。底座进水或发热盘绝缘损坏会漏电，请勿继续使用，送修或更换。",
        "漏电, 安全",
    ),
]

QUERIES = [
    ("洗衣机漏水", "洗衣机底部漏水怎么办"),
    ("空调不制冷", "空调开机后不制冷是什么原因"),
    ("空调吹的风不凉", "空调开机后不制冷是什么原因"),
    ("冰箱冷藏室结冰", "冰箱冷藏室结冰怎么处理"),
    ("热水器E4", "热水器显示E4故障代码是什么意思"),
    ("抽油烟机声音很大", "油烟机噪音大怎么办"),
    ("电视黑屏但是有声音", "电视有声音没有图像怎么办"),
    ("洗碗机洗不干净", "洗碗机洗不干净是什么原因"),
    ("燃气灶点不着火", "燃气灶打不着火怎么办"),
    ("保修期怎么算", "保修期从哪天开始计算"),
    ("净水器换滤芯", "净水器滤芯多久更换一次"),
    ("扫地机器人回不去充电座", "扫地机器人找不到充电座不回充怎么办"),
    ("微波炉不加热", "微波炉转盘转但是不加热怎么办"),
    ("客户说空调外面那台机器的风扇不转了", "空调外机风扇不转怎么回事"),
    ("洗衣机甩不干", "洗衣机不脱水是什么原因"),
    ("冰箱里有臭味", "冰箱里有异味怎么去除"),
    ("热水壶一插电就跳闸", "电热水壶漏电跳闸怎么办"),
]

# -- the generated corpus --------------------------------------------------------------------------
CATEGORIES = {
    "空调": (
        ["KFR-35GW", "KFR-26GW", "KFR-72LW", "KFR-50LW", "KFR-120QW"],
        [
            "不制冷",
            "制冷效果差",
            "不制热",
            "漏水",
            "噪音大",
            "外机不转",
            "有异味",
            "遥控器失灵",
            "显示E1",
            "显示F2",
            "频繁启停",
            "出风口结露",
            "室内机滴水",
            "开机跳闸",
            "风速调不了",
        ],
    ),
    "冰箱": (
        ["BCD-215", "BCD-470", "BCD-520W", "BCD-306"],
        [
            "不制冷",
            "冷冻室结霜",
            "冷藏室结冰",
            "异味",
            "噪音大",
            "门关不严",
            "压缩机不停机",
            "显示E5",
            "灯不亮",
            "底部有水",
        ],
    ),
    "洗衣机": (
        ["XQG80", "XQB70", "XQG100", "TG90"],
        [
            "漏水",
            "不脱水",
            "不排水",
            "噪音大",
            "不进水",
            "门打不开",
            "显示E2",
            "显示UE",
            "洗不干净",
            "震动大",
            "不通电",
        ],
    ),
    "热水器": (
        ["JSQ24", "JSQ30", "F60-15", "F80-21"],
        ["漏水", "不加热", "显示E1", "显示E4", "水温忽冷忽热", "打不着火", "漏电", "噪音大", "出水小"],
    ),
    "电视": (
        ["55E3", "65V8", "43A2", "75Q9"],
        [
            "有声音无图像",
            "黑屏",
            "无信号",
            "遥控器失灵",
            "开不了机",
            "画面闪烁",
            "没有声音",
            "连不上网络",
            "画面有条纹",
        ],
    ),
    "油烟机": (
        ["CXW-200", "CXW-260", "CXW-358"],
        ["噪音大", "吸力小", "漏油", "不启动", "灯不亮", "滴油", "按键失灵"],
    ),
    "燃气灶": (["JZT-2B", "JZY-Q3", "JZT-5G"], ["打不着火", "火力小", "熄火", "回火", "漏气", "火焰发黄"]),
    "洗碗机": (["WQP8", "WQP12", "WQP6"], ["洗不干净", "不排水", "漏水", "不进水", "烘干效果差", "显示E1"]),
    "微波炉": (["M1-L213", "G80F23"], ["不加热", "转盘不转", "打火", "门关不上", "显示屏不亮"]),
    "净水器": (["RO-400", "RO-600", "UF-5"], ["更换滤芯", "出水慢", "漏水", "废水多", "有异味", "不制水"]),
    "扫地机器人": (["T8", "X10", "S7"], ["不回充", "不吸尘", "迷路", "轮子不转", "连不上WiFi", "噪音大"]),
    "空气净化器": (["KJ400", "KJ600"], ["更换滤网", "有异味", "噪音大", "指示灯常亮", "不开机"]),
    "电饭煲": (["FB40", "IH50"], ["不加热", "煮饭夹生", "溢锅", "显示E0", "内胆涂层脱落"]),
    "电热水壶": (["SWF17", "HK-1500"], ["不加热", "漏水", "有异味", "自动断电失灵", "底座打火"]),
    "吸尘器": (["V8", "V11", "C3"], ["吸力小", "不充电", "噪音大", "有异味", "滚刷不转"]),
    "政策": (
        [""],
        [
            "保修期",
            "上门服务收费",
            "退换货条件",
            "延保服务",
            "安装收费",
            "发票开具",
            "配件价格",
            "维修进度查询",
            "预约上门时间",
            "以旧换新",
        ],
    ),
}

QUESTION_TEMPLATES = [
    "{p}{s}怎么办",
    "{p}{s}是什么原因",
    "{p}{s}如何处理",
    "为什么{p}{c}{s}",
    "{m}{p}{s}怎么解决",
    "{p}{c}{s}该怎么处理",
    "{p}出现{s}的情况需要上门吗",
    "{m}{s}是哪里坏了",
    "{c}{p}{s}正常吗",
    "{p}{s}能自己修吗",
]
CONTEXTS = [
    "刚买的",
    "用了两年",
    "开机半小时后",
    "夏天",
    "冬天",
    "刚安装好",
    "搬家后",
    "停电后",
    "新装修的房子里",
    "用了一段时间",
    "每次开机",
    "晚上",
    "梅雨季节",
    "清洗之后",
]
POLICY_TEMPLATES = ["{s}是怎么规定的", "{s}有哪些规定", "关于{s}的说明", "{s}常见问题", "{c}{s}怎么办理"]
CAUSES = [
    "常见原因是{part}老化或松动",
    "多数情况是{part}积尘或堵塞",
    "可能是{part}损坏",
    "通常与{part}安装不当有关",
    "一般由{part}接触不良引起",
    "可能是使用环境温度过高或过低",
    "多为电压不稳导致主板保护",
]
PARTS = [
    "密封圈",
    "电容",
    "主板",
    "传感器",
    "电机",
    "过滤网",
    "排水泵",
    "进水阀",
    "温控器",
    "门封条",
    "风轮",
    "电源板",
    "遥控接收头",
    "发热管",
    "管路接口",
    "滤芯",
    "轴承",
    "皮带",
    "显示板",
    "继电器",
]
FIXES = [
    "请先断电重启观察是否恢复",
    "可按说明书清洗相关部件",
    "请检查电源插座和电压是否正常",
    "建议关闭电源后联系售后预约上门检测",
    "保修期内免费更换损坏的部件",
    "过保修期的按收费标准收取配件费和人工费",
    "技术员上门前会电话确认时间",
    "请不要自行拆机以免发生危险",
    "可在公众号查看维修进度",
    "如问题仍未解决，请拨打服务热线报修",
]
POLICY_ANSWERS = [
    "整机保修一年，主要部件保修三年，以发票日期为准",
    "保修期内上门服务免费，保修期外收取上门费和人工费",
    "购买7日内有性能故障可选择退货，15日内可选择换货",
    "延保服务可在购机后一年内购买",
    "标准安装免费，辅材按价目表收费",
    "电子发票在服务完成后3个工作日内开具",
    "配件价格以公示的价目表为准",
    "可凭服务单号在公众号查询进度",
    "预约后技术员会在约定时间段上门",
    "以旧换新可抵扣部分货款，具体以活动规则为准",
]


def _answer(rng: random.Random, policy: bool) -> str:
    if policy:
        return "。".join(rng.sample(POLICY_ANSWERS, 2) + rng.sample(FIXES, 2)) + "。"
    parts = [rng.choice(CAUSES).format(part=rng.choice(PARTS)) for _ in range(2)]
    return "。".join(parts + rng.sample(FIXES, 3)) + "。"


def generate(n: int, seed: int = 20260101) -> list[dict]:
    rng = random.Random(seed)
    excluded = {(cat, key) for cat, key, *_ in GOLD}
    combos = [
        (cat, model, symptom)
        for cat, (models, symptoms) in CATEGORIES.items()
        for symptom in symptoms
        for model in models
        if (cat, symptom) not in excluded and not any(cat == c and k in symptom for c, k in excluded)
    ]
    rows, seen = [], set()
    while len(rows) < n:
        cat, model, symptom = rng.choice(combos)
        ctx = rng.choice(CONTEXTS)
        if cat == "政策":
            question = rng.choice(POLICY_TEMPLATES).format(s=symptom, c=ctx)
        else:
            question = rng.choice(QUESTION_TEMPLATES).format(p=cat, s=symptom, c=ctx, m=model)
        # The same question may be answered for several models (a model per article), as in real
        # knowledge bases; only exact duplicates are skipped.
        key = (question, model)
        if key in seen:
            question = f"{question}（{rng.choice(CONTEXTS)}）"
            key = (question, model)
            if key in seen:
                continue
        seen.add(key)
        rows.append(
            {
                "category": cat,
                "model": model,
                "question": question,
                "answer": _answer(rng, cat == "政策"),
                "tags": ", ".join(t for t in (symptom, cat, model) if t),
            }
        )
    return rows


def latency_queries(rng: random.Random, k: int) -> list[str]:
    """What agents type: a keyword or two, or the customer's words as a sentence."""
    out = [q for q, _ in QUERIES]
    cats = [c for c in CATEGORIES if c != "政策"]
    while len(out) < k:
        cat = rng.choice(cats)
        symptom = rng.choice(CATEGORIES[cat][1])
        shape = rng.random()
        if shape < 0.4:
            out.append(f"{cat}{symptom}")
        elif shape < 0.6:
            out.append(symptom)
        elif shape < 0.8:
            out.append(f"客户反映{rng.choice(CONTEXTS)}{cat}{symptom}，已经试过重启，还是不行，问怎么处理")
        else:
            out.append(f"{rng.choice(CATEGORIES[cat][0])} {symptom}")
    return out


# -- running ---------------------------------------------------------------------------------------
def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT / "src"))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")] if p),
    }
    subprocess.run([sys.executable, "-m", "aftersales.cli", "migrate", "-v0"], check=True, cwd=ROOT, env=env)
    import django

    django.setup()


def load(rows: list[dict]) -> float:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from aftersales.catalog.models import Category, ProductModel
    from aftersales.core.clock import now
    from aftersales.knowledge.index import rebuild_index
    from aftersales.knowledge.models import Article
    from aftersales.knowledge.services import ArticleInput, create_article

    owner = get_user_model().objects.create_user(username="faq_owner", first_name="外呼管理员")
    owner.groups.add(Group.objects.get_or_create(name="manager")[0])
    categories, models = {}, {}
    for i, (cat, (model_codes, _)) in enumerate(CATEGORIES.items()):
        categories[cat] = Category.objects.create(code=f"cat{i}", name=cat)
        for code in model_codes:
            if code:
                models[code] = ProductModel.objects.create(
                    category=categories[cat], code=code, name=f"{cat}{code}"
                )
    at = now()
    started = time.perf_counter()
    Article.objects.bulk_create(
        [
            Article(
                question=r["question"],
                answer=r["answer"],
                tags=r["tags"],
                category=categories[r["category"]],
                product_model=models.get(r["model"]),
                owner=owner,
                last_reviewed_at=at,
                created_at=at,
                updated_at=at,
            )
            for r in rows
        ],
        batch_size=2000,
    )
    rebuild_index()
    built = time.perf_counter() - started
    # The expected answers go in through the service, as an editor would add them: this also
    # exercises the incremental index against a full one.
    for cat, _key, question, answer, tags in GOLD:
        category = categories.get(cat) or Category.objects.create(code=f"gold{len(categories)}", name=cat)
        categories[cat] = category
        create_article(
            data=ArticleInput(question=question, answer=answer, tags=tags, category_id=category.pk),
            actor=owner,
        )
    return built


def measure(label: str, queries: list[str], rounds: int) -> dict:
    from django.db import connection

    from aftersales.knowledge.search import search_articles

    for q in queries[:50]:  # warm-up: caches, prepared statements, OS page cache
        search_articles(q, limit=10)
    times = []
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            search_articles(q, limit=10)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    pct = lambda p: times[min(len(times) - 1, int(round(p / 100 * len(times))) - 1)]  # noqa: E731
    ranks = []
    for query, expected in QUERIES:
        hits = search_articles(query, limit=10)
        questions = [h.article.question for h in hits]
        ranks.append(questions.index(expected) + 1 if expected in questions else None)
    hit1 = sum(1 for r in ranks if r == 1)
    hit3 = sum(1 for r in ranks if r is not None and r <= 3)
    mrr = sum(1 / r for r in ranks if r) / len(ranks)
    return {
        "db": label,
        "vendor": connection.vendor,
        "n": len(times),
        "p50": statistics.median(times),
        "p95": pct(95),
        "p99": pct(99),
        "max": times[-1],
        "hit1": hit1,
        "hit3": hit3,
        "mrr": mrr,
        "ranks": ranks,
    }


def run_one(db: str, n: int, rounds: int) -> None:
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        url = f"{PG_BASE}/{PG_DB}"
    else:
        folder = Path(tempfile.mkdtemp(prefix="faq_bench_"))
        url = f"sqlite:///{folder / 'faq.sqlite3'}"
    setup_django(url)
    from aftersales.knowledge.models import Article, Posting

    rows = generate(n)
    built = load(rows)
    if db == "postgres":
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    else:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    queries = latency_queries(random.Random(7), 300)
    r = measure(db, queries, rounds)
    print(
        f"\n== {db}: {Article.objects.count():,} articles, {Posting.objects.count():,} postings, "
        f"index built in {built:.1f} s"
    )
    print(
        f"search latency over {r['n']} queries: p50 {r['p50']:.1f} ms  p95 {r['p95']:.1f} ms  "
        f"p99 {r['p99']:.1f} ms  max {r['max']:.1f} ms   (target p95 < 50 ms: "
        f"{'met' if r['p95'] < 50 else 'NOT met'})"
    )
    print(
        f"ranking quality on {len(QUERIES)} queries: hit@1 {r['hit1']}/{len(QUERIES)}  "
        f"hit@3 {r['hit3']}/{len(QUERIES)}  MRR {r['mrr']:.3f}"
    )
    from aftersales.knowledge.search import search_articles

    for (query, expected), rank in zip(QUERIES, r["ranks"], strict=True):
        top = search_articles(query, limit=1)
        print(
            f"  {'✓' if rank == 1 else ('~' if rank else '✗')} {query} -> rank {rank or '>10'}"
            f"   top: {top[0].article.question if top else '-'}   expected: {expected}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.db == "both":
        # Django is set up once per process: each database runs in a child process.
        for db in ("sqlite", "postgres"):
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--articles",
                    str(args.articles),
                    "--db",
                    db,
                    "--rounds",
                    str(args.rounds),
                ],
                check=True,
            )
        return
    run_one(args.db, args.articles, args.rounds)


if __name__ == "__main__":
    main()
