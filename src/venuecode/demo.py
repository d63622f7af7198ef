"""A small demo city on the configured database: districts, venues, accounts for every role."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.access.roles import Role
from venuecode.audit.service import Actor
from venuecode.facts.models import HealthCodeRecord, NucleicAcidTestRecord, VaccinationRecord
from venuecode.people.idnumber import make_id_number
from venuecode.people.models import User
from venuecode.people.service import create_user
from venuecode.venues.models import Venue
from venuecode.venues.schemas import VenueApplication
from venuecode.venues.service import apply_for_venue, approve_venue

DEMO_CITIZEN_NAME = "张三"
DEMO_CITIZEN_ID = make_id_number("330106", date(1958, 6, 1), 17)
# Import order: venues before the check-ins that name them.
CITY_KINDS = ("venues", "persons", "citizen_cards", "health_codes", "nucleic_acid_tests",
              "vaccinations", "itineraries", "risk_areas", "checkins", "cases")
DEMO_PASSWORD = "demo-password-2022"  # noqa: S105 - printed by `demo`, for demo data only


@dataclass(frozen=True)
class DemoAccount:
    phone: str
    role: Role
    name: str
    district: str | None = None


ACCOUNTS = [
    DemoAccount("13800000001", Role.CITIZEN, "市民 张三"),
    DemoAccount("13800000002", Role.VENUE_MANAGER, "场所负责人 李四"),
    DemoAccount("13800000003", Role.DISTRICT_ADMIN, "西湖区管理员", "西湖区"),
    DemoAccount("13800000004", Role.TRACER, "流调员 王五"),
    DemoAccount("13800000005", Role.TRACING_SUPERVISOR, "流调组长 赵六"),
    DemoAccount("13800000006", Role.SYSTEM_ADMIN, "系统管理员"),
]

# (venue_id, name, category, district, address, sub-areas)
VENUES = [
    ("HZ-XH-0001", "文三路农贸市场", "market", "西湖区", "文三路 188 号", []),
    ("HZ-XH-0002", "地铁2号线文三路站", "metro", "西湖区", "文三路与学院路交叉口", []),
    ("HZ-XH-0003", "公交 K193 路", "bus", "西湖区", "", ["车辆 浙A·12345", "车辆 浙A·67890"]),
    ("HZ-XH-0004", "西溪印象城", "mall", "西湖区", "五常大道 1 号", []),
    ("HZ-XH-0005", "外婆家(文三路店)", "restaurant", "西湖区", "文三路 259 号", ["包厢 A", "包厢 B"]),
    ("HZ-XH-0006", "学军中学", "school", "西湖区", "文三路 20 号", []),
    ("HZ-XH-0007", "西湖区颐养院", "care_home", "西湖区", "古墩路 88 号", []),
    ("HZ-SC-0001", "湖滨银泰 in77", "mall", "上城区", "东坡路 7 号", []),
    ("HZ-SC-0002", "地铁1号线龙翔桥站", "metro", "上城区", "延安路", []),
    ("HZ-SC-0003", "胜利河美食街酒吧", "bar", "上城区", "胜利河路", []),
    ("HZ-SC-0004", "浙江大学医学院附属第一医院", "hospital", "上城区", "庆春路 79 号", []),
    ("HZ-GS-0001", "联华超市(湖墅南路店)", "supermarket", "拱墅区", "湖墅南路 123 号", []),
    ("HZ-GS-0002", "杭州东站", "railway", "上城区", "天城路 1 号", []),
    ("HZ-GS-0003", "星光大道 KTV", "ktv", "拱墅区", "莫干山路 100 号", []),
    ("HZ-GS-0004", "运河边网吧", "internet_cafe", "拱墅区", "小河路 5 号", []),
]


def seed_demo(session: Session) -> bool:
    """Create the demo data once; False when it is there already."""
    if session.scalar(select(User.id).where(User.phone == ACCOUNTS[0].phone)) is not None:
        return False
    actor = Actor.cli()
    users: dict[Role, User] = {}
    for account in ACCOUNTS:
        password = DEMO_PASSWORD if account.role not in (Role.CITIZEN, Role.VENUE_MANAGER) else None
        users[account.role] = create_user(session, actor, account.phone, account.role,
                                          account.name, password, account.district)
    citizen = users[Role.CITIZEN]
    citizen.id_number, citizen.real_name = DEMO_CITIZEN_ID, DEMO_CITIZEN_NAME
    manager = users[Role.VENUE_MANAGER]
    for venue_id, name, category, district, address, areas in VENUES:
        application = VenueApplication(
            venue_id=venue_id, name=name, category=category, district=district, address=address,
            manager_name="李四", manager_phone="13800000002", sub_areas=areas,
        )
        venue = apply_for_venue(session, actor, application, manager.id)
        approve_venue(session, actor, venue, None)
    pending = VenueApplication(
        venue_id="HZ-XH-0099", name="文二路理发店", category="barber", district="西湖区",
        address="文二路 66 号", manager_name="李四", manager_phone="13800000002",
    )
    apply_for_venue(session, actor, pending, manager.id)
    session.flush()
    return True


def demo_venues(session: Session) -> list[Venue]:
    return list(session.scalars(select(Venue).order_by(Venue.id)))


def refresh_demo_citizen(session: Session, now: datetime | None = None) -> None:
    """Green code, a negative test 12 hours old and two doses, so the demo citizen passes
    whenever the demo is started (the test would otherwise expire after three days)."""
    now = now or clock.now()
    prov = {"source": "demo", "batch_id": None, "received_at": now}
    code = session.get(HealthCodeRecord, DEMO_CITIZEN_ID)
    if code is None:
        session.add(HealthCodeRecord(id_number=DEMO_CITIZEN_ID, color="green",
                                     since=now - timedelta(days=30), reason=None, **prov))
    session.add(NucleicAcidTestRecord(id_number=DEMO_CITIZEN_ID,
                                      sampled_at=now - timedelta(hours=12), result="negative",
                                      reported_at=now - timedelta(hours=6),
                                      institution="杭州市西湖区疾控中心", **prov))
    if session.scalar(select(VaccinationRecord.id).where(
            VaccinationRecord.id_number == DEMO_CITIZEN_ID).limit(1)) is None:
        for dose in (1, 2):
            session.add(VaccinationRecord(id_number=DEMO_CITIZEN_ID, dose=dose,
                                          vaccinated_at=now - timedelta(days=400 - 30 * dose),
                                          product="北京生物", **prov))
    session.flush()


def load_city(session: Session, persons: int, seed: int = 1) -> dict[str, dict[str, int]]:
    """A simulated city loaded through the real importer (every data kind)."""
    from venuecode.ingest.service import import_file
    from venuecode.sim.city import SimParams, default_end
    from venuecode.sim.writer import generate_city

    venues = max(40, persons // 25)
    # More cases than a real city of this size would have, so tracers have chains to explore.
    params = SimParams(persons=persons, venues=venues, days=14, seed=seed, end=default_end(),
                       cases=max(5, persons // 400))
    counts: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        generate_city(params, Path(tmp))
        for kind in CITY_KINDS:
            summary = import_file(session, kind, Path(tmp) / f"{kind}.csv",
                                  source="simulated-city", actor=Actor.cli())
            counts[kind] = summary.counts()
    return counts
