"""FAQ search: Chinese words found inside text, ranked by relevance, synonyms, an index kept in
step with every edit, stale articles flagged, and who may write."""

import datetime as dt

import pytest

from aftersales.core.clock import frozen_at
from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.core.history import history_of
from aftersales.knowledge import services as ks
from aftersales.knowledge.index import rebuild_index
from aftersales.knowledge.models import Article, IndexStats, Posting, SynonymGroup, Term
from aftersales.knowledge.search import search_articles
from aftersales.knowledge.selectors import ArticleFilters, filter_articles, stale_articles
from aftersales.knowledge.text import highlight_spans, only_single_characters, terms

SH = dt.timezone(dt.timedelta(hours=8))


def questions(hits):
    return [h.article.question for h in hits]


@pytest.fixture
def categories(db):
    from aftersales.catalog.models import Category

    return {
        name: Category.objects.create(code=code, name=name)
        for code, name in [("ac", "空调"), ("washer", "洗衣机"), ("heater", "热水器"), ("fridge", "冰箱")]
    }


@pytest.fixture
def write(manager, categories):
    def make(question, answer="请联系售后服务热线。", category=None, tags="", actor=None):
        return ks.create_article(
            data=ks.ArticleInput(
                question=question,
                answer=answer,
                category_id=categories[category].pk if category else None,
                tags=tags,
            ),
            actor=actor or manager,
        )

    return make


@pytest.fixture
def faq(write):
    return {
        "washer_leak": write("洗衣机底部漏水怎么办", "检查排水管接口和密封圈。", "洗衣机", "漏水"),
        "heater_leak": write("热水器接口处滴水", "拧紧进水接口，更换密封垫。", "热水器"),
        "ac_not_cooling": write("空调不制冷是什么原因", "检查模式、滤网和制冷剂。", "空调", "制冷"),
        "ac_warm_air": write("空调吹出来的风不凉", "可能缺氟，请预约上门检测。", "空调"),
        "fridge_cooling": write("冰箱冷藏室不制冷", "检查温控档位和门封。", "冰箱"),
        "ac_remote": write("空调遥控器没反应", "更换电池，对准接收窗。", "空调"),
        "warranty": write("保修期从哪天开始计算", "自发票开具之日起计算。"),
        "e4": write("热水器显示E4故障代码", "E4表示出水温度过高保护。", "热水器"),
    }


# -- the tokenizer -----------------------------------------------------------------------------------
def test_chinese_text_becomes_overlapping_bigrams_and_latin_stays_whole():
    assert terms("洗衣机漏水") == ["洗衣", "衣机", "机漏", "漏水"]
    assert terms("KFR-35GW 显示E4") == ["kfr", "35gw", "显示", "e4"]
    # Full-width letters and digits typed by a Chinese input method are the same words.
    assert terms("ＫＦＲ－３５ＧＷ") == ["kfr", "35gw"]
    assert terms("冷，热") == ["冷", "热"]
    assert only_single_characters("冷") and not only_single_characters("不冷")


def test_highlight_marks_every_character_of_a_matched_term():
    spans = highlight_spans("洗衣机底部漏水怎么办", ["漏水"])
    assert spans == [("洗衣机底部", False), ("漏水", True), ("怎么办", False)]


# -- finding and ranking -----------------------------------------------------------------------------
def test_a_word_inside_the_question_is_found(faq):
    found = questions(search_articles("漏水"))
    assert "洗衣机底部漏水怎么办" in found
    assert "空调遥控器没反应" not in found


def test_not_cooling_finds_air_conditioners_that_do_not_cool_even_in_other_words(faq):
    hits = search_articles("不制冷")
    found = questions(hits)
    # The article saying exactly that comes before the ones that say it otherwise.
    assert found.index("空调不制冷是什么原因") < found.index("空调吹出来的风不凉")
    assert "冰箱冷藏室不制冷" in found
    assert "空调遥控器没反应" not in found
    # "吹出来的风不凉" shares no word with 不制冷: the synonym table (不凉) finds it.
    assert "不凉" in next(h for h in hits if h.article.question == "空调吹出来的风不凉").matched


def test_the_more_specific_match_ranks_first(faq):
    assert questions(search_articles("洗衣机漏水"))[0] == "洗衣机底部漏水怎么办"
    assert questions(search_articles("热水器漏水"))[0] == "热水器接口处滴水"
    assert questions(search_articles("空调不制冷"))[0] == "空调不制冷是什么原因"


def test_error_codes_and_model_numbers_are_whole_tokens(faq):
    assert questions(search_articles("e4"))[0] == "热水器显示E4故障代码"
    assert questions(search_articles("Ｅ４"))[0] == "热水器显示E4故障代码"
    assert search_articles("e5") == []


def test_a_request_about_a_product_prefers_articles_about_it(faq, categories):
    plain = questions(search_articles("不制冷"))
    assert plain[0] == "空调不制冷是什么原因"
    fridge_first = questions(search_articles("不制冷", category_id=categories["冰箱"].pk))
    assert fridge_first[0] == "冰箱冷藏室不制冷"


def test_a_single_character_is_looked_for_in_questions(faq):
    assert set(questions(search_articles("凉"))) == {"空调吹出来的风不凉"}


def test_nothing_matches_nothing(faq):
    assert search_articles("") == []
    assert search_articles("火箭发射") == []


def test_results_are_the_same_after_a_full_rebuild(faq):
    before = [(h.article.pk, round(h.score, 6)) for h in search_articles("空调不制冷")]
    terms_before = dict(Term.objects.filter(df__gt=0).values_list("text", "df"))
    stats_before = IndexStats.objects.values_list("articles", "total_length").get()
    assert rebuild_index() == 8
    assert dict(Term.objects.filter(df__gt=0).values_list("text", "df")) == terms_before
    assert IndexStats.objects.values_list("articles", "total_length").get() == pytest.approx(stats_before)
    assert [(h.article.pk, round(h.score, 6)) for h in search_articles("空调不制冷")] == before


