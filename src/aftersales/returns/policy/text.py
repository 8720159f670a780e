"""Bilingual text: every message the engine produces exists in Simplified Chinese and English.

The engine is pure Python and cannot use Django's gettext, so it carries both
languages and lets the caller pick one when the decision is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

from .types import Channel, Condition, Outcome, Payer

ZH = "zh-hans"
EN = "en"


def normalize_language(language: str | None) -> str:
    """Map any language tag to the two the engine speaks; Chinese unless English is asked for."""
    if language and language.lower().replace("_", "-").startswith("en"):
        return EN
    return ZH


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, language: str | None = ZH) -> str:
        return self.en if normalize_language(language) == EN else self.zh

    def format(self, **values: object) -> Text:
        """Fill ``{name}`` placeholders; a value that is itself a Text contributes its own language."""
        zh_values = {k: (v.zh if isinstance(v, Text) else v) for k, v in values.items()}
        en_values = {k: (v.en if isinstance(v, Text) else v) for k, v in values.items()}
        return Text(self.zh.format(**zh_values), self.en.format(**en_values))


def join(parts: list[Text], zh_sep: str = "；", en_sep: str = "; ") -> Text:
    return Text(zh_sep.join(p.zh for p in parts), en_sep.join(p.en for p in parts))


OUTCOME_LABELS = {
    Outcome.RETURN: Text("退货", "return"),
    Outcome.EXCHANGE: Text("换货", "exchange"),
    Outcome.REPAIR_FREE: Text("免费修理", "free repair"),
    Outcome.REPAIR_PAID: Text("收费修理", "paid repair"),
    Outcome.REJECT: Text("不予退换", "rejected"),
}

CHANNEL_LABELS = {
    Channel.ONLINE: Text("网络购物", "online"),
    Channel.TV: Text("电视购物", "TV shopping"),
    Channel.PHONE: Text("电话购物", "phone order"),
    Channel.MAIL: Text("邮购", "mail order"),
    Channel.STORE: Text("实体店", "in store"),
}

CONDITION_LABELS = {
    Condition.PACKAGING_OPENED: Text("包装已拆开", "packaging opened"),
    Condition.SEAL_BROKEN: Text("一次性密封已破坏", "one-time seal broken"),
    Condition.ACTIVATED: Text("已激活", "activated"),
    Condition.PERSONAL_DATA: Text("留有个人使用数据", "personal data left on it"),
    Condition.LABEL_REMOVED: Text("标识被摘或被剪", "label removed or cut"),
    Condition.SOILED: Text("受污", "soiled"),
    Condition.DAMAGED: Text("受损", "damaged"),
    Condition.UNAUTHORIZED_REPAIR: Text("非授权维修或拆动", "unauthorised repair or disassembly"),
    Condition.MISUSE: Text("使用、维护、保管不当", "improper use, upkeep or storage"),
    Condition.FORCE_MAJEURE: Text("不可抗力", "force majeure"),
    Condition.MODIFIED: Text("改动、涂改", "modified or altered"),
}

PAYER_LABELS = {
    Payer.CONSUMER: Text("消费者", "the consumer"),
    Payer.BUSINESS: Text("经营者", "the business"),
}
