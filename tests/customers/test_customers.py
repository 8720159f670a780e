"""Customer file: validation, zones by district, completeness, search."""

from decimal import Decimal

import pytest
from django.utils import translation

from aftersales.core.errors import ValidationFailed
from aftersales.customers.completeness import CustomerFacts, file_completeness
from aftersales.customers.models import Customer
from aftersales.customers.selectors import search_customers
from aftersales.customers.services import AddressInput, CustomerInput, register_customer


def test_invalid_phone_is_refused_in_chinese_and_nothing_is_saved(db, zones, agent):
    data = CustomerInput(name="王芳", phones=["12345"])
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as err:
        register_customer(data=data, actor=agent)
    assert err.value.field == "phones[0]"
    assert "手机" in err.value.text() or "电话" in err.value.text()
    assert Customer.objects.count() == 0


def test_incomplete_address_is_refused(db, zones, agent):
    data = CustomerInput(
        name="王芳", phones=["13912345678"], addresses=[AddressInput("上海市", "上海市", "", "1号")]
    )
    with pytest.raises(ValidationFailed) as err:
        register_customer(data=data, actor=agent)
    assert err.value.field == "addresses[0].district"


@pytest.mark.parametrize(
    ("district", "kind"), [("徐汇区", "urban"), ("闵行区", "suburban"), ("崇明区", "rural")]
)
def test_address_is_mapped_to_the_zone_of_its_district(make_customer, district, kind):
    customer = make_customer(district=district)
    assert customer.addresses.get().zone.kind == kind


def test_unmapped_district_leaves_the_zone_empty(make_customer):
    customer = make_customer(district="浦东新区")
    assert customer.addresses.get().zone is None


def test_completeness_counts_the_required_items_of_a_person():
    full = CustomerFacts("person", "张伟", ("mobile",), True, True, "a@b.cn", 0)
    assert file_completeness(full).score == 1.0
    no_email = CustomerFacts("person", "张伟", ("mobile",), True, True, "", 0)
    result = file_completeness(no_email)
    assert result.missing == ("email",)
    assert result.score == round(5 / 6, 3)


def test_company_file_needs_a_contact_person():
    facts = CustomerFacts("company", "宏达物业", ("landline",), True, True, "a@b.cn", 0)
    assert file_completeness(facts).missing == ("contact",)


def test_registered_customer_carries_its_completeness(make_customer):
    customer = make_customer()  # no e-mail
    assert customer.completeness == Decimal(str(round(5 / 6, 3)))


def test_search_by_full_phone_last_four_name_and_serial(make_customer, make_unit):
    wang = make_customer(name="王建华", phone="13912348888")
    make_customer(name="李娜", phone="13700001111")
    unit = make_unit(wang, serial_number="KFR2411000123")
    assert [c.pk for c in search_customers("139-1234-8888")] == [wang.pk]
    assert [c.pk for c in search_customers("8888")] == [wang.pk]
    assert [c.pk for c in search_customers("建华")] == [wang.pk]
    assert [c.pk for c in search_customers(unit.serial_number.lower())] == [wang.pk]
    assert list(search_customers("9999")) == []
