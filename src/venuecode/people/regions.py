"""The district an ID number's region code (its first six digits) names, for call lists.

Data interfaces 1.1: where the population registry gives no district, a contact is
grouped under the district of their ID number's region code, marked as inferred. The
code is where the person's birth was first registered, so it is a guess, never a fact.
Hangzhou's codes are listed (including 下城区 and 江干区, merged in 2021, that older
residents still carry); elsewhere the code itself is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

REGION_DISTRICTS = {
    "330102": "上城区", "330103": "上城区", "330104": "上城区", "330105": "拱墅区",
    "330106": "西湖区", "330108": "滨江区", "330109": "萧山区", "330110": "余杭区",
    "330111": "富阳区", "330112": "临安区", "330113": "临平区", "330114": "钱塘区",
    "330122": "桐庐县", "330127": "淳安县", "330182": "建德市",
}


@dataclass(frozen=True)
class Residence:
    district: str
    inferred: bool  # from the ID number, not the registry


def residence(id_number: str, registered: str | None) -> Residence:
    """The registry's district, or the one the ID number's region code names."""
    if registered:
        return Residence(registered, False)
    region = id_number[:6]
    return Residence(REGION_DISTRICTS.get(region, f"地区代码 {region}"), True)
