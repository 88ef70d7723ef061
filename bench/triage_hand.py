"""The triage benchmark written by hand: what a Python developer would write instead of triage.flow."""

from __future__ import annotations

import json
import sys
from typing import Any


def triage(tickets: list[dict[str, Any]]) -> dict[str, Any]:
    active = [t for t in tickets if t["status"] != "closed" and (t["priority"] >= 3 or t["age_hours"] > 240)]
    ranked = sorted(active, key=lambda t: t["score"], reverse=True)
    groups: dict[str, list[dict[str, Any]]] = {}
    for t in ranked:
        groups.setdefault(t["team"], []).append(t)
    teams = {}
    for team, items in groups.items():
        teams[team] = {
            "tickets": len(items),
            "urgent": sum(1 for t in items if t["priority"] >= 4 and t.get("assignee") is None),
            "vip": sum(1 for t in items if "vip" in t["tags"]),
            "hours": sum(t["age_hours"] for t in items),
            "queue": [f"#{t['id']} [{t['priority']}] {t['title']} ({t.get('assignee') or 'unassigned'})"
                      for t in items],
        }
    return {"active": len(active), "teams": teams}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        tickets = json.load(handle)
    print(json.dumps(triage(tickets), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
