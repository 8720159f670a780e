"""The FAQ through its API and pages: search while on a call, the editor, synonyms, the panel
that offers articles while a request is registered."""

import datetime as dt

import pytest
from django.test import Client

from aftersales.core.clock import frozen_at
from aftersales.knowledge import services as ks
from aftersales.knowledge.models import Article, SynonymGroup

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def client_for(db):
    def make(user=None):
        c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        if user:
            c.force_login(user)
        return c

    return make


@pytest.fixture
def articles(manager, product_model):
    cat = product_model.category
    a = ks.create_article(
        data=ks.ArticleInput(
            question="空调不制冷是什么原因", answer="检查滤网和制冷剂。", category_id=cat.pk, tags="制冷"
        ),
        actor=manager,
    )
    b = ks.create_article(
        data=ks.ArticleInput(question="洗衣机底部漏水怎么办", answer="检查排水管接口。"), actor=manager
    )
    return {"ac": a, "washer": b}


def test_api_search_finds_words_inside_questions_and_marks_them(client_for, agent, articles):
    r = client_for(agent).get("/api/v1/knowledge/search", {"q": "漏水"})
    assert r.status_code == 200
    (hit,) = r.json()
    assert hit["article"]["question"] == "洗衣机底部漏水怎么办"
    assert hit["question_marked"] == "洗衣机底部【漏水】怎么办"
    assert hit["matched_terms"] == ["漏水"]


def test_api_search_needs_a_staff_login(client_for, articles, make_user):
    assert client_for().get("/api/v1/knowledge/search", {"q": "漏水"}).status_code == 401
    customer = make_user("customer", "c1")
    assert client_for(customer).get("/api/v1/knowledge/search", {"q": "漏水"}).status_code == 403


