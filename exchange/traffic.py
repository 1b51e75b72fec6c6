"""交通违章 as the traffic police's data source answers it (source `jiaotong`, field `vehicles`):
the vehicles registered to a person, each with its violations (time, place, act, fine in fen,
points, 未处理/已处理). Shown per vehicle on 我的 and at the kiosk's 查, printed on its receipt."""

from __future__ import annotations


def vehicle_rows(value) -> list[dict]:
    """交通违章 per vehicle from a source's answer: plate, type and violations (time, place, act, fine
    in yuan, points, state), 未处理 first then newest first; anything malformed is left out."""
    rows = []
    for car in value if isinstance(value, list) else []:
        if not isinstance(car, dict) or not car.get("plate"):
            continue
        violations = []
        for v in car.get("violations") or []:
            if not isinstance(v, dict):
                continue
            fine = v.get("fine")
            violations.append({
                "time": str(v.get("time") or ""), "place": str(v.get("place") or ""), "act": str(v.get("act") or ""),
                "fine": f"{fine // 100}.{fine % 100:02d}" if isinstance(fine, int) and not isinstance(fine, bool) and fine >= 0 else "—",
                "points": v.get("points") if isinstance(v.get("points"), int) else "—",
                "state": str(v.get("state") or ""), "unhandled": v.get("state") == "未处理"})
        violations.sort(key=lambda v: v["time"], reverse=True)
        violations.sort(key=lambda v: not v["unhandled"])
        rows.append({"plate": str(car["plate"]), "type": str(car.get("type") or ""), "violations": violations,
                     "unhandled": sum(v["unhandled"] for v in violations)})
    return rows


def receipt_lines(vehicles: list[dict]) -> list[tuple[str, str]]:
    """The kiosk receipt's lines: each vehicle, then each of its violations."""
    lines = []
    for car in vehicles:
        lines.append((car["plate"], car["type"]))
        lines.extend((f"{v['state']} {v['time']}", f"{v['place']} {v['act']} 罚款{v['fine']}元 记{v['points']}分")
                     for v in car["violations"])
    return lines
