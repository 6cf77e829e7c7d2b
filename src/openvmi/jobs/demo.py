"""The demo company: a realistic, deterministic data set so a newcomer can log in and look around."""
import random
from datetime import date, timedelta
from decimal import Decimal

from rich.progress import Progress
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openvmi.access import Role
from openvmi.auth import service as auth_service
from openvmi.auth.schemas import UserCreate
from openvmi.catalog import service as catalog_service
from openvmi.catalog.schemas import ItemCreate, PriceCreate, SupplierItemCreate
from openvmi.jobs.demo_inbound import load_inbound
from openvmi.ledger import service as ledger_service
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from openvmi.locations import service as locations_service
from openvmi.locations.schemas import LocationCreate
from openvmi.parties import queries as parties_queries
from openvmi.parties import service as parties_service
from openvmi.parties.models import Party
from openvmi.parties.schemas import PartyCreate, PlantCreate

BUYER = ("HXPM", "华信精密制造有限公司 Huaxin Precision Manufacturing Co., Ltd.")
PLANTS = [("SZ01", "苏州工厂 Suzhou Plant", "88 Xinghu St, Suzhou Industrial Park"),
          ("SH02", "深圳工厂 Shenzhen Plant", "12 Guanlan Hi-Tech Park, Longhua, Shenzhen")]

SUPPLIERS = [
    ("S-NBHD", "宁波恒达紧固件有限公司 Ningbo Hengda Fasteners", "CN"),
    ("S-WXRB", "无锡瑞宝轴承有限公司 Wuxi Ruibao Bearings", "CN"),
    ("S-DGML", "东莞美林塑胶制品有限公司 Dongguan Meilin Plastics", "CN"),
    ("S-SZJH", "苏州晶华电子有限公司 Suzhou Jinghua Electronics", "CN"),
    ("S-HZXL", "杭州新立电缆有限公司 Hangzhou Xinli Cable", "CN"),
    ("S-FSGY", "佛山广源五金制品厂 Foshan Guangyuan Hardware", "CN"),
    ("S-CZTM", "常州天马电机有限公司 Changzhou Tianma Motors", "CN"),
    ("S-QDHY", "青岛海宇密封件有限公司 Qingdao Haiyu Seals", "CN"),
    ("S-XMJC", "厦门嘉诚包装材料有限公司 Xiamen Jiacheng Packaging", "CN"),
    ("S-TJBS", "天津博升钣金有限公司 Tianjin Bosheng Sheet Metal", "CN"),
    ("S-KSHX", "昆山华兴精密模具 Kunshan Huaxing Precision Mould", "CN"),
    ("S-WZDQ", "温州德强电器有限公司 Wenzhou Deqiang Electric", "CN"),
    ("S-SHLK", "上海联科化工有限公司 Shanghai Lianke Chemicals", "CN"),
    ("S-CQYT", "重庆渝通铸造有限公司 Chongqing Yutong Casting", "CN"),
    ("S-NJKT", "南京凯泰传感器有限公司 Nanjing Kaitai Sensors", "CN"),
    ("S-ZZHF", "郑州恒丰弹簧有限公司 Zhengzhou Hengfeng Springs", "CN"),
    ("S-JXYL", "嘉兴永力标准件 Jiaxing Yongli Standard Parts", "CN"),
    ("S-HFTC", "合肥泰昌线束有限公司 Hefei Taichang Wire Harness", "CN"),
    ("S-SYBD", "沈阳北达液压件有限公司 Shenyang Beida Hydraulics", "CN"),
    ("S-WHGX", "武汉光信光电有限公司 Wuhan Guangxin Optoelectronics", "CN"),
    ("S-RHEIN", "Rheinland Wälzlager GmbH", "DE"),
    ("S-KEYST", "Keystone Seal & Gasket Inc.", "US"),
    ("S-NORDF", "Nordfjord Fastening AS", "NO"),
    ("S-OSAKA", "Osaka Precision Components K.K.", "JP"),
    ("S-LOMBR", "Lombardia Componenti S.p.A.", "IT"),
    ("S-BRUMM", "Brummer Elektrotechnik AG", "CH"),
    ("S-MIDWE", "Midwest Cable Assemblies LLC", "US"),
    ("S-HANRI", "Hanil Rubber Industrial Co., Ltd.", "KR"),
    ("S-TAIPR", "Taipei Resistor Works Co.", "TW"),
    ("S-CZECH", "Moravia Plastics s.r.o.", "CZ"),
]
CURRENCY = {"CN": "CNY", "DE": "EUR", "IT": "EUR", "CZ": "EUR", "US": "USD", "NO": "EUR",
            "JP": "JPY", "CH": "EUR", "KR": "USD", "TW": "USD"}

