"""`python -m paysim --merchant CODE --key k1:SECRET --port 8702 --db var/paysim.sqlite3`

Prints `READY port=N` once it listens (port 0 picks a free one).
"""

import sys

from refsys.common import keys_of, parser_for, run

from .server import NOTIFY_MODES, PaySim, serve


def main(argv=None):
    parser = parser_for("python -m paysim", "统一公共支付平台(沙箱)", port=8702, db="var/paysim.sqlite3",
                        key_help="signs notifications")
    parser.add_argument("--merchant", required=True, help="the merchant (收款单位) code the portal signs as")
    parser.add_argument("--public-url", default="", help="the address citizens' browsers reach (pay pages)")
    parser.add_argument("--notify", choices=NOTIFY_MODES, default="normal")
    parser.add_argument("--notify-delay", type=float, default=0.0)
    args = parser.parse_args(argv)
    keys, key_id = keys_of(args)
    sim = PaySim(db=args.db, merchant=args.merchant, keys=keys, key_id=key_id, public_url=args.public_url,
                 max_backoff=args.max_backoff)
    sim.notify, sim.notify_delay = args.notify, args.notify_delay
    return run("paysim", args, serve, sim)


if __name__ == "__main__":
    sys.exit(main())