def test_api_writes_need_an_editor(client_for, agent, manager):
    body = {"question": "热水器显示E4", "answer": "温度过高保护。", "tags": "E4, 故障代码"}
    r = client_for(agent).post("/api/v1/knowledge/articles", body, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = client_for(manager).post("/api/v1/knowledge/articles", body, content_type="application/json")
    assert r.status_code == 201
    data = r.json()
    assert data["tags"] == ["E4", "故障代码"] and data["stale"] is False
    r = client_for(manager).post(
        "/api/v1/knowledge/articles", {"question": "", "answer": "x"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["field"] == "question"


def test_api_update_review_archive(client_for, manager, articles):
    c = client_for(manager)
    pk = articles["washer"].pk
    r = c.put(
        f"/api/v1/knowledge/articles/{pk}",
        {"question": "洗衣机漏水", "answer": "检查进水管。"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["question"] == "洗衣机漏水"
    assert (
        c.post(
            f"/api/v1/knowledge/articles/{pk}/review", {"note": "ok"}, content_type="application/json"
        ).status_code
        == 200
    )
    r = c.post(
        f"/api/v1/knowledge/articles/{pk}/archive", {"reason": "过时"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["active"] is False
    assert c.get("/api/v1/knowledge/search", {"q": "漏水"}).json() == []


def test_api_suggest_prefers_the_units_product(client_for, agent, articles, make_customer, make_unit):
    customer = make_customer()
    unit = make_unit(customer)
    r = client_for(agent).get(
        "/api/v1/knowledge/suggest", {"description": "客户说开机后不制冷", "unit_id": unit.pk}
    )
    assert r.status_code == 200
    assert r.json()[0]["article"]["question"] == "空调不制冷是什么原因"


def test_api_stale_filter(client_for, manager):
    with frozen_at(dt.datetime(2025, 1, 1, 9, tzinfo=SH)):
        old = ks.create_article(data=ks.ArticleInput(question="旧问题", answer="旧答案"), actor=manager)
    ks.create_article(data=ks.ArticleInput(question="新问题", answer="新答案"), actor=manager)
    r = client_for(manager).get("/api/v1/knowledge/articles", {"stale": "true"})
    assert [a["id"] for a in r.json()["items"]] == [old.pk]


def test_api_synonyms(client_for, manager, agent):
    c = client_for(manager)
    r = c.post(
        "/api/v1/knowledge/synonyms", {"words": "横线, 条纹", "note": "电视"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["words"] == ["横线", "条纹"]
    gid = r.json()["id"]
    assert client_for(agent).delete(f"/api/v1/knowledge/synonyms/{gid}").status_code == 403
    assert c.delete(f"/api/v1/knowledge/synonyms/{gid}").status_code == 204
    assert not SynonymGroup.objects.filter(pk=gid).exists()


def test_api_use_is_recorded(client_for, agent, articles, make_customer, make_request):
    sr = make_request(make_customer(), type="consultation", description="空调不制冷怎么办").request
    r = client_for(agent).post(
        f"/api/v1/knowledge/articles/{articles['ac'].pk}/use",
        {"request_number": sr.number},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["request_number"] == sr.number
    assert Article.objects.get(pk=articles["ac"].pk).use_count == 1


# -- pages -------------------------------------------------------------------------------------------
def test_search_page_and_its_live_results(client_for, agent, articles):
    c = client_for(agent)
    page = c.get("/knowledge/", {"q": "漏水"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "洗衣机底部<mark>漏水</mark>怎么办" in html
    partial = c.get("/knowledge/", {"q": "不制冷"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "空调<mark>不制冷</mark>是什么原因" in body and "<html" not in body


def test_the_registration_panel_offers_articles_as_the_need_is_typed(client_for, agent, articles):
    r = client_for(agent).get("/knowledge/suggest/", {"description": "洗衣机漏水了"})
    body = r.content.decode()
    assert "<mark>洗衣机</mark>底部<mark>漏水</mark>怎么办" in body and "data-faq-use" in body
    empty = client_for(agent).get("/knowledge/suggest/", {"description": ""}).content.decode()
    assert "faq-hit" not in empty


def test_editor_pages(client_for, manager, agent, articles):
    c = client_for(manager)
    assert c.get("/knowledge/new/").status_code == 200
    r = c.post(
        "/knowledge/new/", {"question": "冰箱结霜怎么办", "answer": "化霜后检查门封。", "tags": "结霜"}
    )
    article = Article.objects.get(question="冰箱结霜怎么办")
    assert r.status_code == 302 and r["Location"] == f"/knowledge/{article.pk}/"
    r = c.post(
        f"/knowledge/{article.pk}/edit/", {"question": "冰箱冷冻室结霜", "answer": "化霜。", "note": "更准确"}
    )
    assert r.status_code == 302
    article.refresh_from_db()
    assert article.question == "冰箱冷冻室结霜"
    detail = c.get(f"/knowledge/{article.pk}/").content.decode()
    assert "冰箱冷冻室结霜" in detail and "updated" in detail
    # An agent reads but gets no editor.
    assert client_for(agent).get("/knowledge/new/").status_code == 404
    assert client_for(agent).get(f"/knowledge/{article.pk}/").status_code == 200


def test_archive_from_the_page_needs_a_reason(client_for, manager, articles):
    c = client_for(manager)
    pk = articles["ac"].pk
    r = c.post(f"/knowledge/{pk}/archive/", {"note": ""}, follow=True)
    assert Article.objects.get(pk=pk).active
    assert "error" in r.content.decode()
    c.post(f"/knowledge/{pk}/archive/", {"note": "型号停产"})
    assert not Article.objects.get(pk=pk).active


def test_synonym_page(client_for, manager):
    c = client_for(manager)
    r = c.post("/knowledge/synonyms/", {"words": "不出水, 没水", "note": "净水器"})
    assert r.status_code == 302
    assert SynonymGroup.objects.filter(note="净水器").exists()
    r = c.post("/knowledge/synonyms/", {"words": "孤单"})
    assert r.status_code == 200 and "error" in r.content.decode()