DEMO_USERS: list[tuple[str, str, str, str | None]] = [
    ("admin", "admin-demo", "admin", None),
    ("buyer", "buyer-demo", "buyer", None),
    ("warehouse", "warehouse-demo", "warehouse", None),
    ("finance", "finance-demo", "finance", None),
    ("hengda", "hengda-demo", "supplier", "S-NBHD"),
    ("ruibao", "ruibao-demo", "supplier", "S-WXRB"),
    ("rheinland", "rheinland-demo", "supplier", "S-RHEIN"),
]
DISPLAY_NAMES = {"admin": "系统管理员 System Admin", "buyer": "王敏 Wang Min (Buyer)",
                 "warehouse": "李强 Li Qiang (Warehouse)", "finance": "陈静 Chen Jing (Finance)",
                 "hengda": "恒达 销售 Hengda Sales", "ruibao": "瑞宝 计划 Ruibao Planning",
                 "rheinland": "Anna Weber (Rheinland)"}


def has_data(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Party)) or 0) > 0


def _item_catalogue(rng: random.Random) -> list[tuple[ItemCreate, list[str]]]:
    """About 500 items, each with the supplier codes that can deliver it."""
    items: list[tuple[ItemCreate, list[str]]] = []
    fastener_suppliers = ["S-NBHD", "S-JXYL", "S-FSGY", "S-NORDF"]
    for size in ("M3", "M4", "M5", "M6", "M8", "M10", "M12", "M16", "M20"):
        for length in (8, 10, 12, 16, 20, 25, 30, 40, 50, 60):
            items.append((ItemCreate(code=f"BOLT-{size}X{length}", name=f"六角螺栓 Hex bolt {size}x{length} DIN 933 8.8 zinc",
                                     unit="PCS", category="fasteners"), rng.sample(fastener_suppliers, 2)))
        items.append((ItemCreate(code=f"NUT-{size}", name=f"六角螺母 Hex nut {size} DIN 934 8 zinc", unit="PCS",
                                 category="fasteners"), rng.sample(fastener_suppliers, 2)))
        items.append((ItemCreate(code=f"WASH-{size}", name=f"平垫圈 Flat washer {size} DIN 125", unit="PCS",
                                 category="fasteners"), rng.sample(fastener_suppliers, 1)))
    for series in (60, 62, 63):
        for bore in range(0, 20):
            items.append((ItemCreate(code=f"BRG-{series}{bore:02d}-2RS", name=f"深沟球轴承 Deep groove ball bearing {series}{bore:02d}-2RS",
                                     unit="PCS", category="bearings"), rng.sample(["S-WXRB", "S-RHEIN", "S-OSAKA"], 2)))
    for value in ("10R", "47R", "100R", "220R", "470R", "1K", "2K2", "4K7", "10K", "22K", "47K", "100K"):
        for package in ("0402", "0603", "0805"):
            items.append((ItemCreate(code=f"RES-{package}-{value}", name=f"贴片电阻 Chip resistor {value} 1% {package}",
                                     unit="PCS", category="electronics"), rng.sample(["S-SZJH", "S-TAIPR"], 1)))
    for value in ("10NF", "100NF", "1UF", "4U7", "10UF", "22UF", "47UF", "100UF"):
        for voltage in ("16V", "25V", "50V"):
            items.append((ItemCreate(code=f"CAP-{value}-{voltage}", name=f"电容 Capacitor {value} {voltage}",
                                     unit="PCS", category="electronics"), rng.sample(["S-SZJH", "S-TAIPR", "S-BRUMM"], 2)))
    for cores in (2, 3, 4, 5, 7):
        for section in ("0.5", "0.75", "1.0", "1.5", "2.5", "4.0"):
            items.append((ItemCreate(code=f"CBL-{cores}X{section}", name=f"电缆 Cable {cores}x{section}mm² PVC",
                                     unit="M", category="cables"), rng.sample(["S-HZXL", "S-MIDWE", "S-HFTC"], 2)))
    for index in range(1, 61):
        items.append((ItemCreate(code=f"HSG-{index:03d}", name=f"注塑外壳 Injection-moulded housing type {index:03d}",
                                 unit="PCS", category="plastics"), rng.sample(["S-DGML", "S-CZECH", "S-KSHX"], 2)))
    for size in range(10, 80, 2):
        items.append((ItemCreate(code=f"ORING-{size}X2", name=f"O型圈 O-ring {size}x2 NBR70", unit="PCS",
                                 category="seals"), rng.sample(["S-QDHY", "S-KEYST", "S-HANRI"], 2)))
    for index in range(1, 41):
        items.append((ItemCreate(code=f"SHT-{index:03d}", name=f"钣金件 Sheet-metal bracket {index:03d} DC01 1.5mm",
                                 unit="PCS", category="sheet metal"), rng.sample(["S-TJBS", "S-LOMBR"], 1)))
    for power in (40, 60, 90, 120, 180, 250, 370, 550, 750):
        items.append((ItemCreate(code=f"MTR-{power}W", name=f"交流电机 AC motor {power} W 230 V", unit="PCS",
                                 category="motors"), rng.sample(["S-CZTM", "S-WZDQ", "S-BRUMM"], 2)))
    for size in ("S", "M", "L", "XL"):
        for wall in ("3PLY", "5PLY"):
            items.append((ItemCreate(code=f"CTN-{size}-{wall}", name=f"瓦楞纸箱 Corrugated carton {size} {wall}",
                                     unit="PCS", category="packaging"), ["S-XMJC"]))
    for index in range(1, 31):
        items.append((ItemCreate(code=f"SNS-{index:03d}", name=f"传感器 Sensor type {index:03d}", unit="PCS",
                                 category="sensors"), rng.sample(["S-NJKT", "S-WHGX", "S-BRUMM"], 2)))
    for index in range(1, 21):
        items.append((ItemCreate(code=f"SPR-{index:03d}", name=f"压缩弹簧 Compression spring {index:03d}", unit="PCS",
                                 category="springs"), ["S-ZZHF"]))
    for index in range(1, 16):
        items.append((ItemCreate(code=f"HYD-{index:03d}", name=f"液压接头 Hydraulic fitting {index:03d}", unit="PCS",
                                 category="hydraulics"), ["S-SYBD"]))
    for index in range(1, 11):
        items.append((ItemCreate(code=f"CST-{index:03d}", name=f"铸件 Casting {index:03d} HT250", unit="KG",
                                 category="castings"), ["S-CQYT"]))
    for index in range(1, 9):
        items.append((ItemCreate(code=f"CHM-{index:03d}", name=f"胶粘剂 Adhesive {index:03d}", unit="KG",
                                 category="chemicals"), ["S-SHLK"]))
    return items