# -- the index follows every edit --------------------------------------------------------------------
def test_an_edit_is_searchable_at_once_and_the_old_words_are_gone(faq, manager):
    article = faq["ac_remote"]
    ks.update_article(
        article=article,
        data=ks.ArticleInput(question="空调显示屏不亮", answer="检查电源。", category_id=article.category_id),
        actor=manager,
    )
    assert "空调显示屏不亮" in questions(search_articles("显示屏"))
    assert search_articles("遥控器") == []
    assert not Term.objects.filter(text="遥控", df__gt=0).exists()


def test_archived_articles_are_not_found_and_come_back_when_restored(faq, manager):
    article = faq["warranty"]
    ks.archive_article(article=article, actor=manager, reason="政策已更新")
    assert search_articles("保修期") == []
    assert not Posting.objects.filter(article=article).exists()
    with pytest.raises(TransitionRefused):
        ks.archive_article(article=article, actor=manager, reason="again")
    ks.restore_article(article=article, actor=manager)
    assert questions(search_articles("保修期")) == ["保修期从哪天开始计算"]
    events = [h.event for h in history_of(article)]
    assert events == ["created", "archived", "restored"]


def test_archiving_needs_a_reason(faq, manager):
    with pytest.raises(ValidationFailed) as exc:
        ks.archive_article(article=faq["e4"], actor=manager, reason=" ")
    assert exc.value.field == "reason"
    assert Article.objects.get(pk=faq["e4"].pk).active


def test_synonyms_are_editable_and_take_effect(write, manager, django_capture_on_commit_callbacks):
    write("电视画面有横线")
    assert search_articles("条纹") == []
    with django_capture_on_commit_callbacks(execute=True):
        ks.save_synonym_group(words="条纹, 横线", actor=manager)
    assert questions(search_articles("条纹")) == ["电视画面有横线"]
    with pytest.raises(ValidationFailed):
        ks.save_synonym_group(words="只有一个词", actor=manager)


def test_default_synonym_table_is_installed(db):
    words = [w for g in SynonymGroup.objects.all() for w in g.word_list]
    assert {"不制冷", "不凉", "漏水", "渗水"} <= set(words)


# -- keeping it current ------------------------------------------------------------------------------
def test_an_article_not_reviewed_in_time_is_flagged_until_reviewed(write, manager):
    with frozen_at(dt.datetime(2026, 1, 5, 10, tzinfo=SH)):
        article = write("电视没有声音怎么办")
    with frozen_at(dt.datetime(2026, 7, 3, 10, tzinfo=SH)):  # 179 days later
        assert not stale_articles().filter(pk=article.pk).exists()
    with frozen_at(dt.datetime(2026, 7, 5, 10, tzinfo=SH)):  # 181 days
        assert stale_articles().filter(pk=article.pk).exists()
        assert filter_articles(manager, ArticleFilters(stale=True)).filter(pk=article.pk).exists()
        ks.review_article(article=article, actor=manager, note="内容仍然准确")
        assert not stale_articles().filter(pk=article.pk).exists()


def test_the_stale_time_is_a_setting(write, settings):
    settings.AFTERSALES = {**settings.AFTERSALES, "FAQ_STALE_AFTER_DAYS": 30}
    with frozen_at(dt.datetime(2026, 1, 5, 10, tzinfo=SH)):
        article = write("电视没有声音怎么办")
    with frozen_at(dt.datetime(2026, 2, 5, 10, tzinfo=SH)):
        assert stale_articles().filter(pk=article.pk).exists()


def test_an_edit_counts_as_a_review(write, manager):
    with frozen_at(dt.datetime(2026, 1, 5, 10, tzinfo=SH)):
        article = write("电视没有声音怎么办")
    later = dt.datetime(2026, 8, 1, 10, tzinfo=SH)
    with frozen_at(later):
        ks.update_article(
            article=article, data=ks.ArticleInput(question="电视没有声音", answer="检查静音。"), actor=manager
        )
    article.refresh_from_db()
    assert article.last_reviewed_at == later


# -- who may write -----------------------------------------------------------------------------------
def test_agents_read_but_do_not_write_other_peoples_articles(faq, agent, manager):
    with pytest.raises(PermissionRefused):
        ks.create_article(data=ks.ArticleInput(question="问题", answer="答案"), actor=agent)
    with pytest.raises(PermissionRefused):
        ks.review_article(article=faq["e4"], actor=agent)
    mine = faq["e4"]
    ks.update_article(
        article=mine,
        data=ks.ArticleInput(
            question=mine.question, answer="新的答案", owner_id=agent.pk, category_id=mine.category_id
        ),
        actor=manager,
    )
    mine.refresh_from_db()
    ks.review_article(article=mine, actor=agent)  # the owner keeps their own article


def test_bad_input_changes_nothing(manager, categories):
    with pytest.raises(ValidationFailed) as exc:
        ks.create_article(data=ks.ArticleInput(question="  ", answer="答案"), actor=manager)
    assert exc.value.field == "question"
    with pytest.raises(ValidationFailed) as exc:
        ks.create_article(
            data=ks.ArticleInput(question="问题", answer="答案", category_id=999999), actor=manager
        )
    assert exc.value.field == "category_id"
    assert not Article.objects.exists()
    assert not Posting.objects.exists()


def test_using_an_answer_is_counted(faq, agent):
    ks.record_article_use(article=faq["e4"], actor=agent)
    ks.record_article_use(article=faq["e4"], actor=agent)
    assert Article.objects.get(pk=faq["e4"].pk).use_count == 2
