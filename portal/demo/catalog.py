"""The demo district as plain data: Qingxin District (清新区) of Qingyuan (清远市), Guangdong.

Regions, departments, halls and their windows, the matter catalog with materials and form fields,
the "一件事" themes, a few enterprises and the demo accounts. No ORM here: the `load_demo`
management command turns these lists into rows, so this module can be read (and tested) without
a database.

Codes
-----
- Region codes follow GB/T 2260 (12 digits with the town and village parts). The town and village
  parts below are plausible demo codes, not the official statistical ones.
- A matter's basic code follows the shape of GB/T 39554.1: two letters for the matter type
  (XK licensing, QR confirmation, GF payment, ZS levy, JL reward, CJ adjudication, QT other power,
  GG public service), a 5-digit main item and a 3-digit sub-item (000 when there is none). The
  numbers themselves are local demo numbers.
- The implementation code appends the level (GB/T 39554.1 level digits: 4 county/district,
  5 town), the district region code and the implementing body:
  ``XK00101001-4-441803-SCJG`` = licensing 00101/001, district level, Qingxin, market regulation.
  Town-level matters are one catalog entry for the whole district, implemented by every town's
  hall, so their region part is the district too.
- Resident ID numbers and credit codes carry real check characters, computed below with
  `accounts.identity`; the people and companies are invented.
"""

from accounts.identity import credit_check_char, id_check_char

PASSWORD = "Demo#7Kq2m"

CITY = "441800000000"
DISTRICT = "441803000000"
TAIHE = "441803100000"


def _id(first17: str) -> str:
    """A resident ID number (GB 11643) from its first 17 digits."""
    return first17 + id_check_char(first17)


def _org_code(first8: str) -> str:
    """An organisation code (GB 11714) from its first 8 characters: weights 3,7,9,10,5,8,4,2, MOD 11."""
    total = sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w for ch, w in zip(first8, [3, 7, 9, 10, 5, 8, 4, 2]))
    check = 11 - total % 11
    return first8 + {10: "X", 11: "0"}.get(check, str(check))


def _credit(kind: str, region6: str, org8: str) -> str:
    """A unified social credit code (GB 32100): registration authority and organisation category
    (e.g. "91" company, "93" farmers' cooperative), region, organisation code, check character."""
    first17 = kind + region6 + _org_code(org8)
    return first17 + credit_check_char(first17)


# --- organisations ---------------------------------------------------------------------------

REGIONS = [
    {"code": CITY, "name": "清远市", "level": "city", "parent": None},
    {"code": DISTRICT, "name": "清新区", "level": "district", "parent": CITY},
    {"code": TAIHE, "name": "太和镇", "level": "town", "parent": DISTRICT},
    {"code": "441803101000", "name": "太平镇", "level": "town", "parent": DISTRICT},
    {"code": "441803102000", "name": "山塘镇", "level": "town", "parent": DISTRICT},
    {"code": "441803103000", "name": "三坑镇", "level": "town", "parent": DISTRICT},
    {"code": "441803104000", "name": "龙颈镇", "level": "town", "parent": DISTRICT},
    {"code": "441803105000", "name": "禾云镇", "level": "town", "parent": DISTRICT},
    {"code": "441803106000", "name": "浸潭镇", "level": "town", "parent": DISTRICT},
    {"code": "441803107000", "name": "石潭镇", "level": "town", "parent": DISTRICT},
    {"code": "441803400000", "name": "笔架林场", "level": "town", "parent": DISTRICT},
    {"code": "441803100001", "name": "太和社区居委会", "level": "village", "parent": TAIHE},
    {"code": "441803100201", "name": "坑口村委会", "level": "village", "parent": TAIHE},
    {"code": "441803100202", "name": "南冲村委会", "level": "village", "parent": TAIHE},
]

DEPARTMENTS = [
    {"code": "QX-SCJG", "name": "清远市清新区市场监督管理局", "short_name": "区市场监管局", "region": DISTRICT, "phone": "0763-5822315"},
    {"code": "QX-RSJ", "name": "清远市清新区人力资源和社会保障局", "short_name": "区人社局", "region": DISTRICT, "phone": "0763-5833012"},
    {"code": "QX-GA", "name": "清远市公安局清新分局", "short_name": "区公安分局", "region": DISTRICT, "phone": "0763-5832236"},
    {"code": "QX-WJJ", "name": "清远市清新区卫生健康局", "short_name": "区卫生健康局", "region": DISTRICT, "phone": "0763-5836201"},
    {"code": "QX-ZJJ", "name": "清远市清新区住房和城乡建设局", "short_name": "区住建局", "region": DISTRICT, "phone": "0763-5823128"},
    {"code": "QX-ZRZY", "name": "清远市自然资源局清新分局", "short_name": "区自然资源分局", "region": DISTRICT, "phone": "0763-5813399"},
    {"code": "QX-MZJ", "name": "清远市清新区民政局", "short_name": "区民政局", "region": DISTRICT, "phone": "0763-5821566"},
    {"code": "QX-SWJ", "name": "国家税务总局清远市清新区税务局", "short_name": "区税务局", "region": DISTRICT, "phone": "0763-5822366"},
    {"code": "QX-YBJ", "name": "清远市清新区医疗保障局", "short_name": "区医保局", "region": DISTRICT, "phone": "0763-5839130"},
    {"code": "QX-JTJ", "name": "清远市清新区交通运输局", "short_name": "区交通运输局", "region": DISTRICT, "phone": "0763-5820826"},
    {"code": "QX-NYJ", "name": "清远市清新区农业农村局", "short_name": "区农业农村局", "region": DISTRICT, "phone": "0763-5823650"},
]

_TOWN_HOURS = "周一至周五 8:30-12:00,14:30-17:30"

HALLS = [
    {"code": "QX-ZWZX", "name": "清新区综合政务服务中心", "region": DISTRICT,
     "address": "清远市清新区太和镇玄真路8号", "phone": "0763-5825345",
     "opening_hours": "周一至周五 8:30-12:00,14:30-17:30;周六 9:00-12:00(预约办理)"},
    {"code": "QX-TAIHE", "name": "太和镇综合政务服务中心", "region": TAIHE,
     "address": "清远市清新区太和镇桂园路12号", "phone": "0763-5812086", "opening_hours": _TOWN_HOURS},
    {"code": "QX-TAIPING", "name": "太平镇政务服务中心", "region": "441803101000",
     "address": "清远市清新区太平镇府前路3号", "phone": "0763-5871123", "opening_hours": _TOWN_HOURS},
    {"code": "QX-SHANTANG", "name": "山塘镇政务服务中心", "region": "441803102000",
     "address": "清远市清新区山塘镇山塘大道18号", "phone": "0763-5861036", "opening_hours": _TOWN_HOURS},
    {"code": "QX-SANKENG", "name": "三坑镇政务服务中心", "region": "441803103000",
     "address": "清远市清新区三坑镇温泉大道6号", "phone": "0763-5851208", "opening_hours": _TOWN_HOURS},
    {"code": "QX-LONGJING", "name": "龙颈镇政务服务中心", "region": "441803104000",
     "address": "清远市清新区龙颈镇龙颈圩中山路2号", "phone": "0763-5881066", "opening_hours": _TOWN_HOURS},
    {"code": "QX-HEYUN", "name": "禾云镇政务服务中心", "region": "441803105000",
     "address": "清远市清新区禾云镇禾云圩府前街5号", "phone": "0763-5891218", "opening_hours": _TOWN_HOURS},
    {"code": "QX-JINTAN", "name": "浸潭镇政务服务中心", "region": "441803106000",
     "address": "清远市清新区浸潭镇浸潭圩新街9号", "phone": "0763-5861588", "opening_hours": _TOWN_HOURS},
    {"code": "QX-SHITAN", "name": "石潭镇政务服务中心", "region": "441803107000",
     "address": "清远市清新区石潭镇石潭圩建设路1号", "phone": "0763-5841306", "opening_hours": _TOWN_HOURS},
    {"code": "QX-BIJIA", "name": "笔架林场政务服务站", "region": "441803400000",
     "address": "清远市清新区笔架林场场部办公楼一楼", "phone": "0763-5895012", "opening_hours": _TOWN_HOURS},
]

WINDOWS = [
    {"hall": "QX-ZWZX", "number": "A01", "name": "自然人综合窗口(社会保障)", "category": "natural", "department": None},
    {"hall": "QX-ZWZX", "number": "A02", "name": "自然人综合窗口(户籍证照)", "category": "natural", "department": None},
    {"hall": "QX-ZWZX", "number": "A03", "name": "自然人综合窗口(住房与民生)", "category": "natural", "department": None},
    {"hall": "QX-ZWZX", "number": "A04", "name": "自然人综合窗口(综合)", "category": "natural", "department": None},
    {"hall": "QX-ZWZX", "number": "B01", "name": "法人综合窗口(商事登记)", "category": "legal", "department": None},
    {"hall": "QX-ZWZX", "number": "B02", "name": "法人综合窗口(工程建设)", "category": "legal", "department": None},
    {"hall": "QX-ZWZX", "number": "B03", "name": "法人综合窗口(经营许可)", "category": "legal", "department": None},
    {"hall": "QX-ZWZX", "number": "C01", "name": "帮办代办窗口", "category": "assist", "department": None},
    {"hall": "QX-ZWZX", "number": "D01", "name": "综合出件窗口", "category": "delivery", "department": None},
    {"hall": "QX-ZWZX", "number": "E01", "name": "不动产登记窗口", "category": "department", "department": "QX-ZRZY"},
    {"hall": "QX-ZWZX", "number": "E02", "name": "税务办税窗口", "category": "department", "department": "QX-SWJ"},
]
for _hall in HALLS[1:]:
    WINDOWS += [
        {"hall": _hall["code"], "number": "A01", "name": "自然人综合窗口", "category": "natural", "department": None},
        {"hall": _hall["code"], "number": "B01", "name": "法人综合窗口", "category": "legal", "department": None},
        {"hall": _hall["code"], "number": "D01", "name": "综合出件窗口", "category": "delivery", "department": None},
    ]
del _hall


# --- form fields: one table, so that the same datum has the same key and label everywhere ----