def load_demo(session: Session, *, progress: bool = False) -> str:
    """Create the demo company through the same use cases the API uses. Caller commits."""
    rng = random.Random(20261125)  # deterministic: every newcomer sees the same company
    catalogue = _item_catalogue(rng)
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("demo company", total=len(SUPPLIERS) + len(catalogue) + len(DEMO_USERS) + 10)
        buyer = parties_service.create_party(session, PartyCreate(code=BUYER[0], name=BUYER[1], kind="buyer", country="CN"))
        for code, name, address in PLANTS:
            parties_service.create_plant(session, PlantCreate(code=code, name=name, address=address))
        suppliers = {}
        for code, name, country in SUPPLIERS:
            suppliers[code] = parties_service.create_party(session, PartyCreate(
                code=code, name=name, kind="supplier", country=country,
                contact_email=f"sales@{code.lower().removeprefix('s-')}.example.com",
                stale_after_days=rng.choice((3, 7, 14))))
            locations_service.create_location(session, LocationCreate(
                code=f"SITE-{code.removeprefix('S-')}", name=f"{name} — main warehouse", kind="supplier_site",
                supplier_code=code))
            bar.advance(task)

        for plant_code, plant_name, _ in PLANTS:
            for suffix, kind, label in (("VMI", "vmi", "VMI 寄售库 consignment store"),
                                        ("WH", "warehouse", "原材料仓 raw-material warehouse"),
                                        ("L1", "production", "生产线1 production line 1"),
                                        ("L2", "production", "生产线2 production line 2"),
                                        ("QC", "quarantine", "质检隔离区 quarantine")):
                locations_service.create_location(session, LocationCreate(
                    code=f"{plant_code}-{suffix}", name=f"{plant_name} {label}", kind=kind, plant_code=plant_code))
        for code, kind, name in (("IN-TRANSIT", "in_transit", "在途 In transit"),
                                 ("V-SUPPLY", "virtual", "供应商来源 Supplier origin"),
                                 ("V-ADJUST", "virtual", "盘点调整 Inventory adjustment"),
                                 ("V-SCRAP", "virtual", "报废 Scrap")):
            locations_service.create_location(session, LocationCreate(code=code, name=name, kind=kind))
        bar.advance(task, 10)

        start = date(2026, 1, 1)
        supplier_items = []
        item_codes: dict[int, str] = {}
        for item_request, supplier_codes in catalogue:
            item = catalog_service.create_item(session, item_request.model_copy(update={
                "default_low_water": Decimal(rng.choice((50, 100, 200, 500)))}))
            item_codes[item.id] = item.code
            base_price = Decimal(rng.randint(5, 5000)) / Decimal(100)
            for index, supplier_code in enumerate(supplier_codes):
                country = next(c for s, _, c in SUPPLIERS if s == supplier_code)
                price = base_price * (Decimal("1.0") + Decimal(index) / Decimal(10))
                supplier_items.append(catalog_service.create_supplier_item(session, SupplierItemCreate(
                    supplier_code=supplier_code, item_code=item.code,
                    supplier_part_number=f"{supplier_code.removeprefix('S-')}-{rng.randint(10000, 99999)}-{item.id}",
                    lead_time_days=rng.choice((3, 5, 7, 10, 14, 21, 30, 45)),
                    moq=Decimal(rng.choice((0, 10, 50, 100, 500))), pack_size=Decimal(rng.choice((1, 10, 50, 100))),
                    prices=_price_list(price, CURRENCY[country], start=start))))
            bar.advance(task)

        users = {}
        for username, password, role, supplier_code in DEMO_USERS:
            users[username] = auth_service.create_user(session, UserCreate(
                username=username, display_name=DISPLAY_NAMES[username], password=password, role=Role(role),
                supplier_code=supplier_code, email=f"{username}@demo.openvmi.example.com",
                locale="zh_CN" if role in ("warehouse", "supplier") and supplier_code != "S-RHEIN" else "en"))
            bar.advance(task)

        _opening_stock(session, rng, buyer_id=buyer.id, supplier_items=supplier_items)
        _published_supplier_stock(session, rng, supplier_items=supplier_items)
        _demand_plan(session, rng, supplier_items=supplier_items, item_codes=item_codes, buyer=users["buyer"])
        _vmi_agreements(session, rng, supplier_items=supplier_items)
        load_inbound(session, supplier_items=supplier_items, users=users)
    return (f"demo company loaded: {len(SUPPLIERS)} suppliers, {len(catalogue)} items, "
            f"{len(supplier_items)} supplier items, {len(DEMO_USERS)} users")


