"""`python -m refsys --department CODE --key k1:SECRET --portal http://127.0.0.1:8000 --port 8701`

Prints `READY port=N` once it listens (port 0 picks a free one). `--auto approve` decides every
received sub-case at once (the demo); otherwise an operator decides on http://127.0.0.1:PORT/.
"""

import json
import sys

from .common import keys_of, parser_for, run
from .server import RefSystem, serve


def main(argv=None):
    parser = parser_for("python -m refsys", "参考部门审批系统 / 省级事项目录源", port=8701, db="var/refsys.sqlite3",
                        key_help="signs")
    parser.add_argument("--department", required=True, help="the department code the portal knows it by")
    parser.add_argument("--name", default="", help="department name shown on its page")
    parser.add_argument("--portal", default="http://127.0.0.1:8000", help="where decisions are sent")
    parser.add_argument("--auto", choices=["", "approve", "deny"], default="")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before every API answer")
    parser.add_argument("--fail", type=int, default=0, help="fail the next N API requests (-1: all)")
    parser.add_argument("--duplicate", action="store_true", help="send every decision twice")
    parser.add_argument("--catalog", help="JSON file: a list of matters published as catalog version 1")
    parser.add_argument("--records", help="JSON file: {source: {subject id: {field: value}}} served as data sources")
    args = parser.parse_args(argv)
    keys, key_id = keys_of(args)
    seed = None
    if args.catalog:
        with open(args.catalog, encoding="utf-8") as f:
            seed = json.load(f)
    records = None
    if args.records:
        with open(args.records, encoding="utf-8") as f:
            records = json.load(f)
    system = RefSystem(db=args.db, department=args.department, name=args.name or args.department, keys=keys,
                       key_id=key_id, portal=args.portal, max_backoff=args.max_backoff,
                       catalog_seed=seed, records=records)
    b = system.behaviour
    b.auto, b.delay, b.fail, b.duplicate = args.auto, args.delay, args.fail, args.duplicate

    return run("refsys", args, serve, system)


if __name__ == "__main__":
    sys.exit(main())
