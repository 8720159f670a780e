"""The vocabularies of the policy engine: every code a case or a decision may carry.

The string values are the wire format of the API and the CLI, so they never change
once published; the Chinese names of the values live in ``labels.py``.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    ONLINE = "online"
    TV = "tv"
    PHONE = "phone"
    MAIL = "mail"
    STORE = "store"


#: 《消费者权益保护法》第二十五条: network, TV, phone and mail order are "distance sales".
DISTANCE_CHANNELS = frozenset({Channel.ONLINE, Channel.TV, Channel.PHONE, Channel.MAIL})


class Reason(StrEnum):
    NO_REASON = "no_reason"
    QUALITY = "quality"


class Condition(StrEnum):
    PACKAGING_OPENED = "packaging_opened"
    SEAL_BROKEN = "seal_broken"
    ACTIVATED = "activated"
    PERSONAL_DATA = "personal_data"
    LABEL_REMOVED = "label_removed"
    SOILED = "soiled"
    DAMAGED = "damaged"
    UNAUTHORIZED_REPAIR = "unauthorized_repair"
    MISUSE = "misuse"
    FORCE_MAJEURE = "force_majeure"
    MODIFIED = "modified"


class DelayCause(StrEnum):
    PARTS_NOT_SUPPLIED = "parts_not_supplied"
    REPAIRER = "repairer"


class Wants(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"
    REPAIR = "repair"


class Outcome(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"
    REPAIR_FREE = "repair_free"
    REPAIR_PAID = "repair_paid"
    REJECT = "reject"


#: Options are listed in this order, strongest remedy first; without a wish the
#: outcome is the first available one.
OPTION_ORDER = (Outcome.RETURN, Outcome.EXCHANGE, Outcome.REPAIR_FREE, Outcome.REPAIR_PAID)


class Payer(StrEnum):
    CONSUMER = "consumer"
    BUSINESS = "business"


class Layer(StrEnum):
    LAW = "law"
    COMPANY_PROMISE = "company_promise"
    COMPANY_PRICE_RULE = "company_price_rule"


class PartKind(StrEnum):
    MAIN_PART = "main_part"
    ACCESSORY = "accessory"


class NoReasonRule(StrEnum):
    """How a goods class fares under the 7-day no-reason return."""

    RETURNABLE = "returnable"
    #: 《消费者权益保护法》第二十五条第一款: never returnable without a reason.
    EXCLUDED = "excluded"
    #: 第二十五条第二款: excluded only if the consumer confirmed it at purchase.
    EXCLUDED_IF_CONFIRMED = "excluded_if_confirmed"


class PromotionType(StrEnum):
    SPEND_X_SAVE_Y = "spend_x_save_y"
    BUNDLE = "bundle"


WHOLE_UNIT = "whole_unit"