def _price_list(price: Decimal, currency: str, *, start: date) -> list[PriceCreate]:
    """Two half-year break sets: the list price for any quantity and 5 % off lines of 1,000 or more;
    from July 1st, 3 % off both."""
    breaks = []
    for valid_from, valid_to, factor in ((start, date(2026, 6, 30), Decimal(1)),
                                         (date(2026, 7, 1), None, Decimal("0.97"))):
        for min_quantity, discount in ((Decimal(0), Decimal(1)), (Decimal(1000), Decimal("0.95"))):
            breaks.append(PriceCreate(price=(price * factor * discount).quantize(Decimal("0.0001")),
                                      currency=currency, valid_from=valid_from, valid_to=valid_to,
                                      min_quantity=min_quantity))
    return breaks


def _vmi_agreements(session: Session, rng: random.Random, *, supplier_items: list) -> None:
    """Agreements for a sample of the suppliers' items at each plant's VMI store: most active, a few
    drafts waiting for activation and one ended, settled monthly unless the supplier asked otherwise."""
    from openvmi.locations.queries import find_location_by_code
    from openvmi.vmi.agreements import service as agreements_service
    from openvmi.vmi.agreements.schemas import AgreementCreate

    countries = {code: country for code, _, country in SUPPLIERS}
    codes = {supplier_id: parties_queries.get_party(session, supplier_id).code
             for supplier_id in {s.supplier_id for s in supplier_items}}
    for plant_code, _, _ in PLANTS:
        vmi = find_location_by_code(session, f"{plant_code}-VMI")
        for index, supplier_item in enumerate(rng.sample(supplier_items, 40)):
            country = countries[codes[supplier_item.supplier_id]]
            minimum = Decimal(rng.choice((50, 100, 200, 500)))
            row = agreements_service.create_agreement(session, AgreementCreate(
                supplier_item_id=supplier_item.id, location_id=vmi.id, min_level=minimum,
                max_level=minimum * rng.choice((3, 4, 5)),
                settlement_cycle=rng.choice(("monthly", "monthly", "monthly", "semi_monthly", "weekly")),
                currency=CURRENCY[country], tax_rate_percent=Decimal(13) if country == "CN" else Decimal(0),
                adjustments_need_approval=rng.random() < 0.8, call_off_answer_hours=rng.choice((24, 48, 72)),
                over_shipment_tolerance_percent=Decimal(rng.choice((0, 5, 10))), valid_from=date(2026, 1, 1)),
                actor_id=None)
            if index % 10 != 9:  # every tenth stays a draft
                agreements_service.activate_agreement(session, row.id)
            if index == 0:
                agreements_service.end_agreement(session, row.id)