_FIELDS = {
    # key: (label, type, help_text, choices)
    "company_name": ("企业名称", "text", "与营业执照或名称自主申报结果一致", []),
    "credit_code": ("统一社会信用代码", "credit_code", "18位;新设立企业可不填,营业执照核发后由系统自动回填", []),
    "legal_representative": ("法定代表人(负责人)", "text", "", []),
    "registered_capital": ("注册资本(万元)", "number", "认缴出资总额,单位万元", []),
    "business_address": ("住所(经营场所)", "text", "填写至门牌号,如:清远市清新区太和镇××路××号", []),
    "business_scope": ("经营范围", "textarea", "按《经营范围规范表述目录》选择填写", []),
    "contact_phone": ("联系电话", "phone", "用于接收办理进度短信和取件通知", []),
    "applicant_name": ("申请人姓名", "text", "", []),
    "applicant_id_number": ("申请人身份证号码", "id_number", "", []),
    "household_address": ("户籍地址", "text", "与居民户口簿一致", []),
    "residence_address": ("现居住地址", "text", "填写至门牌号", []),
    "bank_account": ("收款银行账号", "text", "优先使用本人社会保障卡金融账户", []),
    "delivery_method": ("领取方式", "choice", "", ["窗口领取", "邮政寄递(免费)"]),
    "trade_name": ("个体工商户名称", "text", "可不起字号;如需字号,应含行政区划、字号、行业、组织形式,如“清新区太和镇阿强粉店”", []),
    "change_items": ("变更事项及内容", "textarea", "逐项写明变更前后内容", []),
    "cancel_reason": ("注销原因", "choice", "", ["股东会决议解散", "营业期限届满", "依法被吊销营业执照后清算完毕", "其他原因"]),
    "food_business_type": ("经营者类型", "choice", "", ["食品销售经营者", "餐饮服务经营者", "单位食堂"]),
    "equipment_type": ("设备种类", "choice", "", ["电梯", "锅炉", "压力容器", "起重机械", "场(厂)内专用机动车辆"]),
    "equipment_location": ("设备使用地点", "text", "", []),
    "report_number": ("举报登记编号", "text", "见受理举报时发出的告知书", []),
    "seal_types": ("印章种类及数量", "textarea", "如:单位公章、财务专用章、发票专用章、法定代表人名章各1枚", []),
    "seal_maker": ("刻章企业", "choice", "新开办企业首套印章免费刻制",
                   ["清远市清新区太和诚信印章有限公司", "清远市清新区玄真刻章服务部", "清远市清新区山塘永安印章店"]),
    "residence_reason": ("申领依据", "choice", "", ["合法稳定就业", "合法稳定住所", "连续就读"]),
    "residence_permit_number": ("居住证号码", "text", "", []),
    "baby_name": ("新生儿姓名", "text", "", []),
    "baby_gender": ("新生儿性别", "choice", "", ["男", "女"]),
    "baby_birth_date": ("新生儿出生日期", "date", "", []),
    "mother_name": ("母亲姓名", "text", "", []),
    "mother_id_number": ("母亲身份证号码", "id_number", "", []),
    "father_name": ("父亲姓名", "text", "", []),
    "settle_with": ("落户方式", "choice", "", ["随父落户", "随母落户"]),
    "deceased_name": ("逝者姓名", "text", "", []),
    "deceased_id_number": ("逝者身份证号码", "id_number", "", []),
    "death_date": ("死亡日期", "date", "", []),
    "death_place": ("死亡地点", "choice", "", ["医疗机构内", "家中", "其他场所"]),
    "relationship": ("与逝者关系", "choice", "", ["配偶", "子女", "父母", "其他近亲属"]),
    "renew_reason": ("换领原因", "choice", "", ["有效期满换领", "证件损坏换领", "登记项目变更换领"]),
    "employee_count": ("参保职工人数", "number", "", []),
    "contribution_grade": ("缴费档次(元/年)", "choice", "可每年调整一次",
                           ["180", "240", "360", "600", "900", "1200", "1800", "2400", "3600"]),
    "card_bank": ("社会保障卡合作银行", "choice", "",
                  ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "广东清新农村商业银行"]),
    "retirement_date": ("退休时间", "date", "以法定退休年龄或经批准的退休时间为准", []),
    "last_employer": ("原工作单位", "text", "", []),
    "separation_date": ("解除(终止)劳动关系日期", "date", "", []),
    "venue_type": ("场所类别", "choice", "", ["宾馆、酒店", "美容美发场所", "沐浴场所(含温泉)", "游泳场所", "歌舞厅"]),
    "business_area": ("经营面积(平方米)", "number", "", []),
    "project_name": ("项目名称", "text", "", []),
    "project_address": ("项目地址", "text", "", []),
    "contract_price": ("合同价格(万元)", "number", "", []),
    "drainage_volume": ("日排水量(立方米)", "number", "", []),
    "presale_area": ("预售建筑面积(平方米)", "number", "", []),
    "household_size": ("共同生活家庭人口数", "number", "", []),
    "monthly_income": ("家庭月人均收入(元)", "number", "含工资、经营、财产及转移性收入", []),
    "property_certificate_number": ("不动产权证书号", "text", "如:粤(2019)清远市不动产权第0012345号", []),
    "property_location": ("不动产坐落", "text", "与不动产权证书记载一致", []),
    "transaction_price": ("成交价格(元)", "number", "与网签合同一致", []),
    "loan_amount": ("被担保主债权数额(元)", "number", "", []),
    "village_name": ("所在村(居)委会", "text", "如:太和镇坑口村委会", []),
    "building_area": ("建筑面积(平方米)", "number", "", []),
    "building_floors": ("建筑层数", "number", "农村村民住宅原则上不超过三层半", []),
    "homestead_area": ("申请宅基地面积(平方米)", "number", "按《广东省实施〈中华人民共和国土地管理法〉办法》规定的标准", []),
    "forest_location": ("林地坐落", "text", "写明镇、村、小班", []),
    "harvest_volume": ("采伐蓄积(立方米)", "number", "", []),
    "tree_species": ("树种", "choice", "", ["杉木", "马尾松", "桉树", "竹林", "其他阔叶树"]),
    "dispute_location": ("争议地点", "text", "写明镇、村及四至", []),
    "dispute_area": ("争议面积(亩)", "number", "", []),
    "respondent_name": ("被申请人", "text", "对方当事人名称或姓名", []),
    "land_area": ("用地面积(平方米)", "number", "", []),
    "spouse_name": ("对方姓名", "text", "", []),
    "spouse_id_number": ("对方身份证号码", "id_number", "", []),
    "appointment_date": ("预约登记日期", "date", "须双方本人共同到场", []),
    "disability_certificate_number": ("残疾人证号", "text", "第二代残疾人证20位号码", []),
    "disability_grade": ("残疾等级", "choice", "", ["一级", "二级", "三级", "四级"]),
    "bed_count": ("床位数(张)", "number", "", []),
    "tax_officer_name": ("办税人员姓名", "text", "", []),
    "invoice_type": ("申领发票种类", "choice", "", ["数电发票(增值税专用发票)", "数电发票(普通发票)", "暂不申领"]),
    "insured_category": ("参保类别", "choice", "", ["城乡居民(成年人)", "未成年人", "在校大学生"]),
    "disease_name": ("申请病种", "choice", "", ["高血压", "糖尿病", "恶性肿瘤门诊治疗", "慢性肾功能衰竭(门诊透析)", "精神分裂症"]),
    "designated_hospital": ("选定定点医疗机构", "text", "如:清远市清新区人民医院", []),
    "vehicle_count": ("营运车辆数(辆)", "number", "", []),
    "event_name": ("活动名称", "text", "", []),
    "event_date": ("活动举办日期", "date", "", []),
    "participant_count": ("预计参加人数", "number", "含工作人员", []),
    "injury_date": ("事故伤害发生日期", "date", "职业病的填写诊断日期", []),
    "move_from": ("迁出地址", "text", "与原户口簿一致", []),
    "destination_city": ("就医地(省、市)", "text", "如:广东省广州市", []),
    "medical_institution_name": ("医疗机构名称", "text", "", []),
    "road_section": ("涉路路段及桩号", "text", "如:S252线K12+300至K12+450", []),
}


def _f(key: str, required: bool = True, **override) -> dict:
    label, type_, help_text, choices = _FIELDS[key]
    row = {"key": key, "label": label, "type": type_, "required": required, "choices": list(choices), "help_text": help_text}
    row.update(override)
    return row


_MADE_BY_APPLICANT = ("申请", "承诺", "申报", "登记表", "声明", "决议", "决定", "章程", "说明", "方案", "制度", "报告")


def _trust(name: str, form: str, source: str) -> str:
    """The trust level (可信等级) of a material: A issued by an authority (what the licence store or a
    data source holds), D made and vouched for by the applicant (forms, promises, resolutions),
    B an original a clerk checks, C a copy or scan the applicant uploads."""
    if source != "applicant":
        return "A"
    if any(word in name for word in _MADE_BY_APPLICANT):
        return "D"
    return "B" if form in ("original", "both") else "C"


def _m(name: str, form: str = "original", copies: int = 1, required: bool = True, source: str = "applicant",
       note: str = "", deferrable: bool = False, trust_level: str = "") -> dict:
    return {"name": name, "form": form, "copies": copies, "required": required, "source": source, "note": note,
            "deferrable": deferrable, "trust_level": trust_level or _trust(name, form, source)}


def _id_card(who: str = "申请人") -> dict:
    return _m(f"{who}居民身份证", source="licence", note="由电子证照库调取,免提交;无电子证照的现场核验原件")


def _business_licence() -> dict:
    return _m("营业执照", source="licence", note="由电子证照库调取,免提交")


# --- matters ---------------------------------------------------------------------------------

KIND_TYPE_CODES = {
    "licensing": "XK", "confirmation": "QR", "payment": "GF", "levy": "ZS",
    "reward": "JL", "adjudication": "CJ", "other_power": "QT", "public_service": "GG",
}
LEVEL_DIGITS = {"district": "4", "town": "5"}
_DEPARTMENT_PHONES = {d["code"]: d["phone"] for d in DEPARTMENTS}


def _matter(*, basic_code, name, kind, department, target, legal_basis, conditions, legal_days, promised_days,
            materials, fields, level="district", fee_fen=0, fee_basis="不收费", visits=1, online_depth=3,
            citywide=True, in_hall=True, issues_licence=False, result_name="", establishes_entity=False,
            entry_mode="", licence_valid_months=None, licence_holder="applicant", licence_holder_fields=None):
    code = f"{basic_code}-{LEVEL_DIGITS[level]}-{DISTRICT[:6]}-{department.removeprefix('QX-')}"
    # Taxes and real-estate registration have department windows in the hall; the rest the comprehensive windows.
    entry_mode = entry_mode or ("department" if department == "QX-SWJ" or basic_code.startswith("QR00301")
                                else "comprehensive")
    return {
        "code": code, "basic_code": basic_code, "name": name, "kind": kind, "type_code": KIND_TYPE_CODES[kind],
        "department": department, "level": level, "target": target, "legal_basis": legal_basis,
        "conditions": conditions, "legal_days": legal_days, "promised_days": promised_days, "fee_fen": fee_fen,
        "fee_basis": fee_basis, "visits": visits, "online_depth": online_depth, "citywide": citywide,
        "in_hall": in_hall, "issues_licence": issues_licence, "result_name": result_name,
        "establishes_entity": establishes_entity, "entry_mode": entry_mode, "licence_valid_months": licence_valid_months,
        "licence_holder": licence_holder, "licence_holder_fields": licence_holder_fields or {}, "phone": _DEPARTMENT_PHONES[department],
        "materials": materials, "fields": fields,
    }


