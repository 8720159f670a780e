"""The top navigation: one link per module, shown to the roles that can use it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def nav_links(user, path: str) -> list[str]:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    r = c.get(path)
    assert r.status_code == 200, path
    nav = re.search(r'<nav class="nav">(.*?)</nav>', r.content.decode(), re.S)
    assert nav is not None
    return re.findall(r'href="([^"]+)"', nav.group(1))


@pytest.mark.parametrize(
    "path", ["/outbound/", "/suggestions/", "/surveys/", "/knowledge/", "/returns/", "/complaints/"]
)
def test_every_module_appears_once_in_the_navigation(manager, path):
    links = nav_links(manager, path)
    assert len(links) == len(set(links)), links
    for module in ("/outbound/", "/suggestions/", "/surveys/", "/knowledge/", "/returns/", "/complaints/"):
        assert module in links


def test_each_role_is_shown_the_modules_it_may_use(agent, dispatcher, technician, make_user):
    assert {"/outbound/", "/suggestions/", "/surveys/", "/knowledge/"} <= set(nav_links(agent, "/"))
    dispatcher_links = set(nav_links(dispatcher, "/"))
    assert {"/suggestions/", "/knowledge/"} <= dispatcher_links and "/outbound/" not in dispatcher_links
    technician_links = set(nav_links(technician, "/"))
    assert "/knowledge/" in technician_links and "/suggestions/" not in technician_links
    parts_links = set(nav_links(make_user("parts_clerk"), "/"))
    assert "/knowledge/" not in parts_links