def _opening_stock(session: Session, rng: random.Random, *, buyer_id: int, supplier_items: list) -> None:
    """Consigned stock in both VMI stores and buyer-owned stock in the warehouses."""
    from openvmi.locations.queries import find_location_by_code

    origin = find_location_by_code(session, "V-SUPPLY")
    moves = []
    for plant_code, _, _ in PLANTS:
        vmi = find_location_by_code(session, f"{plant_code}-VMI")
        warehouse = find_location_by_code(session, f"{plant_code}-WH")
        for supplier_item in rng.sample(supplier_items, 120):
            moves.append(MoveCreate(item_id=supplier_item.item_id, quantity=Decimal(rng.randint(1, 40) * 25),
                                    from_location_id=origin.id, from_owner_id=supplier_item.supplier_id,
                                    to_location_id=vmi.id, to_owner_id=supplier_item.supplier_id,
                                    kind="receipt", reference="DEMO-OPENING"))
        for supplier_item in rng.sample(supplier_items, 60):
            # bought outright earlier: the buyer's own stock, received from the supplier's origin
            moves.append(MoveCreate(item_id=supplier_item.item_id, quantity=Decimal(rng.randint(1, 20) * 10),
                                    from_location_id=origin.id, from_owner_id=buyer_id,
                                    to_location_id=warehouse.id, to_owner_id=buyer_id,
                                    kind="receipt", reference="DEMO-OPENING"))
    ledger_service.post_moves(session, PostingCreate(moves=moves), actor=None, idempotency_key="demo-opening-stock")