MATTERS = [
    # -- 区市场监管局 ----------------------------------------------------------------------
    _matter(
        basic_code="XK00101001", name="企业设立登记", kind="licensing", department="QX-SCJG", target="legal",
        legal_basis="《中华人民共和国公司法》第二十九条;《中华人民共和国市场主体登记管理条例》第三条、第十九条",
        conditions="企业名称经自主申报通过;住所(经营场所)真实、合法;股东、法定代表人等符合法律规定;申请材料齐全、符合法定形式。",
        legal_days=3, promised_days=1, visits=0, online_depth=4, issues_licence=True, result_name="营业执照",
        establishes_entity=True,
        materials=[
            _m("公司登记(备案)申请书", form="electronic", note="通过广东省市场监管局企业开办“一网通办”平台在线填写并电子签名"),
            _m("公司章程", form="electronic", note="可选用标准化章程范本"),
            _id_card("股东、法定代表人及董事、监事、高级管理人员"),
            _m("住所(经营场所)使用证明", form="copy",
               note="自有房产的由不动产登记信息共享核验,免提交;租赁的提交租赁合同"),
        ],
        fields=[_f("company_name"), _f("legal_representative"), _f("registered_capital"), _f("business_address"),
                _f("business_scope"), _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00101002", name="企业变更登记", kind="licensing", department="QX-SCJG", target="legal",
        legal_basis="《中华人民共和国市场主体登记管理条例》第十九条、第二十四条",
        conditions="已登记企业的登记事项发生变更;变更事项依法须经批准的,已取得批准文件。",
        legal_days=3, promised_days=1, visits=0, online_depth=4, issues_licence=True, result_name="营业执照",
        establishes_entity=True,
        materials=[
            _m("企业变更登记(备案)申请书", form="electronic"),
            _m("股东会决议或股东决定", form="electronic", note="按公司章程规定作出"),
            _business_licence(),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("change_items"), _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00101003", name="企业注销登记", kind="licensing", department="QX-SCJG", target="legal",
        legal_basis="《中华人民共和国公司法》第二百三十九条;《中华人民共和国市场主体登记管理条例》第三十一条、第三十三条",
        conditions="企业已依法清算完毕;未发生债权债务或已将债权债务清偿完结的,可申请简易注销。",
        legal_days=3, promised_days=1, visits=0, online_depth=4, result_name="准予注销登记通知书",
        materials=[
            _m("注销登记申请书", form="electronic"),
            _m("清算报告或全体投资人承诺书", form="electronic", note="简易注销提交全体投资人承诺书"),
            _business_licence(),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("cancel_reason"), _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00102000", name="个体工商户设立登记", kind="licensing", department="QX-SCJG", target="natural",
        legal_basis="《促进个体工商户发展条例》;《中华人民共和国市场主体登记管理条例》第二条、第十九条",
        conditions="有经营能力的公民;经营场所真实、合法;经营范围不属于法律法规禁止的行业。",
        legal_days=3, promised_days=0, visits=0, online_depth=4, issues_licence=True, result_name="营业执照",
        materials=[
            _m("个体工商户登记(备案)申请书", form="electronic"),
            _id_card("经营者"),
            _m("经营场所使用证明", form="copy", note="自有房产的由不动产登记信息共享核验,免提交"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("trade_name", required=False),
                _f("business_address"), _f("business_scope"), _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00201000", name="食品经营许可", kind="licensing", department="QX-SCJG", target="legal",
        legal_basis="《中华人民共和国食品安全法》第三十五条;《中华人民共和国行政许可法》第四十二条;"
                    "《食品经营许可和备案管理办法》(国家市场监督管理总局令第78号)",
        conditions="具有与经营的食品品种、数量相适应的经营场所、设备设施;有专职或兼职的食品安全管理人员和保证食品安全的规章制度;"
                   "场所布局合理,与有毒、有害场所以及其他污染源保持规定的距离。",
        legal_days=10, promised_days=5, visits=1, online_depth=3, issues_licence=True, result_name="食品经营许可证",
        materials=[
            _m("食品经营许可申请书", form="electronic"),
            _business_licence(),
            _m("主要设备设施布局、操作流程等文件", form="copy", note="餐饮服务经营者附经营场所平面图;可容缺受理、限期补交",
               deferrable=True),
            _m("食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等规章制度", form="copy"),
            _m("从业人员健康证明", source="licence", note="由电子证照库调取健康证明,免提交"),
        ],
        fields=[_f("company_name"), _f("credit_code", required=False), _f("legal_representative"),
                _f("business_address"), _f("food_business_type"), _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00301000", name="特种设备使用登记", kind="licensing", department="QX-SCJG", target="legal",
        legal_basis="《中华人民共和国特种设备安全法》第三十三条;《特种设备使用管理规则》(TSG 08)",
        conditions="特种设备已经监督检验合格,在投入使用前或者投入使用后三十日内申请。",
        legal_days=15, promised_days=5, visits=1, online_depth=3, issues_licence=True, result_name="特种设备使用登记证",
        materials=[
            _m("特种设备使用登记表", form="original", copies=2),
            _business_licence(),
            _m("产品合格证(含产品数据表)", form="copy"),
            _m("监督检验证明", form="copy", note="由特种设备检验机构出具"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("equipment_type"), _f("equipment_location"), _f("contact_phone")],
    ),
    _matter(
        basic_code="JL00101000", name="食品安全违法行为举报奖励", kind="reward", department="QX-SCJG", target="natural",
        legal_basis="《中华人民共和国食品安全法》第一百一十五条;《市场监管领域重大违法行为举报奖励暂行办法》",
        conditions="举报内容经查证属实并依法作出处理决定;举报人为实名举报且提供了真实有效的联系方式。",
        legal_days=20, promised_days=15, visits=1, online_depth=3, result_name="举报奖励决定书",
        materials=[_id_card(), _m("举报奖励领取告知书"), _m("本人银行账户信息", form="copy")],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("report_number"), _f("bank_account"), _f("contact_phone")],
    ),
    # -- 区公安分局 ------------------------------------------------------------------------
    _matter(
        basic_code="QT00101000", name="公章刻制备案", kind="other_power", department="QX-GA", target="legal",
        legal_basis="《国务院关于取消和下放一批行政许可事项的决定》(国发〔2020〕13号)",
        conditions="已依法取得营业执照或其他设立证明的单位,委托已备案的刻章企业刻制印章。",
        legal_days=1, promised_days=0, visits=0, online_depth=4, result_name="印章刻制备案回执",
        materials=[
            _business_licence(),
            _id_card("法定代表人"),
            _m("印章式样", form="electronic", note="由刻章企业通过公章刻制业治安管理信息系统上传"),
        ],
        fields=[_f("company_name"), _f("credit_code", required=False), _f("legal_representative"), _f("seal_types"),
                _f("seal_maker"), _f("contact_phone")],
    ),
    _matter(
        basic_code="GG00101001", name="居住证申领", kind="public_service", department="QX-GA", target="natural",
        legal_basis="《居住证暂行条例》(国务院令第663号);《广东省流动人口服务管理条例》",
        conditions="离开常住户口所在地到本区居住半年以上,并符合合法稳定就业、合法稳定住所、连续就读条件之一。",
        legal_days=15, promised_days=7, visits=1, online_depth=3, issues_licence=True, result_name="广东省居住证",
        licence_valid_months=12,
        materials=[
            _id_card(),
            _m("居住登记凭证或居住证明", form="copy", note="房屋租赁合同、劳动合同或就读证明之一"),
            _m("近期免冠照片", form="electronic", required=False, note="可在大厅免费现场采集"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("residence_address"), _f("residence_reason"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="GG00101002", name="居住证签注", kind="public_service", department="QX-GA", target="natural",
        legal_basis="《居住证暂行条例》(国务院令第663号)",
        conditions="持有有效居住证,且在居住地连续居住满一年。",
        legal_days=1, promised_days=0, visits=0, online_depth=4, result_name="居住证签注记录",
        materials=[
            _m("居住证", source="licence", note="由电子证照库调取,免提交"),
            _m("连续居住证明", source="data_source", note="由社保缴费或租赁登记信息共享核验,免提交"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("residence_permit_number"), _f("residence_address")],
    ),
    _matter(
        basic_code="QR00101000", name="出生登记", kind="confirmation", department="QX-GA", target="natural",
        legal_basis="《中华人民共和国户口登记条例》第七条",
        conditions="婴儿出生后一个月以内,由户主、亲属或抚养人向婴儿常住地户口登记机关申报。",
        legal_days=5, promised_days=0, visits=1, online_depth=3, result_name="居民户口簿(出生登记页)",
        materials=[
            _m("出生医学证明", source="licence", note="由电子证照库调取出生医学证明电子证照,免提交"),
            _id_card("父母双方"),
            _m("居民户口簿", note="落户户主的户口簿原件"),
            _m("父母结婚证", source="licence", required=False, note="由婚姻登记电子证照调取,免提交"),
        ],
        fields=[_f("baby_name"), _f("baby_gender"), _f("baby_birth_date"), _f("applicant_name"),
                _f("applicant_id_number"), _f("settle_with")],
    ),
    _matter(
        basic_code="QR00102000", name="死亡注销户口", kind="confirmation", department="QX-GA", target="natural",
        legal_basis="《中华人民共和国户口登记条例》第八条",
        conditions="公民死亡后一个月以内,由户主、亲属、抚养人或者邻居向户口登记机关申报死亡登记。",
        legal_days=5, promised_days=0, visits=1, online_depth=3, result_name="注销户口证明",
        materials=[
            _m("居民死亡医学证明(推断)书", source="data_source", note="由人口死亡信息登记系统共享获取,免提交"),
            _m("逝者居民户口簿", note="注销后返还"),
            _m("逝者居民身份证", required=False, note="交回注销;遗失的填写说明"),
            _id_card("申报人"),
        ],
        fields=[_f("deceased_name"), _f("deceased_id_number"), _f("death_date"), _f("applicant_name"),
                _f("applicant_id_number"), _f("relationship")],
    ),
    _matter(
        basic_code="GG00102000", name="居民身份证换领", kind="public_service", department="QX-GA", target="natural",
        legal_basis="《中华人民共和国居民身份证法》第八条、第十一条",
        conditions="居民身份证有效期满、证件严重损坏不能辨认或登记项目变更。",
        legal_days=20, promised_days=15, fee_fen=2000,
        fee_basis="工本费每证20元,依据《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》(发改价格〔2003〕2322号)",
        visits=1, online_depth=3, issues_licence=True, result_name="中华人民共和国居民身份证",
        materials=[
            _m("原居民身份证", note="领取新证时交回"),
            _m("居民户口簿"),
            _m("数码照片回执", required=False, note="可在大厅现场免费采集"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("renew_reason"), _f("delivery_method"),
                _f("contact_phone")],
    ),
    # -- 区人社局 --------------------------------------------------------------------------
    _matter(
        basic_code="GG00201000", name="社会保险登记(单位)", kind="public_service", department="QX-RSJ", target="legal",
        legal_basis="《中华人民共和国社会保险法》第五十七条",
        conditions="用人单位自成立之日起三十日内申请办理社会保险登记。",
        legal_days=15, promised_days=0, visits=0, online_depth=4, result_name="社会保险登记信息确认单",
        materials=[
            _business_licence(),
            _id_card("法定代表人"),
            _m("社会保险登记表", form="electronic"),
        ],
        fields=[_f("company_name"), _f("credit_code", required=False), _f("legal_representative"),
                _f("business_address"), _f("employee_count"), _f("contact_phone")],
    ),
    _matter(
        basic_code="GG00202000", name="城乡居民基本养老保险参保登记", kind="public_service", department="QX-RSJ",
        target="natural", level="town",
        legal_basis="《中华人民共和国社会保险法》第二十条、第二十二条;《国务院关于建立统一的城乡居民基本养老保险制度的意见》(国发〔2014〕8号)",
        conditions="年满16周岁(不含在校学生),非国家机关和事业单位工作人员,不属于职工基本养老保险覆盖范围的本区户籍居民。",
        legal_days=5, promised_days=0, visits=0, online_depth=4, result_name="参保登记确认",
        materials=[_id_card(), _m("居民户口簿", form="copy", required=False, note="户籍信息可共享核验的免提交")],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("household_address"), _f("contribution_grade"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="GG00203000", name="社会保障卡申领", kind="public_service", department="QX-RSJ", target="natural",
        legal_basis="《中华人民共和国社会保险法》第五十八条",
        conditions="已参加社会保险或在本区办理人社业务的人员,未持有有效社会保障卡。",
        legal_days=20, promised_days=0, visits=1, online_depth=3, issues_licence=True, result_name="社会保障卡(即时制卡)",
        materials=[
            _id_card(),
            _m("近期免冠照片", form="electronic", source="data_source", note="调用公安部门身份证照片,免提交"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("card_bank"), _f("delivery_method"), _f("contact_phone")],
    ),
    _matter(
        basic_code="GF00201000", name="职工基本养老保险退休待遇核定", kind="payment", department="QX-RSJ", target="natural",
        legal_basis="《中华人民共和国社会保险法》第十六条;《国务院关于工人退休、退职的暂行办法》(国发〔1978〕104号)",
        conditions="达到法定退休年龄,且基本养老保险累计缴费满规定年限。",
        legal_days=20, promised_days=10, visits=1, online_depth=3, result_name="基本养老金核定表",
        materials=[
            _id_card(),
            _m("本人人事档案", note="由档案保管单位按机要转递"),
            _m("社会保险缴费记录", form="electronic", source="data_source", note="由社保信息系统共享获取,免提交"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("retirement_date"), _f("bank_account"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="GF00202000", name="失业保险金申领", kind="payment", department="QX-RSJ", target="natural",
        legal_basis="《中华人民共和国社会保险法》第四十五条;《失业保险条例》第十四条",
        conditions="失业前用人单位和本人已缴纳失业保险费满一年;非因本人意愿中断就业;已办理失业登记并有求职要求。",
        legal_days=10, promised_days=3, visits=0, online_depth=4, result_name="失业保险待遇核定通知",
        materials=[
            _id_card(),
            _m("解除或终止劳动关系证明", form="electronic", source="data_source",
               note="由用人单位就业登记备案信息共享获取,免提交"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("last_employer"), _f("separation_date"),
                _f("bank_account"), _f("contact_phone")],
    ),
    _matter(
        basic_code="GF00203000", name="丧葬补助金、抚恤金申领", kind="payment", department="QX-RSJ", target="natural",
        legal_basis="《中华人民共和国社会保险法》第十七条",
        conditions="参加基本养老保险的个人因病或者非因工死亡,其遗属可以申领。",
        legal_days=20, promised_days=5, visits=1, online_depth=3, result_name="丧葬补助金、抚恤金核定通知",
        materials=[
            _m("居民死亡医学证明(推断)书", source="data_source", note="由人口死亡信息登记系统共享获取,免提交"),
            _id_card("申领人"),
            _m("申领人与逝者的亲属关系证明", form="copy", required=False, note="户籍信息可共享核验的免提交"),
        ],
        fields=[_f("deceased_name"), _f("deceased_id_number"), _f("death_date"), _f("applicant_name"),
                _f("applicant_id_number"), _f("bank_account")],
    ),
    _matter(
        basic_code="XK00401000", name="劳务派遣经营许可", kind="licensing", department="QX-RSJ", target="legal",
        legal_basis="《中华人民共和国劳动合同法》第五十七条;《劳务派遣行政许可实施办法》(人力资源和社会保障部令第19号)",
        conditions="注册资本不得少于人民币二百万元;有与开展业务相适应的固定经营场所和设施;有符合法律、行政法规规定的劳务派遣管理制度。",
        legal_days=20, promised_days=10, visits=1, online_depth=3, issues_licence=True, result_name="劳务派遣经营许可证",
        materials=[
            _m("劳务派遣经营许可申请书"),
            _business_licence(),
            _m("经营场所的使用证明", form="copy"),
            _m("劳务派遣管理制度", form="copy", note="含劳动合同、劳动报酬、社会保险、工作时间等内容"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("legal_representative"), _f("registered_capital"),
                _f("business_address"), _f("contact_phone")],
    ),
    # -- 区卫生健康局 ----------------------------------------------------------------------
    _matter(
        basic_code="GG00301000", name="出生医学证明首次签发", kind="public_service", department="QX-WJJ", target="natural",
        legal_basis="《中华人民共和国母婴保健法》第二十三条",
        conditions="在本区助产机构内出生,或在医疗机构外出生经核实出生事实的新生儿。",
        legal_days=5, promised_days=0, visits=1, online_depth=3, issues_licence=True, result_name="出生医学证明",
        licence_holder="form_person", licence_holder_fields={"name": "baby_name", "birth_date": "baby_birth_date"},
        materials=[
            _id_card("母亲"),
            _m("父亲居民身份证", required=False, source="licence", note="由电子证照库调取,免提交"),
            _m("分娩记录", form="electronic", source="data_source", note="由助产机构信息系统共享获取,免提交"),
        ],
        fields=[_f("baby_name"), _f("baby_gender"), _f("baby_birth_date"), _f("mother_name"), _f("mother_id_number"),
                _f("father_name", required=False)],
    ),
    _matter(
        basic_code="GG00302000", name="居民死亡医学证明(推断)书签发", kind="public_service", department="QX-WJJ",
        target="natural",
        legal_basis="《国家卫生计生委 公安部 民政部关于进一步规范人口死亡医学证明和信息登记管理工作的通知》(国卫规划发〔2013〕57号)",
        conditions="在医疗机构内死亡的由救治机构签发;在家中或其他场所死亡的,由辖区卫生院或社区卫生服务中心调查后签发。",
        legal_days=5, promised_days=0, visits=1, online_depth=2, result_name="居民死亡医学证明(推断)书",
        materials=[
            _m("逝者居民身份证"),
            _id_card("申办人"),
            _m("死亡调查记录", required=False, note="非医疗机构内死亡的,由辖区卫生院调查后出具"),
        ],
        fields=[_f("deceased_name"), _f("deceased_id_number"), _f("death_date"), _f("death_place"),
                _f("applicant_name"), _f("applicant_id_number")],
    ),
    _matter(
        basic_code="XK00501000", name="公共场所卫生许可", kind="licensing", department="QX-WJJ", target="legal",
        legal_basis="《公共场所卫生管理条例》第八条;《公共场所卫生管理条例实施细则》(卫生部令第80号)",
        conditions="场所选址、设计、装修符合卫生标准和要求;配备必要的卫生设施;从业人员取得有效健康合格证明。",
        legal_days=20, promised_days=10, visits=1, online_depth=3, issues_licence=True, result_name="公共场所卫生许可证",
        materials=[
            _m("公共场所卫生许可申请表"),
            _business_licence(),
            _m("公共场所卫生检测或评价报告", note="由具备资质的检测机构出具"),
            _m("从业人员健康合格证明", source="licence", note="由电子证照库调取,免提交"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("business_address"), _f("venue_type"), _f("business_area"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="GF00301000", name="计划生育家庭特别扶助金申领", kind="payment", department="QX-WJJ", target="natural",
        level="town",
        legal_basis="《中华人民共和国人口与计划生育法》;《广东省人口与计划生育条例》",
        conditions="本区户籍,女方年满49周岁,只生育一个子女或合法收养一个子女,现无存活子女或独生子女被依法鉴定为残疾。",
        legal_days=20, promised_days=15, visits=1, online_depth=3, result_name="特别扶助对象确认通知",
        materials=[
            _id_card(),
            _m("居民户口簿", form="copy"),
            _m("独生子女死亡或伤残证明", form="copy", note="死亡的由户籍信息共享核验;伤残的提交残疾人证"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("household_address"), _f("bank_account"),
                _f("contact_phone")],
    ),
    # -- 区住建局 --------------------------------------------------------------------------
    _matter(
        basic_code="XK00601000", name="建筑工程施工许可证核发", kind="licensing", department="QX-ZJJ", target="legal",
        legal_basis="《中华人民共和国建筑法》第七条、第八条;《建筑工程施工许可管理办法》(住房和城乡建设部令第18号)",
        conditions="已办理用地批准手续和建设工程规划许可;已确定施工企业;有满足施工需要的资金安排、施工图纸及技术资料。",
        legal_days=7, promised_days=3, visits=0, online_depth=4, issues_licence=True, result_name="建筑工程施工许可证",
        materials=[
            _m("建筑工程施工许可申请表", form="electronic"),
            _m("建设工程规划许可证", source="licence", note="由电子证照库调取,免提交"),
            _m("施工合同", form="electronic"),
            _m("施工图设计文件审查合格书", form="electronic", source="data_source", note="由施工图联合审查系统共享获取,免提交"),
            _m("建设资金已经落实承诺书", form="electronic"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("project_name"), _f("project_address"), _f("contract_price"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00602000", name="城镇污水排入排水管网许可", kind="licensing", department="QX-ZJJ", target="legal",
        legal_basis="《城镇排水与污水处理条例》第二十一条;《城镇污水排入排水管网许可管理办法》(住房和城乡建设部令第21号)",
        conditions="排放口设置符合城镇排水规划;按规定建设预处理设施(餐饮业须设隔油池);排放污水水质符合国家和地方标准。",
        legal_days=20, promised_days=5, visits=1, online_depth=3, issues_licence=True, result_name="城镇污水排入排水管网许可证",
        materials=[
            _m("城镇污水排入排水管网许可申请表"),
            _business_licence(),
            _m("排水户内部排水管网、专用检测井、排放口位置和口径的图纸及说明", form="copy"),
            _m("预处理设施说明", form="copy", required=False, note="餐饮服务单位提交隔油池设置说明"),
        ],
        fields=[_f("company_name"), _f("credit_code", required=False), _f("business_address"), _f("drainage_volume"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00603000", name="商品房预售许可", kind="licensing", department="QX-ZJJ", target="legal",
        legal_basis="《中华人民共和国城市房地产管理法》第四十五条;《城市商品房预售管理办法》",
        conditions="已交付全部土地使用权出让金并取得权属证书;持有建设工程规划许可证和施工许可证;投入开发建设的资金达到工程建设总投资的百分之二十五以上。",
        legal_days=10, promised_days=7, visits=1, online_depth=2, in_hall=False, issues_licence=True,
        result_name="商品房预售许可证",
        materials=[
            _m("商品房预售许可申请表"),
            _business_licence(),
            _m("不动产权证书(土地)", source="licence", note="由电子证照库调取,免提交"),
            _m("建设工程规划许可证和施工许可证", source="licence", note="由电子证照库调取,免提交"),
            _m("商品房预售方案", form="copy"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("project_name"), _f("project_address"), _f("presale_area"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="QR00201000", name="公共租赁住房保障资格申请", kind="confirmation", department="QX-ZJJ", target="natural",
        legal_basis="《公共租赁住房管理办法》(住房和城乡建设部令第11号)",
        conditions="在本区无住房或住房面积低于规定标准;家庭收入、财产低于规定标准。",
        legal_days=20, promised_days=15, visits=1, online_depth=3, result_name="公共租赁住房保障资格确认书",
        materials=[
            _id_card("申请人及共同申请人"),
            _m("居民户口簿", form="copy"),
            _m("家庭收入和财产状况", form="electronic", source="data_source",
               note="由居民家庭经济状况核对系统核对,免提交"),
            _m("婚姻状况证明", form="electronic", source="data_source", note="由婚姻登记信息共享核验,免提交"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("household_size"), _f("monthly_income"),
                _f("household_address"), _f("contact_phone")],
    ),
    # -- 区自然资源分局 --------------------------------------------------------------------
    _matter(
        basic_code="QR00301001", name="不动产转移登记(二手房买卖)", kind="confirmation", department="QX-ZRZY",
        target="natural",
        legal_basis="《中华人民共和国民法典》第二百零九条;《不动产登记暂行条例》第十四条、第二十条",
        conditions="买卖双方已签订网签合同并完成纳税申报;不动产无查封等限制转移的情形。",
        legal_days=30, promised_days=5, fee_fen=8000,
        fee_basis="住宅类不动产登记费每件80元,依据《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》(发改价格规〔2016〕2559号)",
        visits=1, online_depth=3, issues_licence=True, result_name="不动产权证书",
        materials=[
            _m("不动产登记申请书", note="买卖双方共同签名"),
            _id_card("买卖双方"),
            _m("不动产权证书", source="licence", note="由电子证照库调取;纸质证书在登记时交回"),
            _m("存量房买卖合同", form="electronic", source="data_source", note="由网签备案系统共享获取,免提交"),
            _m("完税凭证", form="electronic", source="data_source", note="由税务部门共享获取,免提交"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("property_certificate_number"),
                _f("property_location"), _f("transaction_price"), _f("contact_phone")],
    ),
    _matter(
        basic_code="QR00301002", name="不动产抵押权登记", kind="confirmation", department="QX-ZRZY", target="legal",
        legal_basis="《中华人民共和国民法典》第四百零二条;《不动产登记暂行条例》第十四条、第二十条",
        conditions="抵押人与抵押权人已签订抵押合同;抵押物权属清晰,无查封等限制。",
        legal_days=30, promised_days=3, fee_fen=8000,
        fee_basis="住宅类不动产登记费每件80元,依据《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》(发改价格规〔2016〕2559号)",
        visits=0, online_depth=4, issues_licence=True, result_name="不动产登记证明",
        materials=[
            _m("不动产登记申请书", form="electronic"),
            _business_licence(),
            _m("不动产权证书", source="licence", note="由电子证照库调取,免提交"),
            _m("抵押合同及主债权合同", form="electronic"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("property_certificate_number"), _f("property_location"),
                _f("loan_amount"), _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00701000", name="建设用地规划许可证核发", kind="licensing", department="QX-ZRZY", target="legal",
        legal_basis="《中华人民共和国城乡规划法》第三十七条、第三十八条",
        conditions="已签订国有建设用地使用权出让合同或取得划拨用地批准文件;符合控制性详细规划。",
        legal_days=20, promised_days=10, visits=1, online_depth=3, issues_licence=True, result_name="建设用地规划许可证",
        materials=[
            _m("建设用地规划许可申请表"),
            _business_licence(),
            _m("国有建设用地使用权出让合同", form="copy"),
            _m("用地红线图", note="加盖测绘单位公章"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("project_name"), _f("project_address"), _f("land_area"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00702000", name="乡村建设规划许可证核发", kind="licensing", department="QX-ZRZY", target="natural",
        level="town",
        legal_basis="《中华人民共和国城乡规划法》第四十一条",
        conditions="在乡、村庄规划区内建设,符合村庄规划;农村村民住宅建设已取得宅基地批准。",
        legal_days=20, promised_days=15, visits=1, online_depth=3, issues_licence=True, result_name="乡村建设规划许可证",
        materials=[
            _m("乡村建设规划许可申请表"),
            _id_card(),
            _m("农村宅基地批准书", source="licence", note="由电子证照库调取,免提交"),
            _m("住宅设计图或选用的通用图", form="copy"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("village_name"), _f("building_area"),
                _f("building_floors"), _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00703000", name="林木采伐许可证核发", kind="licensing", department="QX-ZRZY", target="natural",
        level="town",
        legal_basis="《中华人民共和国森林法》第五十六条、第五十七条",
        conditions="采伐林木在年度采伐限额内;林木权属清楚;采伐方式和更新措施符合规定。",
        legal_days=20, promised_days=5, visits=1, online_depth=3, issues_licence=True, result_name="林木采伐许可证",
        materials=[
            _m("林木采伐申请表"),
            _id_card(),
            _m("林权证或不动产权证书(林权)", source="licence", note="由电子证照库调取,免提交"),
            _m("伐区调查设计或作业设计", form="copy", required=False, note="采伐蓄积较大时提交"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("forest_location"), _f("tree_species"),
                _f("harvest_volume"), _f("contact_phone")],
    ),
    _matter(
        basic_code="CJ00101000", name="林木林地权属争议裁决", kind="adjudication", department="QX-ZRZY", target="legal",
        legal_basis="《中华人民共和国森林法》第二十二条;《林木林地权属争议处理办法》(林业部令第10号)",
        conditions="单位之间发生的林木、林地所有权和使用权争议,经协商不成,向区人民政府申请处理。",
        legal_days=60, promised_days=45, visits=1, online_depth=2, citywide=False, result_name="林木林地权属争议处理决定书",
        materials=[
            _m("权属争议处理申请书", copies=2),
            _m("申请人主体资格证明", form="copy"),
            _m("权属证明及相关证据材料", form="copy"),
            _m("争议区域示意图"),
        ],
        fields=[_f("company_name", label="申请单位名称"), _f("credit_code"), _f("dispute_location"),
                _f("dispute_area"), _f("respondent_name"), _f("contact_phone")],
    ),
    # -- 区民政局 --------------------------------------------------------------------------
    _matter(
        basic_code="QR00401000", name="内地居民结婚登记", kind="confirmation", department="QX-MZJ", target="natural",
        legal_basis="《中华人民共和国民法典》第一千零四十九条;《婚姻登记条例》",
        conditions="男女双方完全自愿,达到法定婚龄,均无配偶,且不属于直系血亲或三代以内旁系血亲。",
        legal_days=1, promised_days=0, visits=1, online_depth=3, issues_licence=True, result_name="结婚证",
        materials=[
            _m("双方居民身份证", note="须双方本人持原件到场"),
            _m("双方近期半身免冠合影照片", copies=3, note="2寸红底"),
            _m("申请结婚登记声明书", note="在婚姻登记员面前现场签署"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("spouse_name"), _f("spouse_id_number"),
                _f("appointment_date"), _f("contact_phone")],
    ),
    _matter(
        basic_code="GF00401000", name="最低生活保障审核确认", kind="payment", department="QX-MZJ", target="natural",
        level="town",
        legal_basis="《社会救助暂行办法》第九条、第十一条;《最低生活保障审核确认办法》(民发〔2021〕57号)",
        conditions="共同生活的家庭成员人均收入低于本区最低生活保障标准,且家庭财产符合规定。",
        legal_days=30, promised_days=20, visits=1, online_depth=3, result_name="最低生活保障审核确认决定",
        materials=[
            _id_card("申请人及共同生活家庭成员"),
            _m("居民户口簿", form="copy"),
            _m("家庭经济状况核对授权书", note="共同生活家庭成员签名"),
            _m("家庭收入和财产状况", form="electronic", source="data_source", note="由居民家庭经济状况核对系统核对,免提交"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("household_size"), _f("monthly_income"),
                _f("household_address"), _f("contact_phone")],
    ),
    _matter(
        basic_code="GF00402000", name="困难残疾人生活补贴和重度残疾人护理补贴申领", kind="payment", department="QX-MZJ",
        target="natural", level="town",
        legal_basis="《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》(国发〔2015〕52号)",
        conditions="持有第二代残疾人证的本区户籍残疾人;生活补贴对象为低保家庭中的残疾人,护理补贴对象为残疾等级一、二级且需长期照护的残疾人。",
        legal_days=20, promised_days=15, visits=0, online_depth=4, result_name="残疾人两项补贴审核确认通知",
        materials=[
            _id_card(),
            _m("中华人民共和国残疾人证", source="licence", note="由电子证照库调取,免提交"),
            _m("最低生活保障对象认定信息", form="electronic", source="data_source", required=False,
               note="由社会救助信息系统共享核验,免提交"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("disability_certificate_number"),
                _f("disability_grade"), _f("bank_account"), _f("contact_phone")],
    ),
    _matter(
        basic_code="QT00201000", name="养老机构备案", kind="other_power", department="QX-MZJ", target="legal",
        legal_basis="《中华人民共和国老年人权益保障法》第四十三条;《养老机构管理办法》(民政部令第66号)",
        conditions="已依法办理法人登记的养老机构,在收住老年人后10个工作日内向区民政局备案。",
        legal_days=1, promised_days=0, visits=0, online_depth=4, result_name="养老机构备案回执",
        materials=[
            _m("养老机构备案书", form="electronic"),
            _m("营业执照或事业单位法人证书、民办非企业单位登记证书", source="licence", note="由电子证照库调取,免提交"),
            _m("符合消防、食品安全等要求的承诺书", form="electronic"),
        ],
        fields=[_f("company_name", label="机构名称"), _f("credit_code"), _f("legal_representative"),
                _f("business_address"), _f("bed_count"), _f("contact_phone")],
    ),
    # -- 区税务局 --------------------------------------------------------------------------
    _matter(
        basic_code="QT00301000", name="新办纳税人涉税事项(信息确认及发票票种核定)", kind="other_power",
        department="QX-SWJ", target="legal",
        legal_basis="《中华人民共和国税收征收管理法》第十五条;《中华人民共和国发票管理办法》第十五条",
        conditions="已领取营业执照的新办纳税人,首次办理涉税事项。",
        legal_days=1, promised_days=0, visits=0, online_depth=4, result_name="税务事项通知书",
        materials=[
            _business_licence(),
            _id_card("法定代表人"),
            _id_card("办税人员"),
        ],
        fields=[_f("company_name"), _f("credit_code", required=False), _f("legal_representative"),
                _f("tax_officer_name"), _f("invoice_type"), _f("contact_phone")],
    ),
    _matter(
        basic_code="ZS00101000", name="契税申报", kind="levy", department="QX-SWJ", target="natural",
        legal_basis="《中华人民共和国契税法》第一条、第十条",
        conditions="在本区境内承受土地、房屋权属转移的单位和个人,在依法办理权属登记手续前申报缴纳。",
        legal_days=1, promised_days=0, fee_basis="不收取行政事业性收费;契税依法按计税价格和适用税率缴纳",
        visits=1, online_depth=3, result_name="契税完税证明",
        materials=[
            _id_card("承受方"),
            _m("存量房买卖合同", form="electronic", source="data_source", note="由网签备案系统共享获取,免提交"),
            _m("家庭住房情况查询结果", form="electronic", source="data_source", note="享受契税优惠的由住建部门共享核验"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("property_certificate_number"),
                _f("property_location"), _f("transaction_price"), _f("contact_phone")],
    ),
    # -- 区医保局 --------------------------------------------------------------------------
    _matter(
        basic_code="GG00401001", name="城乡居民基本医疗保险参保登记", kind="public_service", department="QX-YBJ",
        target="natural", level="town",
        legal_basis="《中华人民共和国社会保险法》第二十三条、第二十五条",
        conditions="未参加职工基本医疗保险的本区户籍居民或持有本区居住证的常住人口。",
        legal_days=5, promised_days=0, visits=0, online_depth=4, result_name="参保登记确认",
        materials=[_id_card(), _m("居民户口簿或居住证", form="copy", required=False, note="信息可共享核验的免提交")],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("household_address"), _f("insured_category"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="GG00401002", name="新生儿城乡居民基本医疗保险参保登记", kind="public_service", department="QX-YBJ",
        target="natural", level="town",
        legal_basis="《中华人民共和国社会保险法》第二十五条",
        conditions="新生儿出生后,由监护人在规定期限内为其办理参保登记,出生当年起享受待遇。",
        legal_days=5, promised_days=0, visits=0, online_depth=4, result_name="参保登记确认",
        materials=[
            _m("出生医学证明", source="licence", note="由电子证照库调取出生医学证明电子证照,免提交"),
            _id_card("监护人"),
            _m("新生儿居民户口簿", form="copy", required=False, note="已完成出生登记的由公安户籍信息共享核验,免提交"),
        ],
        fields=[_f("baby_name"), _f("baby_gender"), _f("baby_birth_date"), _f("applicant_name"),
                _f("applicant_id_number"), _f("contact_phone")],
    ),
    _matter(
        basic_code="QR00501000", name="职工基本医疗保险退休人员待遇资格确认", kind="confirmation", department="QX-YBJ",
        target="natural",
        legal_basis="《中华人民共和国社会保险法》第二十七条",
        conditions="已办理退休手续,职工基本医疗保险累计缴费年限达到规定年限。",
        legal_days=20, promised_days=5, visits=0, online_depth=4, result_name="退休人员医保待遇确认通知",
        materials=[
            _id_card(),
            _m("职工医保缴费年限记录", form="electronic", source="data_source", note="由医保信息系统获取,免提交"),
            _m("退休待遇核定结果", form="electronic", source="data_source", note="由人社部门共享获取,免提交"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("retirement_date"), _f("contact_phone")],
    ),
    _matter(
        basic_code="QR00502000", name="门诊特定病种待遇认定", kind="confirmation", department="QX-YBJ", target="natural",
        legal_basis="《中华人民共和国社会保险法》第二十八条;《国家医疗保障局 财政部关于建立医疗保障待遇清单制度的意见》(医保发〔2021〕5号)",
        conditions="参加本区基本医疗保险且处于待遇享受期,经定点医疗机构确诊患有门诊特定病种范围内的疾病。",
        legal_days=20, promised_days=5, visits=0, online_depth=4, result_name="门诊特定病种待遇认定通知",
        materials=[
            _id_card(),
            _m("病历及诊断证明", form="copy", note="二级及以上定点医疗机构出具"),
            _m("相关检查检验报告", form="copy"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("disease_name"), _f("designated_hospital"),
                _f("contact_phone")],
    ),
    # -- 区交通运输局 ----------------------------------------------------------------------
    _matter(
        basic_code="XK00801000", name="道路货物运输经营许可", kind="licensing", department="QX-JTJ", target="legal",
        legal_basis="《中华人民共和国道路运输条例》第二十一条、第二十四条;《道路货物运输及站场管理规定》",
        conditions="有与其经营业务相适应并经检测合格的车辆;有符合规定条件的驾驶人员;有健全的安全生产管理制度。",
        legal_days=20, promised_days=10, visits=1, online_depth=2, in_hall=False, issues_licence=True,
        result_name="道路运输经营许可证",
        materials=[
            _m("道路货物运输经营申请表"),
            _business_licence(),
            _m("拟投入车辆承诺书", note="含车辆数量、类型、技术性能"),
            _m("驾驶人员从业资格证", source="licence", note="由电子证照库调取,免提交"),
            _m("安全生产管理制度文本", form="copy"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("legal_representative"), _f("business_address"),
                _f("vehicle_count"), _f("contact_phone")],
    ),
    # -- 区农业农村局 ----------------------------------------------------------------------
    _matter(
        basic_code="XK00901000", name="农村村民宅基地审批", kind="licensing", department="QX-NYJ", target="natural",
        level="town",
        legal_basis="《中华人民共和国土地管理法》第六十二条;《农业农村部 自然资源部关于规范农村宅基地审批管理的通知》(农经发〔2019〕6号)",
        conditions="本集体经济组织成员,符合“一户一宅”规定,申请经村民小组会议讨论通过并公示无异议。",
        legal_days=20, promised_days=15, visits=1, online_depth=3, issues_licence=True, result_name="农村宅基地批准书",
        materials=[
            _m("农村宅基地和建房(规划许可)申请表"),
            _id_card(),
            _m("居民户口簿", form="copy"),
            _m("村民小组会议记录及公示情况", note="由村委会出具"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("village_name"), _f("household_size"),
                _f("homestead_area"), _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00902000", name="农药经营许可", kind="licensing", department="QX-NYJ", target="legal",
        legal_basis="《农药管理条例》第二十四条、第二十五条;《农药经营许可管理办法》",
        conditions="有具备农药和病虫害防治专业知识的经营人员;有与经营规模相适应的营业场所和仓储场所;有进货查验、台账记录等管理制度。",
        legal_days=20, promised_days=10, visits=1, online_depth=3, issues_licence=True, result_name="农药经营许可证",
        materials=[
            _m("农药经营许可申请表"),
            _business_licence(),
            _m("经营人员专业资格证明", form="copy"),
            _m("营业场所和仓储场所地址、面积、平面图等说明材料", form="copy", note="可容缺受理、限期补交", deferrable=True),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("legal_representative"), _f("business_address"),
                _f("contact_phone")],
    ),
    # -- added with the versioned standard (issue 3): the rest of a district's everyday list ------
    _matter(
        basic_code="XK00202000", name="药品零售经营许可", kind="licensing", department="QX-SCJG", target="legal",
        legal_basis="《中华人民共和国药品管理法》第五十一条、第五十二条;《药品经营和使用质量监督管理办法》(国家市场监督管理总局令第84号)",
        conditions="有依法经过资格认定的药师或者其他药学技术人员;有与所经营药品相适应的营业场所、设备、仓储设施和卫生环境;"
                   "有保证药品质量的规章制度,并符合药品经营质量管理规范要求。",
        legal_days=20, promised_days=10, visits=1, online_depth=3, issues_licence=True, result_name="药品经营许可证",
        materials=[
            _m("药品经营许可证申请表"),
            _business_licence(),
            _m("执业药师注册证", source="licence", note="由电子证照库调取,免提交"),
            _m("经营场所和仓库平面布局图及使用证明", form="copy"),
            _m("药品质量管理制度文件目录", form="copy", note="可容缺受理、限期补交", deferrable=True),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("legal_representative"), _f("business_address"),
                _f("business_area"), _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00204000", name="食品生产加工小作坊登记", kind="licensing", department="QX-SCJG",
        target="natural", level="town",
        legal_basis="《中华人民共和国食品安全法》第三十六条;《广东省食品生产加工小作坊和食品摊贩管理条例》第八条、第九条",
        conditions="有固定的生产加工场所,与有毒、有害场所保持规定的距离;生产加工人员持有效健康证明;"
                   "生产加工的食品不属于禁止目录。",
        legal_days=10, promised_days=5, visits=1, online_depth=3, issues_licence=True, result_name="食品小作坊登记证",
        materials=[
            _m("食品生产加工小作坊登记申请书"),
            _id_card("经营者"),
            _m("从业人员健康证明", form="copy", source="data_source", note="由卫生健康部门共享核验,免提交"),
            _m("生产加工场所平面图及工艺流程说明", form="copy"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("business_address"), _f("business_scope"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="GG00103000", name="临时居民身份证申领", kind="public_service", department="QX-GA",
        target="natural",
        legal_basis="《中华人民共和国居民身份证法》第二十条;《中华人民共和国临时居民身份证管理办法》第五条",
        conditions="正在申领、换领、补领居民身份证期间,急需使用居民身份证的本区户籍居民。",
        legal_days=3, promised_days=0, visits=1, online_depth=2, result_name="临时居民身份证",
        materials=[
            _m("居民户口簿", note="窗口核验原件"),
            _m("居民身份证申领受理回执"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("household_address"), _f("contact_phone")],
    ),
    _matter(
        basic_code="QR00103000", name="户口迁移(市内迁入)", kind="confirmation", department="QX-GA",
        target="natural",
        legal_basis="《中华人民共和国户口登记条例》第十条、第十三条;《广东省公安厅关于进一步推进户籍制度改革的实施意见》",
        conditions="在本区有合法稳定住所(含租赁)、合法稳定就业或投靠直系亲属,且迁出地为清远市内其他县(市、区)。",
        legal_days=20, promised_days=5, visits=1, online_depth=3, result_name="居民户口簿(迁入登记页)",
        materials=[
            _id_card(),
            _m("居民户口簿", note="迁出地户口簿,窗口核验原件"),
            _m("合法稳定住所证明", form="copy", source="data_source",
               note="自有住房由不动产登记信息共享核验,免提交;租赁住房提交备案的租赁合同"),
            _m("户口迁移申请表"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("move_from"), _f("residence_address"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00104000", name="大型群众性活动安全许可", kind="licensing", department="QX-GA",
        target="legal",
        legal_basis="《大型群众性活动安全管理条例》第十一条、第十二条、第十三条",
        conditions="预计参加人数在1000人以上5000人以下;承办者具有独立承担安全责任的能力;有安全工作方案,"
                   "安全责任明确、措施有效;活动场所、设施符合安全要求。",
        legal_days=7, promised_days=5, visits=1, online_depth=3, issues_licence=False, result_name="大型群众性活动安全许可决定书",
        materials=[
            _m("大型群众性活动安全许可申请表"),
            _business_licence(),
            _m("安全工作方案", form="copy"),
            _m("活动场所管理者同意使用的证明", form="copy"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("event_name"), _f("event_date"), _f("participant_count"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="GF00204000", name="一次性创业资助申领", kind="payment", department="QX-RSJ", target="natural",
        legal_basis="《中华人民共和国就业促进法》第七条;《广东省人力资源和社会保障厅 广东省财政厅关于印发〈广东省就业创业补贴申请办理指导清单〉的通知》",
        conditions="普通高等学校、职业学校、技工院校学生(在校及毕业5年内)、出国(境)留学回国人员、登记失业人员、"
                   "就业困难人员等在本区初次创办企业或个体工商户,正常经营6个月以上,并按规定缴纳社会保险费。",
        legal_days=20, promised_days=15, visits=0, online_depth=4, fee_basis="不收费",
        result_name="一次性创业资助核定通知",
        materials=[
            _business_licence(),
            _m("社会保险缴费记录", form="electronic", source="data_source", note="由社保系统共享核验,免提交"),
            _m("一次性创业资助申请表", form="electronic"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("trade_name"), _f("bank_account"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="QR00601000", name="工伤认定", kind="confirmation", department="QX-RSJ", target="natural",
        legal_basis="《工伤保险条例》第十四条、第十七条、第二十条;《工伤认定办法》(人力资源和社会保障部令第8号)",
        conditions="职工发生事故伤害或被诊断、鉴定为职业病;用人单位自事故发生之日起30日内、职工或其近亲属自事故发生之日起1年内提出申请。",
        legal_days=40, promised_days=20, visits=1, online_depth=3, result_name="认定工伤决定书",
        materials=[
            _m("工伤认定申请表"),
            _m("劳动合同或其他劳动关系证明", form="copy"),
            _m("医疗诊断证明书或职业病诊断证明书", form="both"),
            _id_card("受伤职工"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("last_employer"), _f("injury_date"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="QT00401000", name="诊所备案", kind="other_power", department="QX-WJJ", target="legal",
        legal_basis="《医疗机构管理条例》第九条、第十五条;《诊所备案管理暂行办法》(国卫医政发〔2022〕33号)",
        conditions="诊所的主要负责人取得医师执业证书后,从事5年以上同一专业的临床工作;诊所的房屋、设备、人员符合《诊所基本标准》。",
        legal_days=5, promised_days=0, visits=1, online_depth=3, issues_licence=True, result_name="诊所备案凭证",
        materials=[
            _m("诊所备案信息表"),
            _business_licence(),
            _m("医师执业证书", source="licence", note="由电子证照库调取,免提交"),
            _m("诊所房屋平面布局图", form="copy"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("medical_institution_name"), _f("business_address"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00503000", name="放射诊疗许可", kind="licensing", department="QX-WJJ", target="legal",
        legal_basis="《放射性同位素与射线装置安全和防护条例》第八条;《放射诊疗管理规定》(卫生部令第46号)第十一条、第十二条",
        conditions="开展X射线影像诊断等放射诊疗工作;有具备资质的放射诊疗人员、合格的设备和防护设施;建设项目职业病危害放射防护已竣工验收。",
        legal_days=20, promised_days=15, visits=1, online_depth=3, issues_licence=True, result_name="放射诊疗许可证",
        materials=[
            _m("放射诊疗许可申请表"),
            _m("医疗机构执业许可证", source="licence", note="由电子证照库调取,免提交"),
            _m("放射诊疗设备和防护设施检测报告", form="copy"),
            _m("放射工作人员职业健康检查资料", form="copy", note="可容缺受理、限期补交", deferrable=True),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("medical_institution_name"), _f("business_address"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="QT00501000", name="房屋建筑和市政基础设施工程竣工验收备案", kind="other_power", department="QX-ZJJ",
        target="legal",
        legal_basis="《建设工程质量管理条例》第四十九条;《房屋建筑和市政基础设施工程竣工验收备案管理办法》(住房和城乡建设部令第2号)",
        conditions="工程已竣工验收合格;建设单位自竣工验收合格之日起15日内申请备案。",
        legal_days=15, promised_days=5, visits=1, online_depth=3, result_name="竣工验收备案证明",
        materials=[
            _m("工程竣工验收备案表"),
            _m("工程竣工验收报告", form="copy"),
            _m("规划、消防等部门出具的认可文件", form="copy", source="data_source",
               note="由工程建设项目审批管理系统共享获取,免提交"),
            _m("施工单位签署的工程质量保修书", form="copy"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("project_name"), _f("project_address"),
                _f("building_area"), _f("contact_phone")],
    ),
    _matter(
        basic_code="GF00501000", name="城镇住房保障家庭租赁补贴申领", kind="payment", department="QX-ZJJ",
        target="natural",
        legal_basis="《广东省城镇住房保障办法》第二十二条;《清远市公共租赁住房管理办法》",
        conditions="具有本区城镇户籍或在本区稳定就业的外来务工人员;家庭人均收入和住房面积低于本区公布的标准;未享受其他住房保障。",
        legal_days=20, promised_days=15, visits=1, online_depth=3, result_name="租赁补贴核定通知书",
        materials=[
            _m("住房保障租赁补贴申请表"),
            _id_card("申请人及共同申请人"),
            _m("家庭收入及住房情况声明", note="申请人签名承诺"),
            _m("房屋租赁合同", form="copy"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("household_size"), _f("monthly_income"),
                _f("bank_account"), _f("contact_phone")],
    ),
    _matter(
        basic_code="GF00403000", name="临时救助金给付", kind="payment", department="QX-MZJ", target="natural",
        level="town",
        legal_basis="《社会救助暂行办法》第四十七条、第四十八条;《广东省临时救助办法》",
        conditions="因火灾、交通事故等意外事件或家庭成员突发重大疾病等原因,导致基本生活暂时出现严重困难的家庭或个人。",
        legal_days=20, promised_days=10, visits=1, online_depth=3, result_name="临时救助审批决定",
        materials=[
            _m("临时救助申请书"),
            _id_card(),
            _m("遭遇困难的证明材料", form="copy", note="如医疗费用票据、事故证明等"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("household_size"), _f("bank_account"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="XK01001000", name="社会团体成立登记", kind="licensing", department="QX-MZJ", target="legal",
        legal_basis="《社会团体登记管理条例》第九条、第十条、第十一条",
        conditions="有50个以上的个人会员或者30个以上的单位会员;有规范的名称和相应的组织机构;有固定的住所;"
                   "有与其业务活动相适应的专职工作人员和合法的资产;有独立承担民事责任的能力。",
        legal_days=40, promised_days=20, visits=1, online_depth=3, issues_licence=True,
        result_name="社会团体法人登记证书", establishes_entity=True,
        materials=[
            _m("社会团体法人登记申请表"),
            _m("业务主管单位批准文件", form="original"),
            _m("社会团体章程草案", form="copy"),
            _m("验资报告", form="copy"),
            _m("住所使用证明", form="copy"),
        ],
        fields=[_f("company_name"), _f("legal_representative"), _f("business_address"), _f("registered_capital"),
                _f("contact_phone")],
    ),
    _matter(
        basic_code="GG00402000", name="异地就医备案", kind="public_service", department="QX-YBJ", target="natural",
        legal_basis="《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》(医保发〔2022〕22号)",
        conditions="参加本区基本医疗保险的异地长期居住人员、常驻异地工作人员、异地转诊就医人员及临时外出就医人员。",
        legal_days=1, promised_days=0, visits=0, online_depth=4, result_name="异地就医备案结果",
        materials=[
            _id_card("参保人"),
            _m("异地就医备案个人承诺书", form="electronic"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("destination_city"), _f("contact_phone")],
    ),
    _matter(
        basic_code="ZS00102000", name="房产税、城镇土地使用税申报", kind="levy", department="QX-SWJ", target="legal",
        legal_basis="《中华人民共和国房产税暂行条例》第七条;《中华人民共和国城镇土地使用税暂行条例》第八条",
        conditions="在本区城镇范围内拥有房屋产权或使用土地的单位,按规定期限申报缴纳。",
        legal_days=1, promised_days=0, visits=0, online_depth=4,
        fee_basis="不收取行政事业性收费;税款依法按计税依据和适用税率缴纳", result_name="税收完税证明",
        materials=[
            _m("财产和行为税纳税申报表", form="electronic"),
            _m("不动产权属信息", form="electronic", source="data_source", note="由不动产登记信息共享获取,免提交"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("property_location"), _f("land_area"),
                _f("tax_officer_name"), _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00903000", name="动物防疫条件合格证核发", kind="licensing", department="QX-NYJ", target="legal",
        legal_basis="《中华人民共和国动物防疫法》第二十四条、第二十五条;《动物防疫条件审查办法》(农业农村部令2022年第8号)",
        conditions="开办动物饲养场、隔离场所、动物屠宰加工场所等;场所位置与居民生活区、生活饮用水水源地等的距离符合规定;"
                   "有相应的污水、污物处理和病死动物无害化处理设施设备。",
        legal_days=20, promised_days=15, visits=1, online_depth=3, issues_licence=True, result_name="动物防疫条件合格证",
        materials=[
            _m("动物防疫条件审查申请表"),
            _business_licence(),
            _m("场所地理位置图、各功能区布局平面图", form="copy"),
            _m("动物防疫管理制度文本", form="copy"),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("legal_representative"), _f("business_address"),
                _f("land_area"), _f("contact_phone")],
    ),
    _matter(
        basic_code="XK00803000", name="占用、挖掘公路或者使公路改线审批", kind="licensing", department="QX-JTJ",
        target="legal",
        legal_basis="《中华人民共和国公路法》第四十四条、第四十五条;《公路安全保护条例》第二十七条",
        conditions="因修建铁路、机场、供电、通信、水利等建设工程需要占用、挖掘公路或者使公路改线;有符合公路工程技术标准的施工方案和安全保障措施。",
        legal_days=20, promised_days=10, visits=1, online_depth=3, result_name="公路路政许可决定书",
        materials=[
            _m("公路路政许可申请书"),
            _business_licence(),
            _m("符合技术标准的设计和施工方案", form="copy"),
            _m("保障公路、公路附属设施质量和安全的技术评价报告", form="copy"),
            _m("处置施工险情和意外事故的应急方案", form="copy", note="可容缺受理、限期补交", deferrable=True),
        ],
        fields=[_f("company_name"), _f("credit_code"), _f("project_name"), _f("road_section"), _f("contact_phone")],
    ),
]

_BY_NAME = {m["name"]: m["code"] for m in MATTERS}


def _codes(*names: str) -> list:
    return [_BY_NAME[name] for name in names]


# --- themes ("一件事") -------------------------------------------------------------------------

THEMES = [
    {
        "code": "kaiban-qiye", "name": "开办企业一件事", "target": "legal",
        "description": "一张表单、一次提交,同步办理营业执照、公章刻制、单位社会保险登记和新办纳税人涉税事项,全程网办,最快1个工作日办结。",
        "matters": _codes("企业设立登记", "公章刻制备案", "社会保险登记(单位)", "新办纳税人涉税事项(信息确认及发票票种核定)"),
    },
    {
        "code": "kaiye-canyin", "name": "开办餐饮店一件事", "target": "legal",
        "description": "开餐馆需要的营业执照、食品经营许可和污水排入排水管网许可一次申请,市场监管与住建部门并联审批。",
        "matters": _codes("企业设立登记", "食品经营许可", "城镇污水排入排水管网许可"),
    },
    {
        "code": "xinshenger-chusheng", "name": "新生儿出生一件事", "target": "natural",
        "description": "宝宝出生后,出生医学证明、户口登记和城乡居民医保参保一次办好,父母无需往返医院、派出所和医保窗口。",
        "matters": _codes("出生医学证明首次签发", "出生登记", "新生儿城乡居民基本医疗保险参保登记"),
    },
    {
        "code": "shenhou", "name": "身后一件事", "target": "natural",
        "description": "亲人离世后,死亡医学证明、户口注销和丧葬补助金、抚恤金申领合并办理,减少家属奔波。",
        "matters": _codes("居民死亡医学证明(推断)书签发", "死亡注销户口", "丧葬补助金、抚恤金申领"),
    },
    {
        "code": "tuixiu", "name": "退休一件事", "target": "natural",
        "description": "达到退休年龄,一次申请同时完成养老保险退休待遇核定和职工医保退休待遇确认。",
        "matters": _codes("职工基本养老保险退休待遇核定", "职工基本医疗保险退休人员待遇资格确认"),
    },
    {
        "code": "ershoufang-jiaoyi", "name": "二手房交易登记一件事", "target": "natural",
        "description": "二手房买卖的契税申报与不动产转移登记一窗受理、并联办理,缴税后即可领取新的不动产权证书。",
        "matters": _codes("契税申报", "不动产转移登记(二手房买卖)"),
    },
    {
        "code": "nongcun-jianfang", "name": "农村村民建房一件事", "target": "natural",
        "description": "农村村民建住宅,宅基地审批和乡村建设规划许可在镇政务服务中心一次申请,联审联办。",
        "matters": _codes("农村村民宅基地审批", "乡村建设规划许可证核发"),
    },
]


# --- enterprises and people ------------------------------------------------------------------

ENTERPRISES = [
    {"credit_code": _credit("91", "441803", "MA4W7K2C"), "name": "清远市清新区禾云山茶业有限公司",
     "legal_representative": "黄伟强", "address": "清远市清新区禾云镇禾云圩茶园路22号"},
    {"credit_code": _credit("91", "441803", "MA53HD8P"), "name": "清远市清新区温泉旅游酒店管理有限公司",
     "legal_representative": "梁志坚", "address": "清远市清新区三坑镇温泉大道38号"},
    {"credit_code": _credit("93", "441803", "MA4UR61B"), "name": "清远市清新区浸潭清远鸡养殖专业合作社",
     "legal_representative": "朱耀明", "address": "清远市清新区浸潭镇新洲村委会上围村"},
    {"credit_code": _credit("91", "441803", "MA55F3TJ"), "name": "清远市清新区太和古洞农家菜餐饮有限公司",
     "legal_representative": "陈美华", "address": "清远市清新区太和镇古洞路6号"},
]


def _user(username, role, real_name, id17, phone, department=None, seats=(), enterprise=None, leader=False,
          district=None):
    return {
        "username": username, "password": PASSWORD, "role": role, "real_name": real_name, "id_number": _id(id17),
        "phone": phone, "department": department, "seats": list(seats), "enterprise": enterprise, "leader": leader,
        "district": district,  # a supervisor's district (督查范围, issue 15): the region's code; None: the city
    }


USERS = [
    # the public
    _user("citizen", "public", "陈志明", "44180319880514031", "13826651024"),
    _user("citizen2", "public", "李秀英", "44180219921103024", "13692370815"),
    _user("enterprise", "public", "黄伟强", "44182719790821015", "13750126638",
          enterprise=ENTERPRISES[0]["credit_code"]),
    # comprehensive window clerks
    _user("clerk", "clerk", "何丽娟", "44180319900217046", "15907630412", seats=[("QX-ZWZX", "A01")]),
    _user("clerk_legal", "clerk", "梁嘉欣", "44180219940709068", "18929781206", seats=[("QX-ZWZX", "B01")]),
    _user("clerk_taihe", "clerk", "罗志华", "44182719861225073", "13553968204", seats=[("QX-TAIHE", "A01")]),
    _user("clerk_delivery", "clerk", "冯婉婷", "44180319970430082", "17876341590", seats=[("QX-ZWZX", "D01")]),
    # department reviewers (back office)
    _user("reviewer_scjg", "reviewer", "朱建华", "44182719810312011", "13502796317", department="QX-SCJG"),
    _user("reviewer_ga", "reviewer", "邓国强", "44180319830905057", "13922614058", department="QX-GA"),
    _user("reviewer_rs", "reviewer", "谢美玲", "44180219870122026", "15813542709", department="QX-RSJ"),
    _user("reviewer_wj", "reviewer", "钟惠芳", "44182719850618048", "13631879452", department="QX-WJJ"),
    _user("reviewer_zj", "reviewer", "刘振东", "44180319801008035", "18807635129", department="QX-ZJJ"),
    _user("reviewer_zrzy", "reviewer", "曾庆华", "44182719781130019", "13827625816", department="QX-ZRZY"),
    _user("reviewer_mz", "reviewer", "蔡淑贞", "44180319840404062", "15016370948", department="QX-MZJ"),
    _user("reviewer_sw", "reviewer", "林家豪", "44180219890816091", "13415763380", department="QX-SWJ"),
    _user("reviewer_yb", "reviewer", "叶翠萍", "44180319880327084", "18023579416", department="QX-YBJ"),
    _user("reviewer_jt", "reviewer", "莫志坚", "44182719820511053", "13590617723", department="QX-JTJ"),
    _user("reviewer_ny", "reviewer", "邱耀文", "44182719760919037", "13729985601", department="QX-NYJ"),
    # department leaders (负责人): approve the one extension of a decision limit (行政许可法第四十二条)
    _user("leader_scjg", "reviewer", "黄振邦", "44180319720315013", "13502716630", department="QX-SCJG", leader=True),
    _user("leader_ga", "reviewer", "李国栋", "44182719710822035", "13925762218", department="QX-GA", leader=True),
    _user("leader_rs", "reviewer", "何淑仪", "44180219740604028", "13680145592", department="QX-RSJ", leader=True),
    _user("leader_wj", "reviewer", "罗健明", "44180319730927051", "13827631149", department="QX-WJJ", leader=True),
    _user("leader_zj", "reviewer", "陈锦华", "44182719690218076", "18902637751", department="QX-ZJJ", leader=True),
    _user("leader_zrzy", "reviewer", "郑伟文", "44180219710709014", "13729618834", department="QX-ZRZY", leader=True),
    _user("leader_mz", "reviewer", "梁玉梅", "44180319750130046", "15017693320", department="QX-MZJ", leader=True),
    _user("leader_sw", "reviewer", "潘志强", "44182719680411093", "13590271146", department="QX-SWJ", leader=True),
    _user("leader_yb", "reviewer", "吴慧敏", "44180219760825062", "18023164478", department="QX-YBJ", leader=True),
    _user("leader_jt", "reviewer", "区家辉", "44180319700603057", "13415609927", department="QX-JTJ", leader=True),
    _user("leader_ny", "reviewer", "黎少华", "44182719670919031", "13631705582", department="QX-NYJ", leader=True),
    # the service centre
    _user("supervisor", "supervisor", "苏文斌", "44182719750208013", "13322897415"),
    _user("admin", "administrator", "吴海燕", "44180319831202028", "13760593287"),
]


# --- situation questions (情形引导) ---------------------------------------------------------------
# Per theme, a few questions; per option:
#   "skip":  matters of the theme the applicant need not apply for;
#   "needs": materials asked for only when this option is chosen, as (matter code, material): made
#            on that matter if missing (not required on their own: 视情况提供), marked as asked for
#            only when chosen (ConditionalMaterial), and required when the option is chosen;
#   "drops": materials the applicant need not bring, as (matter code, material name).
# A required material the applicant uploads is not dropped here while workflow.application_submit
# still asks for every material of a matter (see matters.questions).

_ENTERPRISE = _BY_NAME["企业设立登记"]


def _agent_letter(signed_by: str) -> dict:
    return _m("授权委托书", note=f"{signed_by}签名,载明委托事项、权限和期限")


def _agent_id() -> dict:
    return _m("代理人居民身份证", form="copy", note="现场办理的核验原件")


QUESTIONS = [
    {
        "theme": "kaiban-qiye", "text": "是否需要同时刻制公章?",
        "help_text": "新开办企业可在领取营业执照的同时刻制公章、财务专用章、发票专用章和法定代表人名章,刻章费用由政府承担。",
        "options": [
            {"label": "是,同时刻制公章"},
            {"label": "否,暂不刻制(以后单独办理公章刻制备案)", "skip": [_BY_NAME["公章刻制备案"]]},
        ],
    },
    {
        "theme": "kaiban-qiye", "text": "是否委托代理人办理?",
        "help_text": "由法定代表人以外的人员(如代理机构、公司员工)办理的,须提交授权委托书。",
        "options": [
            {"label": "否,由法定代表人本人办理"},
            {"label": "是,委托代理人办理",
             "needs": [(_ENTERPRISE, _agent_letter("全体股东或法定代表人")), (_ENTERPRISE, _agent_id())]},
        ],
    },
    {
        "theme": "kaiye-canyin", "text": "餐饮店的污水是否单独排入城镇排水管网?",
        "help_text": "厨房废水经隔油池处理后单独接入市政污水管网的,须办理排水许可;位于已统一办理排水许可的商场、美食城内的,由物业统一办理。",
        "options": [
            {"label": "是,单独接入市政污水管网",
             "needs": [(_BY_NAME["城镇污水排入排水管网许可"], _m("预处理设施说明", form="copy", required=False,
                                                              note="餐饮服务单位提交隔油池设置说明"))]},
            {"label": "否,位于已统一办理排水许可的商场或美食城内", "skip": [_BY_NAME["城镇污水排入排水管网许可"]]},
        ],
    },
    {
        "theme": "kaiye-canyin", "text": "是否委托代理人办理?",
        "help_text": "由法定代表人以外的人员办理的,须提交授权委托书。",
        "options": [
            {"label": "否,由法定代表人本人办理"},
            {"label": "是,委托代理人办理",
             "needs": [(_ENTERPRISE, _agent_letter("全体股东或法定代表人")), (_ENTERPRISE, _agent_id())]},
        ],
    },
    {
        "theme": "xinshenger-chusheng", "text": "新生儿是否在清新区落户?",
        "help_text": "在本区以外落户的,出生登记和医保参保到落户地办理,本次只签发出生医学证明。",
        "options": [
            {"label": "是,在清新区落户",
             "drops": [(_BY_NAME["新生儿城乡居民基本医疗保险参保登记"], "新生儿居民户口簿")]},
            {"label": "否,在本区以外落户",
             "skip": [_BY_NAME["出生登记"], _BY_NAME["新生儿城乡居民基本医疗保险参保登记"]]},
        ],
    },
    {
        "theme": "xinshenger-chusheng", "text": "由谁申报出生登记?",
        "help_text": "父母因故不能办理的,可委托其他亲属代办。",
        "options": [
            {"label": "父亲或母亲本人"},
            {"label": "委托其他亲属代办",
             "needs": [(_BY_NAME["出生登记"], _agent_letter("父母一方")), (_BY_NAME["出生登记"], _agent_id())]},
        ],
    },
    {
        "theme": "ershoufang-jiaoyi", "text": "房屋是否设有抵押?",
        "help_text": "抵押期间转让房屋的,须经抵押权人同意;也可先还清贷款、办理抵押权注销登记后再过户。",
        "options": [
            {"label": "否,没有抵押或抵押已注销"},
            {"label": "是,抵押尚未注销",
             "needs": [(_BY_NAME["不动产转移登记(二手房买卖)"],
                        _m("抵押权人同意抵押房屋转让的书面材料", note="由贷款银行等抵押权人出具并盖章"))]},
        ],
    },
    {
        "theme": "ershoufang-jiaoyi", "text": "是否委托代理人办理?",
        "help_text": "买方或卖方委托他人办理的,授权委托书须经公证。",
        "options": [
            {"label": "否,买卖双方本人办理"},
            {"label": "是,委托代理人办理",
             "needs": [(_BY_NAME["不动产转移登记(二手房买卖)"], _m("经公证的授权委托书", note="委托人签名并经公证机构公证")),
                       (_BY_NAME["不动产转移登记(二手房买卖)"], _agent_id())]},
        ],
    },
    {
        "theme": "ershoufang-jiaoyi", "text": "是否申请家庭首套住房契税优惠?",
        "help_text": "享受优惠的,由住建部门共享核验家庭住房情况。",
        "options": [
            {"label": "是,申请首套住房优惠"},
            {"label": "否,不申请优惠", "drops": [(_BY_NAME["契税申报"], "家庭住房情况查询结果")]},
        ],
    },
]
