"""The clauses the engine cites: source, article and what the clause says, in Chinese and English.

Where the article number of a provision is not certain from the official text the
citation names the chapter instead of guessing a number.  Product rules that
build on the 1995 三包 rules are listed in ``PRODUCT_RULES``; a catalog category
names the one that governs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import Text
from .types import Layer


@dataclass(frozen=True)
class Source:
    code: str
    name: Text


@dataclass(frozen=True)
class Clause:
    code: str
    layer: Layer
    source: Source
    article: Text
    summary: Text


CPL = Source(
    "cpl_2013",
    Text("《中华人民共和国消费者权益保护法》", "Consumer Rights Protection Law of the PRC (2013)"),
)
NO_REASON_MEASURES = Source(
    "no_reason_2017",
    Text(
        "《网络购买商品七日无理由退货暂行办法》",
        "Interim Measures for 7-day No-reason Returns of Goods Bought Online (2017, rev. 2020)",
    ),
)
SANBAO_1995 = Source(
    "sanbao_1995",
    Text(
        "《部分商品修理更换退货责任规定》",
        "Provisions on Liability for Repair, Replacement and Return of Certain Goods (1995)",
    ),
)
PENALTY_MEASURES = Source(
    "penalty_2015",
    Text("《侵害消费者权益行为处罚办法》", "Measures on Penalties for Infringing Consumer Rights (2015)"),
)
COMPANY_PROMISE = Source("company_promise", Text("公司退换货承诺", "Company return promise"))
COMPANY_PRICE_RULES = Source("company_price_rules", Text("公司退货价格规则", "Company refund price rules"))

#: The product rules a catalog category may be governed by (its ``product_rule`` code).
PRODUCT_RULES: dict[str, Source] = {
    s.code: s
    for s in (
        SANBAO_1995,
        Source(
            "mobile_phone_2001",
            Text(
                "《移动电话机商品修理更换退货责任规定》",
                "Provisions on Repair, Replacement and Return of Mobile Telephones (2001)",
            ),
        ),
        Source(
            "fixed_phone_2001",
            Text(
                "《固定电话机商品修理更换退货责任规定》",
                "Provisions on Repair, Replacement and Return of Fixed Telephones (2001)",
            ),
        ),
        Source(
            "microcomputer_2002",
            Text(
                "《微型计算机商品修理更换退货责任规定》",
                "Provisions on Repair, Replacement and Return of Microcomputers (2002)",
            ),
        ),
        Source(
            "home_av_2002",
            Text(
                "《家用视听商品修理更换退货责任规定》",
                "Provisions on Repair, Replacement and Return of Home Audio-Video Goods (2002)",
            ),
        ),
        Source(
            "flat_panel_tv_2011",
            Text("平板电视三包有关规定（2011年通知）", "Notice on 三包 for flat-panel TVs (2011)"),
        ),
    )
}

_T = Text
_LAW = Layer.LAW

_CLAUSE_LIST = (
    # 《消费者权益保护法》
    Clause(
        "cpl_23_3",
        _LAW,
        CPL,
        _T("第二十三条第三款", "art. 23 para. 3"),
        _T(
            "计算机、电视机、电冰箱、空调器、洗衣机等耐用商品，消费者自接受商品之日起六个月内发现瑕疵，"
            "发生争议的，由经营者承担有关瑕疵的举证责任。",
            "For durable goods such as computers, TVs, refrigerators, air conditioners and washing machines, "
            "the business bears the burden of proof for a defect the consumer finds within six months of receipt.",
        ),
    ),
    Clause(
        "cpl_24",
        _LAW,
        CPL,
        _T("第二十四条", "art. 24"),
        _T(
            "商品不符合质量要求，没有国家规定和当事人约定的，消费者可以自收到商品之日起七日内退货；"
            "七日后符合法定解除合同条件的可以及时退货，不符合的可以要求更换、修理；经营者承担运输等必要费用。",
            "Goods failing quality requirements and under no state rule or agreement may be returned within seven "
            "days of receipt; later, returned if the contract may legally be cancelled, otherwise exchanged or "
            "repaired; the business pays transport and other necessary costs.",
        ),
    ),
    Clause(
        "cpl_25_1",
        _LAW,
        CPL,
        _T("第二十五条第一款", "art. 25 para. 1"),
        _T(
            "经营者采用网络、电视、电话、邮购等方式销售商品，消费者有权自收到商品之日起七日内退货，且无需说明理由，"
            "但消费者定作的、鲜活易腐的、在线下载或者消费者拆封的音像制品、计算机软件等数字化商品、"
            "交付的报纸、期刊除外。",
            "For goods sold online, by TV, phone or mail order the consumer may return them within seven days of "
            "receipt without giving a reason, except goods made to order, fresh and perishable goods, digital goods "
            "downloaded or unsealed by the consumer, and delivered newspapers and periodicals.",
        ),
    ),
    Clause(
        "cpl_25_2",
        _LAW,
        CPL,
        _T("第二十五条第二款", "art. 25 para. 2"),
        _T(
            "除前款所列商品外，其他根据商品性质并经消费者在购买时确认不宜退货的商品，不适用无理由退货。",
            "Other goods unsuitable for return by their nature are excluded only if the consumer confirmed it "
            "at purchase.",
        ),
    ),
    Clause(
        "cpl_25_3",
        _LAW,
        CPL,
        _T("第二十五条第三款", "art. 25 para. 3"),
        _T(
            "消费者退货的商品应当完好。经营者应当自收到退回商品之日起七日内返还消费者支付的商品价款。"
            "退回商品的运费由消费者承担；经营者和消费者另有约定的，按照约定。",
            "Returned goods must be intact. The business refunds the price within seven days of receiving the goods "
            "back. The consumer pays the return shipping unless agreed otherwise.",
        ),
    ),
    Clause(
        "cpl_55_1",
        _LAW,
        CPL,
        _T("第五十五条第一款", "art. 55 para. 1"),
        _T(
            "经营者有欺诈行为的，应当按照消费者的要求增加赔偿其受到的损失，增加赔偿的金额为消费者购买商品的价款的三倍；"
            "增加赔偿的金额不足五百元的，为五百元。",
            "For fraud the business pays additional compensation of three times the price, at least 500 CNY.",
        ),
    ),
    # 《网络购买商品七日无理由退货暂行办法》
    Clause(
        "nr_6",
        _LAW,
        NO_REASON_MEASURES,
        _T("第六条", "art. 6"),
        _T(
            "消费者定作的商品、鲜活易腐的商品、在线下载或者消费者拆封的音像制品、计算机软件等数字化商品、"
            "交付的报纸、期刊不适用七日无理由退货。",
            "Made-to-order goods, fresh and perishable goods, digital goods downloaded or unsealed by the consumer, "
            "and delivered newspapers and periodicals are not returnable without a reason.",
        ),
    ),
    Clause(
        "nr_7",
        _LAW,
        NO_REASON_MEASURES,
        _T("第七条", "art. 7"),
        _T(
            "拆封后易影响人身安全、生命健康或者易导致品质改变的商品，一经激活或者试用后价值贬损较大的商品，"
            "销售时已明示的临近保质期、有瑕疵的商品，经消费者在购买时确认，可以不适用七日无理由退货。",
            "Goods whose unsealing affects safety, health or quality, goods that lose much value once activated or "
            "tried, and goods sold as near expiry or with a disclosed defect are excluded only if the consumer "
            "confirmed it at purchase.",
        ),
    ),
    Clause(
        "nr_intact",
        _LAW,
        NO_REASON_MEASURES,
        _T("第二章（商品完好标准）", "chapter 2 (standard of intact goods)"),
        _T(
            "商品能够保持原有品质、功能，商品本身、配件、商标标识齐全的，视为商品完好；"
            "消费者基于查验需要而打开商品包装，或者为确认商品的品质、功能而进行合理调试，不影响商品完好。",
            "Goods keeping their original quality and function, with the item, accessories and labels complete, "
            "are intact; opening the package to inspect or reasonably trying the goods does not break that.",
        ),
    ),
    Clause(
        "nr_not_intact_use",
        _LAW,
        NO_REASON_MEASURES,
        _T("第二章（商品完好标准）", "chapter 2 (standard of intact goods)"),
        _T(
            "超出查验和确认商品品质、功能需要而使用商品，导致商品价值贬损较大的，视为商品不完好。",
            "Use beyond what inspecting quality and function needs, which greatly reduces the value, makes the "
            "goods not intact.",
        ),
    ),
    Clause(
        "nr_not_intact_sealed",
        _LAW,
        NO_REASON_MEASURES,
        _T("第二章（商品完好标准）第（一）项", "chapter 2 (standard of intact goods), item 1"),
        _T(
            "食品（含保健食品）、化妆品、医疗器械、计划生育用品：必要的一次性密封包装被损坏的，视为商品不完好。",
            "Food, cosmetics, medical devices, family-planning goods: a broken one-time seal makes them not intact.",
        ),
    ),
    Clause(
        "nr_not_intact_electronics",
        _LAW,
        NO_REASON_MEASURES,
        _T("第二章（商品完好标准）第（二）项", "chapter 2 (standard of intact goods), item 2"),
        _T(
            "电子电器类：进行未经授权的维修、改动，破坏、涂改强制性产品认证标志、指示标贴、机器序列号等，"
            "有难以恢复原状的外观类使用痕迹，或者产生激活、授权信息、不合理的个人使用数据留存等数据类使用痕迹的，"
            "视为商品不完好。",
            "Electronics: unauthorised repair or modification, a damaged or altered 3C mark, label or serial number, "
            "hard-to-remove signs of use, or activation, authorisation or unreasonable personal data left on them "
            "make them not intact.",
        ),
    ),
    Clause(
        "nr_not_intact_textiles",
        _LAW,
        NO_REASON_MEASURES,
        _T("第二章（商品完好标准）第（三）项", "chapter 2 (standard of intact goods), item 3"),
        _T(
            "服装、鞋帽、箱包、玩具、家纺、家具类：商标标识被摘、标识被剪，商品受污、受损的，视为商品不完好。",
            "Clothing, shoes, bags, toys, home textiles and furniture: a brand label removed or cut, or soiled or "
            "damaged goods, are not intact.",
        ),
    ),
    Clause(
        "nr_window",
        _LAW,
        NO_REASON_MEASURES,
        _T("第三章（退货程序）", "chapter 3 (return procedure)"),
        _T(
            "选择无理由退货的消费者应当自收到商品之日起七日内发出退货通知；七日期间自消费者签收商品的次日开始起算。",
            "The consumer gives notice within seven days of receipt; the seven days start the day after signing "
            "for the goods.",
        ),
    ),
    Clause(
        "nr_gifts",
        _LAW,
        NO_REASON_MEASURES,
        _T("第三章（退货程序）", "chapter 3 (return procedure)"),
        _T(
            "消费者退货时应当将商品本身、配件及赠品（含积分、代金券、优惠券）一并退回；赠品不能一并退回的，"
            "经营者可以要求消费者按照事先标明的赠品价格支付赠品价款。",
            "Gifts (including points and coupons) come back with the goods; a gift not returned may be charged at "
            "its marked price.",
        ),
    ),
    Clause(
        "nr_promotion",
        _LAW,
        NO_REASON_MEASURES,
        _T("第三章（退货程序）", "chapter 3 (return procedure)"),
        _T(
            "退货价款以消费者实际支出的价款为准；套装或者满减优惠活动中部分商品退货，导致不能再享受优惠的，"
            "根据购买时各商品价格进行结算，多退少补。",
            "The refund is what the consumer actually paid; a partial return from a bundle or spend-X-save-Y "
            "promotion that loses the promotion is settled at the items' prices at purchase, refunding the "
            "difference.",
        ),
    ),
    Clause(
        "nr_shipping",
        _LAW,
        NO_REASON_MEASURES,
        _T("第三章（退货程序）", "chapter 3 (return procedure)"),
        _T(
            "退货运费由消费者承担，另有约定的按照约定；消费者参加满足一定条件免运费活动，退货后已不能达到免运费要求的，"
            "经营者在退款时可以扣除运费。",
            "The consumer pays the return shipping unless agreed otherwise; a return that loses free shipping may "
            "have the shipping fee deducted from the refund.",
        ),
    ),
    Clause(
        "nr_refund",
        _LAW,
        NO_REASON_MEASURES,
        _T("第三章（退货程序）", "chapter 3 (return procedure)"),
        _T(
            "经营者应当自收到退回商品之日起七日内返还已支付的商品价款，退款方式比照购买商品的支付方式；"
            "以多种方式支付的，按照各种支付方式的实际支付价款以相应方式退款。",
            "The refund is due within seven days of receiving the goods back, to the original means of payment, "
            "split across the means as paid.",
        ),
    ),
    # 《侵害消费者权益行为处罚办法》
    Clause(
        "pen_8",
        _LAW,
        PENALTY_MEASURES,
        _T("第八条", "art. 8"),
        _T(
            "经营者自消费者提出修理、更换、退货等要求之日起，无正当理由超过十五日不履行的，视为故意拖延或者无理拒绝。",
            "Not performing a repair, exchange or return within fifteen days of the request without good reason is "
            "deemed a deliberate delay or unreasonable refusal.",
        ),
    ),
    Clause(
        "pen_9_2",
        _LAW,
        PENALTY_MEASURES,
        _T("第九条第（二）项", "art. 9 item 2"),
        _T(
            "未经消费者确认，以自行规定该商品不适用无理由退货为由拒绝退货的，视为故意拖延或者无理拒绝。",
            "Refusing a return because the business itself declared the goods non-returnable, without the "
            "consumer's confirmation, is an unreasonable refusal.",
        ),
    ),
    Clause(
        "pen_9_3",
        _LAW,
        PENALTY_MEASURES,
        _T("第九条第（三）项", "art. 9 item 3"),
        _T(
            "以消费者已拆封、查验影响商品完好为由拒绝退货的，视为故意拖延或者无理拒绝。",
            "Refusing a return because the consumer unpacked or inspected the goods is an unreasonable refusal.",
        ),
    ),
    Clause(
        "pen_9_4",
        _LAW,
        PENALTY_MEASURES,
        _T("第九条第（四）项", "art. 9 item 4"),
        _T(
            "自收到退回商品之日起无正当理由超过十五日未向消费者返还已支付的商品价款的，视为故意拖延或者无理拒绝。",
            "Not refunding within fifteen days of receiving the goods back without good reason is a deliberate delay.",
        ),
    ),
    # 《部分商品修理更换退货责任规定》
    Clause(
        "sb_6",
        _LAW,
        SANBAO_1995,
        _T("第六条第（二）项", "art. 6 item 2"),
        _T(
            "修理者应当保证修理后的产品能够正常使用30日以上。",
            "The repairer guarantees that a repaired product works normally for at least 30 days.",
        ),
    ),
    Clause(
        "sb_7",
        _LAW,
        SANBAO_1995,
        _T("第七条", "art. 7"),
        _T(
            "生产者应当保证在产品停产后五年内继续提供符合技术要求的零配件。",
            "The producer supplies parts for five years after the product is discontinued.",
        ),
    ),
    Clause(
        "sb_8",
        _LAW,
        SANBAO_1995,
        _T("第八条", "art. 8"),
        _T(
            "三包有效期自开具发票之日起计算，扣除因修理占用和无零配件待修的时间；三包有效期内消费者凭发票及三包凭证办理"
            "修理、换货、退货。",
            "The 三包 period runs from the invoice date, extended by the time in repair and waiting for parts; the "
            "consumer claims with the invoice and the 三包 certificate.",
        ),
    ),
    Clause(
        "sb_9",
        _LAW,
        SANBAO_1995,
        _T("第九条", "art. 9"),
        _T(
            "产品自售出之日起7日内，发生性能故障，消费者可以选择退货、换货或修理；退货时按发票价格一次退清货款。",
            "A performance failure within 7 days of sale: the consumer chooses return, exchange or repair; a return "
            "refunds the invoice price in full.",
        ),
    ),
    Clause(
        "sb_10",
        _LAW,
        SANBAO_1995,
        _T("第十条", "art. 10"),
        _T(
            "产品自售出之日起15日内，发生性能故障，消费者可以选择换货或者修理；换货时免费调换同型号同规格的产品。",
            "A performance failure within 15 days of sale: the consumer chooses exchange (same model and "
            "specification, free) or repair.",
        ),
    ),
    Clause(
        "sb_11",
        _LAW,
        SANBAO_1995,
        _T("第十一条", "art. 11"),
        _T(
            "在三包有效期内，修理两次仍不能正常使用的产品，凭修理记录和证明，由销售者免费调换同型号同规格的产品或者按"
            "第十三条退货。",
            "Repaired twice within the 三包 period and still not working (on the repair records): free exchange for "
            "the same model, or a return under art. 13.",
        ),
    ),
    Clause(
        "sb_12_parts",
        _LAW,
        SANBAO_1995,
        _T("第十二条", "art. 12"),
        _T(
            "在三包有效期内，因生产者未供应零配件，自送修之日起超过90日未修好的，销售者免费为消费者调换同型号同规格产品。",
            "Within the 三包 period, not repaired within 90 days of being handed in because the producer supplied "
            "no parts: free exchange by the seller.",
        ),
    ),
    Clause(
        "sb_12_repairer",
        _LAW,
        SANBAO_1995,
        _T("第十二条", "art. 12"),
        _T(
            "因修理者自身原因使修理期超过30日的，由修理者免费为消费者调换同型号同规格产品，费用由修理者承担。",
            "A repair delayed beyond 30 days by the repairer itself: exchange by the repairer at its own cost.",
        ),
    ),
    Clause(
        "sb_13_no_model",
        _LAW,
        SANBAO_1995,
        _T("第十三条", "art. 13"),
        _T(
            "符合换货条件，销售者无同型号同规格产品，消费者不愿调换其他型号、规格产品而要求退货的，销售者应当予以退货。",
            "Where an exchange is due, the seller has no product of the same model and the consumer does not want "
            "another: return with a full refund.",
        ),
    ),
    Clause(
        "sb_13_depreciation",
        _LAW,
        SANBAO_1995,
        _T("第十三条", "art. 13"),
        _T(
            "有同型号同规格产品，消费者不愿调换而要求退货的，应当予以退货，对已使用过的商品收取折旧费；折旧费自开具发票之日起"
            "至退货之日止计算，扣除修理占用和待修的时间。",
            "Where the seller has the same model and the consumer still wants a return: refund minus depreciation, "
            "counted from the invoice date to the return date less the days in repair and waiting for parts.",
        ),
    ),
    Clause(
        "sb_14",
        _LAW,
        SANBAO_1995,
        _T("第十四条", "art. 14"),
        _T(
            "换货时不得提供残次品、不合格品或者修理过的产品；换货后的三包有效期自换货之日起重新计算。",
            "An exchanged product must be new, never repaired or substandard; its 三包 period starts again on the "
            "exchange day.",
        ),
    ),
    Clause(
        "sb_15",
        _LAW,
        SANBAO_1995,
        _T("第十五条", "art. 15"),
        _T(
            "在三包有效期内，除因消费者使用保管不当致使产品不能正常使用外，由修理者免费修理（包括材料费和工时费）。",
            "Within the 三包 period the repairer repairs free of charge (parts and labour), unless the consumer's "
            "improper use or storage caused the failure.",
        ),
    ),
    Clause(
        "sb_excluded_misuse",
        _LAW,
        SANBAO_1995,
        _T("第三十条第（一）项", "art. 30 item 1"),
        _T(
            "消费者因使用、维护、保管不当造成损坏的，不实行三包，但可以实行收费修理。",
            "Damage from improper use, upkeep or storage: no 三包, paid repair instead.",
        ),
    ),
    Clause(
        "sb_excluded_disassembly",
        _LAW,
        SANBAO_1995,
        _T("第三十条第（二）项", "art. 30 item 2"),
        _T(
            "非承担三包修理者拆动造成损坏的，不实行三包，但可以实行收费修理。",
            "Damage from disassembly by someone not authorised for 三包 repairs: no 三包, paid repair instead.",
        ),
    ),
    Clause(
        "sb_excluded_no_proof",
        _LAW,
        SANBAO_1995,
        _T("第三十条第（三）项", "art. 30 item 3"),
        _T(
            "无三包凭证及有效发票的（能够以其他方式证明购买的除外），不实行三包，但可以实行收费修理。",
            "No 三包 certificate and no valid invoice (unless the purchase is otherwise proven): paid repair instead.",
        ),
    ),
    Clause(
        "sb_excluded_altered",
        _LAW,
        SANBAO_1995,
        _T("第三十条第（四）项", "art. 30 item 4"),
        _T(
            "三包凭证型号与修理产品型号不符或者涂改的，不实行三包，但可以实行收费修理。",
            "The model on the certificate does not match or was altered: no 三包, paid repair instead.",
        ),
    ),
    Clause(
        "sb_excluded_force_majeure",
        _LAW,
        SANBAO_1995,
        _T("第三十条第（五）项", "art. 30 item 5"),
        _T(
            "因不可抗力造成损坏的，不实行三包，但可以实行收费修理。",
            "Damage from force majeure: no 三包, paid repair instead.",
        ),
    ),
    # Product rules building on the 1995 rules.
    Clause(
        "mp_accessory",
        _LAW,
        PRODUCT_RULES["mobile_phone_2001"],
        _T("附件三包", "accessories"),
        _T(
            "附件在其三包有效期内出现性能故障的，免费更换；更换两次后仍出现性能故障的，予以退货。主机按整机规定办理。",
            "A faulty accessory within its own period is replaced free; if it fails after two replacements it is "
            "returned. The host follows the whole-unit rules.",
        ),
    ),
    Clause(
        "mp_parts_delay",
        _LAW,
        PRODUCT_RULES["mobile_phone_2001"],
        _T("修理期限", "repair time limit"),
        _T(
            "移动电话机因生产者未供应零配件，自送修之日起超过60日未修好的，销售者免费调换同型号同规格产品。",
            "A mobile phone not repaired within 60 days of being handed in because no parts were supplied: free "
            "exchange by the seller.",
        ),
    ),
    Clause(
        "fp_parts_delay",
        _LAW,
        PRODUCT_RULES["fixed_phone_2001"],
        _T("修理期限", "repair time limit"),
        _T(
            "固定电话机因生产者未供应零配件，自送修之日起超过60日未修好的，销售者免费调换同型号同规格产品。",
            "A fixed phone not repaired within 60 days of being handed in because no parts were supplied: free "
            "exchange by the seller.",
        ),
    ),
    Clause(
        "fixed_phone_loaner",
        _LAW,
        PRODUCT_RULES["fixed_phone_2001"],
        _T("备用机", "loaner unit"),
        _T(
            "固定电话机送修后3日内未修好的，修理者应当提供备用机。",
            "A fixed phone not repaired within 3 days of being handed in gets a loaner.",
        ),
    ),
    Clause(
        "installation_start",
        _LAW,
        PRODUCT_RULES["flat_panel_tv_2011"],
        _T("三包有效期起算", "start of the 三包 period"),
        _T(
            "平板电视等需送货、安装、调试的商品，三包有效期自送货、安装、调试完成之日起计算。",
            "For flat-panel TVs and other goods that are delivered and installed, the 三包 period starts on the day "
            "delivery, installation and commissioning were all finished.",
        ),
    ),
    # The company's promises (layer 2, off by default).
    Clause(
        "cp_store_no_reason",
        Layer.COMPANY_PROMISE,
        COMPANY_PROMISE,
        _T("店购无理由退换", "in-store no-reason return"),
        _T(
            "在本公司购买的商品，清洁、无损、不影响再次销售，凭发票或其他购物凭证可无理由退换；"
            "食品、药品、化妆品、内衣、金银首饰、感光材料、烟、酒、吹奏乐器、电池除外。",
            "Goods bought in our stores that are clean, undamaged and resalable may be returned or exchanged "
            "without a reason with the invoice or another proof of purchase, except food, medicine, cosmetics, "
            "underwear, gold and jewellery, photosensitive materials, tobacco, alcohol, wind instruments and "
            "batteries.",
        ),
    ),
    Clause(
        "cp_sanbao_as_normal",
        Layer.COMPANY_PROMISE,
        COMPANY_PROMISE,
        _T("三包商品", "三包 goods"),
        _T(
            "三包商品售出7日内按普通商品办理；超过7日的，须凭有关部门出具的质量检测报告办理。",
            "三包 goods are handled as ordinary goods within 7 days of sale; later only with a quality inspection "
            "report from the relevant body.",
        ),
    ),
    Clause(
        "cp_free_return_shipping",
        Layer.COMPANY_PROMISE,
        COMPANY_PROMISE,
        _T("退货运费", "return shipping"),
        _T("无理由退货的运费由公司承担。", "The company pays the shipping of a no-reason return."),
    ),
    # The company's price rules (layer 3).
    Clause(
        "pr_discount",
        Layer.COMPANY_PRICE_RULE,
        COMPANY_PRICE_RULES,
        _T("折价商品", "discounted goods"),
        _T(
            "以折扣价购买的商品，按折扣价退款。",
            "Goods bought at a discount are refunded at the discounted price.",
        ),
    ),
    Clause(
        "pr_seasonal",
        Layer.COMPANY_PRICE_RULE,
        COMPANY_PRICE_RULES,
        _T("季节性商品", "seasonal goods"),
        _T(
            "季节性商品过季退货的，按现价退款。",
            "Seasonal goods returned after the season are refunded at the current price.",
        ),
    ),
    Clause(
        "pr_company_damage",
        Layer.COMPANY_PRICE_RULE,
        COMPANY_PRICE_RULES,
        _T("公司原因损坏", "damage caused by the company"),
        _T(
            "因公司原因造成商品损坏的，按原价退款。",
            "Goods damaged through the company's fault are refunded at the original price.",
        ),
    ),
    Clause(
        "pr_customer_damage",
        Layer.COMPANY_PRICE_RULE,
        COMPANY_PRICE_RULES,
        _T("顾客原因损坏", "damage caused by the customer"),
        _T(
            "因顾客使用、洗涤、保管不当造成损坏的，不予退换，但员工应协助修理或协商解决。",
            "Damage from the customer's use, washing or upkeep: no return, but staff help to repair or negotiate.",
        ),
    ),
)

CLAUSES: dict[str, Clause] = {c.code: c for c in _CLAUSE_LIST}


def clause(code: str) -> Clause:
    return CLAUSES[code]