def _published_supplier_stock(session: Session, rng: random.Random, *, supplier_items: list) -> None:
    """Each supplier publishes its stock the way it would in production: a CSV export of its ERP
    (Chinese headers from Chinese suppliers), imported in full mode. Some lines are out of stock
    with a next-available date, and a few sit under the low-water mark, so alerts show at once."""
    import csv
    import io

    from openvmi.supplier_stock.schemas import ImportRequest
    from openvmi.supplier_stock.service import imports

    today = date.today()
    by_supplier: dict[int, list] = {}
    for supplier_item in supplier_items:
        by_supplier.setdefault(supplier_item.supplier_id, []).append(supplier_item)
    countries = {code: country for code, _, country in SUPPLIERS}
    for supplier_id, lines in by_supplier.items():
        supplier = parties_queries.get_party(session, supplier_id)
        chinese = countries[supplier.code] == "CN"
        header = (["供应商料号", "仓库", "库存", "可用量", "预计可用日期", "交期"] if chinese else
                  ["Supplier part number", "Site", "On hand", "Available", "Next available date", "Lead time days"])
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        for line in lines:
            roll = rng.random()
            if roll < 0.05:  # sold out: tells the buyer when it will be back
                on_hand, available, next_date = 0, 0, (today + timedelta(days=rng.randint(3, 30))).isoformat()
            elif roll < 0.08:  # running low
                on_hand = rng.randint(1, 40)
                available, next_date = on_hand, ""
            else:
                on_hand = rng.randint(60, 400) * 10
                available, next_date = on_hand - rng.randint(0, on_hand // 10), ""
            writer.writerow([line.supplier_part_number, f"SITE-{supplier.code.removeprefix('S-')}",
                             on_hand, available, next_date, line.lead_time_days])
        imports.import_supplier_stock(
            session, ImportRequest(supplier_code=supplier.code, filename=f"{supplier.code}-stock.csv", mode="full"),
            stream=io.BytesIO(text.getvalue().encode()), actor_id=None)


PLAN_WEEKS = 12
PLANNED_SUPPLIERS = {"S-NBHD": 12, "S-WXRB": 8, "S-RHEIN": 5}  # the demo supplier users' items, and others


def _demand_plan(session: Session, rng: random.Random, *, supplier_items: list, item_codes: dict[int, str],
                 buyer) -> None:
    """A 12-week plan by ISO week at both plants, published twice: the second version moves a few
    weeks a little and quadruples one week of Hengda's first item, the jump its supplier must see."""
    from openvmi.access import Actor
    from openvmi.planning import service as planning_service
    from openvmi.planning.rules import week_label, week_start
    from openvmi.planning.schemas import PlanLineIn, PlanPublish

    codes = {s.id: code for code, s in ((c, parties_queries.find_party_by_code(session, c)) for c in PLANNED_SUPPLIERS)
             if s is not None}
    planned: list[str] = []
    for supplier_id, code in codes.items():
        planned += [item_codes[si.item_id] for si in supplier_items
                    if si.supplier_id == supplier_id][:PLANNED_SUPPLIERS[code]]
    others = sorted(set(item_codes.values()) - set(planned))
    planned += rng.sample(others, 40)
    monday = week_start(date.today())
    weeks = [week_label(monday + timedelta(weeks=n)) for n in range(PLAN_WEEKS)]
    base = {(item, plant): rng.randint(20, 120) * 10 for item in planned for plant, _, _ in PLANTS}
    actor = Actor(user_id=buyer.id, username=buyer.username, role=Role.BUYER, supplier_id=None)

    def plan(quantity_of) -> PlanPublish:
        return PlanPublish(lines=[PlanLineIn(item_code=item, plant_code=plant, week=week,
                                             quantity=Decimal(quantity_of(item, plant, n)))
                                  for (item, plant) in base for n, week in enumerate(weeks)])

    planning_service.publish_plan(session, plan(lambda item, plant, n: base[item, plant]), actor=actor)
    surge = (planned[0], PLANTS[0][0], 2)  # week 3 of Hengda's first item at Suzhou: four times the demand
    nudged = set(rng.sample(sorted(base), 10))

    def revised(item: str, plant: str, n: int) -> int:
        if (item, plant, n) == surge:
            return base[item, plant] * 4
        if (item, plant) in nudged and n in (4, 5):
            return base[item, plant] + rng.choice((-1, 1)) * 50
        return base[item, plant]

    planning_service.publish_plan(session, plan(revised), actor=actor)
